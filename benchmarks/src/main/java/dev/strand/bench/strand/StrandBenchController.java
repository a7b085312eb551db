package dev.strand.bench.strand;

import dev.strand.HandleAsync;
import dev.strand.Outcome;
import dev.strand.View;
import dev.strand.bench.ChunkTask;
import dev.strand.bench.ProcessStats;
import dev.strand.bench.SseFrames;
import dev.strand.bench.StartForm;
import dev.strand.bench.StartRequest;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.server.session.DefaultWebSessionManager;
import org.springframework.web.server.session.InMemoryWebSessionStore;
import org.springframework.web.server.session.WebSessionManager;

/**
 * The bench endpoints as a Strand user writes them: the page's GET takes a {@code View}, a start is
 * a page event that calls {@code startAsync("job", ...)} and each chunk is a {@code task.push(text)}
 * (sent as {@code {"task":"job","text":...}}, the baselines' bytes). The outcome callback does
 * nothing. A start and a cancel reach the view of the page that sent them, whichever controller
 * rendered it: {@link StrandRenderController}'s page re-renders an element per chunk.
 */
@Controller
class StrandBenchController {

    private static final String[] GAUGES = {"strand.views.active", "strand.tasks.active", "strand.tasks.lingering",
            "strand.buffers.taken"};

    private final MeterRegistry meters;

    private final WebSessionManager sessions;

    StrandBenchController(MeterRegistry meters, WebSessionManager sessions) {
        this.meters = meters;
        this.sessions = sessions;
    }

    @GetMapping("/bench")
    String page(View view) {
        return "bench/strand";
    }

    @PostMapping("/bench/start")
    @ResponseStatus(HttpStatus.ACCEPTED)
    void start(View view, @ModelAttribute StartForm form) {
        StartRequest request = form.request();
        view.startAsync(SseFrames.TASK, task -> {
            ChunkTask.run(request, text -> {
                task.push(text);
                return true;
            });
            return "done";
        });
    }

    @PostMapping("/bench/cancel")
    @ResponseStatus(HttpStatus.ACCEPTED)
    void cancel(View view) {
        view.cancelAsync(SseFrames.TASK);
    }

    @HandleAsync(SseFrames.TASK)
    void done(Outcome<String> outcome) {
    }

    /** Process stats with Strand's gauges and the number of web sessions; {@code gc=false}: without a full GC. */
    @GetMapping("/bench/stats")
    @ResponseBody
    ProcessStats stats(@RequestParam(defaultValue = "true") boolean gc) {
        Map<String, Long> gauges = new LinkedHashMap<>();
        for (String name : GAUGES) {
            Gauge gauge = meters.find(name).gauge();
            gauges.put(name, gauge == null ? -1 : (long) gauge.value());
        }
        if (sessions instanceof DefaultWebSessionManager manager
                && manager.getSessionStore() instanceof InMemoryWebSessionStore store) {
            gauges.put("web.sessions", (long) store.getSessions().size());
        }
        return ProcessStats.capture(gauges, gc);
    }

    @ExceptionHandler(IllegalArgumentException.class)
    @ResponseBody
    ResponseEntity<String> badRequest(IllegalArgumentException ex) {
        return ResponseEntity.badRequest().body(ex.getMessage());
    }
}
