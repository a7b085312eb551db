package dev.strand.bench.baseline.mvc;

import dev.strand.bench.ProcessStats;
import dev.strand.bench.StartRequest;
import dev.strand.bench.baseline.BenchPage;
import dev.strand.bench.baseline.BenchTab;
import dev.strand.bench.baseline.BenchTabs;
import dev.strand.bench.baseline.EventSink;
import java.io.IOException;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/** The bench endpoints with {@code SseEmitter}. */
@RestController
class MvcBenchController {

    private final BenchTabs tabs;

    MvcBenchController(BenchTabs tabs) {
        this.tabs = tabs;
    }

    @GetMapping(path = "/bench", produces = MediaType.TEXT_HTML_VALUE)
    String page() {
        return BenchPage.html(tabs.create().id());
    }

    @GetMapping("/strand/stream")
    ResponseEntity<SseEmitter> stream(@RequestParam String view) {
        BenchTab tab = tabs.find(view);
        if (tab == null) {
            return ResponseEntity.notFound().build();
        }
        SseEmitter emitter = new SseEmitter(0L);
        emitter.onCompletion(() -> tabs.remove(tab));
        emitter.onError(error -> tabs.remove(tab));
        if (!tab.connect(new EmitterSink(emitter))) {
            return ResponseEntity.status(409).build();
        }
        return ResponseEntity.ok(emitter);
    }

    @PostMapping("/bench/start")
    ResponseEntity<String> start(@RequestHeader("Strand-View") String view, @RequestParam Map<String, String> form) {
        BenchTab tab = tabs.find(view);
        if (tab == null) {
            return ResponseEntity.notFound().build();
        }
        return tab.start(StartRequest.from(form::get))
                ? ResponseEntity.accepted().build()
                : ResponseEntity.status(409).body("view has no stream");
    }

    @PostMapping("/bench/cancel")
    ResponseEntity<Void> cancel(@RequestHeader("Strand-View") String view) {
        BenchTab tab = tabs.find(view);
        if (tab == null) {
            return ResponseEntity.notFound().build();
        }
        tab.cancel();
        return ResponseEntity.accepted().build();
    }

    @GetMapping("/bench/stats")
    ProcessStats stats(@RequestParam(defaultValue = "true") boolean gc) {
        return ProcessStats.capture(tabs.gauges(), gc);
    }

    @ExceptionHandler(IllegalArgumentException.class)
    ResponseEntity<String> badRequest(IllegalArgumentException ex) {
        return ResponseEntity.badRequest().body(ex.getMessage());
    }

    private record EmitterSink(SseEmitter emitter) implements EventSink {

        @Override
        public boolean chunk(long id, String data) {
            return send(SseEmitter.event().id(Long.toString(id)).name("chunk").data(data));
        }

        @Override
        public boolean heartbeat() {
            return send(SseEmitter.event().comment("hb"));
        }

        private boolean send(SseEmitter.SseEventBuilder event) {
            try {
                emitter.send(event);
                return true;
            } catch (IOException | IllegalStateException ex) {
                return false;
            }
        }
    }
}
