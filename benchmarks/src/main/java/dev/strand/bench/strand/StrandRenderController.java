package dev.strand.bench.strand;

import dev.strand.HandleAsync;
import dev.strand.HandleChunk;
import dev.strand.Outcome;
import dev.strand.View;
import dev.strand.bench.SseFrames;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * The render scenario's page: its views' chunks go through {@code @HandleChunk(send = false)}, which assigns
 * the chunk to {@code last}; the page's {@code <output id="last" strand:watch="last">} is then re-rendered by
 * Thymeleaf (fragment selection {@code bench/strand-render :: #last}) and sent as a {@code patch} event, the
 * chunk's only event, as the WebFlux baseline sends each chunk as one rendered fragment. The load client
 * measures those patches ({@code --event patch}): their HTML carries the chunk's stamp. {@link Sent}'s page,
 * {@code /bench/render-sent} ({@code STRAND_RENDER_PAGE}), sends each chunk as well, after its patch. Starts
 * and cancels go to {@link StrandBenchController}'s endpoints; the view calls back the controller that
 * rendered it.
 */
@Controller
class StrandRenderController {

    @GetMapping("/bench/render")
    String page(View view) {
        view.assign("last", "");
        return "bench/strand-render";
    }

    @HandleChunk(value = SseFrames.TASK, send = false)
    void chunk(String chunk, View view) {
        view.assign("last", chunk);
    }

    @HandleAsync(SseFrames.TASK)
    void done(Outcome<String> outcome) {
    }

    /** The same page, whose chunks also go to the page: two events per chunk, the patch and the chunk. */
    @Controller
    static class Sent {

        @GetMapping("/bench/render-sent")
        String page(View view) {
            view.assign("last", "");
            return "bench/strand-render";
        }

        @HandleChunk(SseFrames.TASK)
        void chunk(String chunk, View view) {
            view.assign("last", chunk);
        }

        @HandleAsync(SseFrames.TASK)
        void done(Outcome<String> outcome) {
        }
    }
}
