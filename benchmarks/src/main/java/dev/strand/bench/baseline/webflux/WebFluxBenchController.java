package dev.strand.bench.baseline.webflux;

import dev.strand.bench.ProcessStats;
import dev.strand.bench.StartForm;
import dev.strand.bench.baseline.BenchTab;
import dev.strand.bench.baseline.BenchTabs;
import dev.strand.bench.baseline.EventSink;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/** The bench endpoints with {@code Flux<ServerSentEvent<String>>}; the page is a Thymeleaf view. */
@Controller
class WebFluxBenchController {

    private final BenchTabs tabs;

    WebFluxBenchController(BenchTabs tabs) {
        this.tabs = tabs;
    }

    @GetMapping("/bench")
    String page(Model model) {
        model.addAttribute("viewId", tabs.create().id());
        return "bench/page";
    }

    @GetMapping("/strand/stream")
    @ResponseBody
    ResponseEntity<Flux<ServerSentEvent<String>>> stream(@RequestParam String view) {
        BenchTab tab = tabs.find(view);
        if (tab == null) {
            return ResponseEntity.notFound().build();
        }
        Sinks.Many<ServerSentEvent<String>> events = Sinks.many().unicast().onBackpressureBuffer();
        if (!tab.connect(new ServerSentEventSink(events))) {
            return ResponseEntity.status(409).build();
        }
        return ResponseEntity.ok(events.asFlux().doFinally(signal -> tabs.remove(tab)));
    }

    @PostMapping("/bench/start")
    @ResponseBody
    ResponseEntity<String> start(@RequestHeader("Strand-View") String view, @ModelAttribute StartForm form) {
        BenchTab tab = tabs.find(view);
        if (tab == null) {
            return ResponseEntity.notFound().build();
        }
        return tab.start(form.request())
                ? ResponseEntity.accepted().build()
                : ResponseEntity.status(409).body("view has no stream");
    }

    @PostMapping("/bench/cancel")
    @ResponseBody
    ResponseEntity<Void> cancel(@RequestHeader("Strand-View") String view) {
        BenchTab tab = tabs.find(view);
        if (tab == null) {
            return ResponseEntity.notFound().build();
        }
        tab.cancel();
        return ResponseEntity.accepted().build();
    }

    @GetMapping("/bench/stats")
    @ResponseBody
    ProcessStats stats(@RequestParam(defaultValue = "true") boolean gc) {
        return ProcessStats.capture(tabs.gauges(), gc);
    }

    @ExceptionHandler(IllegalArgumentException.class)
    @ResponseBody
    ResponseEntity<String> badRequest(IllegalArgumentException ex) {
        return ResponseEntity.badRequest().body(ex.getMessage());
    }

    private record ServerSentEventSink(Sinks.Many<ServerSentEvent<String>> events) implements EventSink {

        private static final ServerSentEvent<String> HEARTBEAT = ServerSentEvent.<String>builder().comment("hb").build();

        @Override
        public boolean chunk(long id, String data) {
            return events.tryEmitNext(ServerSentEvent.builder(data).id(Long.toString(id)).event("chunk").build())
                    .isSuccess();
        }

        @Override
        public boolean heartbeat() {
            return events.tryEmitNext(HEARTBEAT).isSuccess();
        }
    }
}
