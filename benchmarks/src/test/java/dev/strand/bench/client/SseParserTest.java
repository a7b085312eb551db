package dev.strand.bench.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseParserTest {

    private final List<String> events = new ArrayList<>();

    private final SseParser parser = new SseParser((chunk, data, length) ->
            events.add((chunk ? "chunk " : "other ") + new String(data, 0, length, StandardCharsets.UTF_8)));

    @Test
    void readsStrandFramesAndSpringFramesWithoutTheOptionalSpaceAlike() {
        feed("id: 1\nevent: chunk\ndata: {\"a\":1}\n\nid:2\nevent:chunk\ndata:{\"a\":2}\n\n");

        assertThat(events).containsExactly("chunk {\"a\":1}", "chunk {\"a\":2}");
    }

    @Test
    void handlesEveryLineEndEvenWhenSplitAcrossReads() {
        byte[] bytes = "event: chunk\r\ndata: a\r\n\r\nevent: chunk\rdata: b\r\rdata: c\n\n"
                .getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            parser.feed(bytes, i, 1);
        }

        assertThat(events).containsExactly("chunk a", "chunk b", "other c");
    }

    @Test
    void skipsCommentsAndJoinsDataLines() {
        feed(":hb\n\nevent: patch\ndata: one\ndata: two\n\n");

        assertThat(events).containsExactly("other one\ntwo");
    }

    @Test
    void measuresTheEventTypeItIsGiven() {
        List<String> patches = new ArrayList<>();
        SseParser patchParser = new SseParser("patch", (measured, data, length) ->
                patches.add((measured ? "measured " : "other ") + new String(data, 0, length, StandardCharsets.UTF_8)));
        byte[] bytes = "event: chunk\ndata: a\n\nevent: patch\ndata: b\n\nevent: patches\ndata: c\n\n"
                .getBytes(StandardCharsets.UTF_8);
        patchParser.feed(bytes, 0, bytes.length);

        assertThat(patches).containsExactly("other a", "measured b", "other c");
    }

    @Test
    void tellsEachEventsIdAndTypeAsEventSourceKeepsThem() {
        List<String> seen = new ArrayList<>();
        SseParser[] parser = new SseParser[1];
        parser[0] = new SseParser((measured, data, length) -> seen.add(parser[0].lastEventId() + " "
                + (parser[0].eventIs("reset".getBytes(StandardCharsets.US_ASCII)) ? "reset"
                        : parser[0].eventIs("close".getBytes(StandardCharsets.US_ASCII)) ? "close"
                        : measured ? "chunk" : "other")));
        byte[] bytes = (":hb\n\nid: 7\nevent: chunk\ndata: a\n\nevent: reset\nid:9\ndata: {}\n\ndata: b\n\n"
                + "id: x\nevent: close\ndata: {}\n\nid: 12\n\nevent: resets\ndata: c\n\n").getBytes(StandardCharsets.UTF_8);
        parser[0].feed(bytes, 0, bytes.length);

        // an id is kept for the events after it; one that is not a number reads -1; an event without data
        // still sets it
        assertThat(seen).containsExactly("7 chunk", "9 reset", "9 other", "-1 close", "12 other");
    }

    @Test
    void growsForLongLines() {
        String text = "x".repeat(5000);
        feed("event: chunk\ndata: " + text + "\n\n");

        assertThat(events).containsExactly("chunk " + text);
    }

    private void feed(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        parser.feed(bytes, 0, bytes.length);
    }
}
