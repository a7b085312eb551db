package dev.strand.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PayloadTest {

    @Test
    void textIsPaddedToSizeAndItsStampParsesBackFromChunkData() {
        long before = Clock.epochMicros();
        String text = Payload.text(7, 64);
        byte[] data = SseFrames.chunkData(text).getBytes(StandardCharsets.UTF_8);

        Payload.Stamp stamp = Payload.parse(data, data.length);

        assertThat(text).hasSize(64).startsWith("t=").contains(";seq=7;").endsWith("x");
        assertThat(stamp).isNotNull();
        assertThat(stamp.seq()).isEqualTo(7);
        assertThat(stamp.epochMicros()).isBetween(before, Clock.epochMicros());
    }

    @Test
    void stampParsesFromARenderedElementInAPatch() {
        String text = Payload.text(3, 64);
        byte[] data = ("{\"target\":\"last\",\"op\":\"replace\",\"html\":\"<output id=\\\"last\\\">" + text
                + "</output>\"}").getBytes(StandardCharsets.UTF_8);

        Payload.Stamp stamp = Payload.parse(data, data.length);

        assertThat(stamp).isNotNull();
        assertThat(stamp.seq()).isEqualTo(3);
    }

    @Test
    void textLongerThanSizeIsNotCut() {
        assertThat(Payload.text(1, 1)).matches("t=\\d+;seq=1;");
    }

    @Test
    void dataWithoutStampParsesToNull() {
        byte[] data = "{\"task\":\"job\",\"text\":\"hello\"}".getBytes(StandardCharsets.UTF_8);
        byte[] cut = "{\"text\":\"t=123;se".getBytes(StandardCharsets.UTF_8);

        assertThat(Payload.parse(data, data.length)).isNull();
        assertThat(Payload.parse(cut, cut.length)).isNull();
    }

    @Test
    void chunkDataEscapesJson() {
        assertThat(SseFrames.chunkData("a\"b\\c\n")).isEqualTo("{\"task\":\"job\",\"text\":\"a\\\"b\\\\c\\u000a\"}");
    }

    @Test
    void chunkFrameIsStrandsWireFormat() {
        assertThat(SseFrames.chunk(3, "{}")).isEqualTo("id: 3\nevent: chunk\ndata: {}\n\n");
    }
}
