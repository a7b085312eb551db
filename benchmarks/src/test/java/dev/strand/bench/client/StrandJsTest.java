package dev.strand.bench.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class StrandJsTest {

    @Test
    void backoffIsStrandJsJitteredDoublingFrom125To375MsUpTo5To15Seconds() {
        assertThat(StrandJs.backoff(0, 0)).isEqualTo(Duration.ofMillis(125));
        assertThat(StrandJs.backoff(0, 0.5)).isEqualTo(Duration.ofMillis(250));
        assertThat(StrandJs.backoff(1, 0)).isEqualTo(Duration.ofMillis(250));
        assertThat(StrandJs.backoff(4, 1)).isEqualTo(Duration.ofMillis(6000));
        assertThat(StrandJs.backoff(5, 0)).isEqualTo(Duration.ofMillis(4000));
        assertThat(StrandJs.backoff(6, 0)).isEqualTo(Duration.ofMillis(5000));
        assertThat(StrandJs.backoff(50, 1)).isEqualTo(Duration.ofMillis(15000));
        for (int i = 0; i < 100; i++) {
            assertThat(StrandJs.backoff(0)).isBetween(Duration.ofMillis(125), Duration.ofMillis(375));
        }
    }

    @Test
    void aCloseEventsReasonIsReadFromItsData() {
        assertThat(reason("{\"reason\":\"remount\"}")).isEqualTo("remount");
        assertThat(reason("{\"reason\": \"session-ended\"}")).isEqualTo(StrandJs.SESSION_ENDED);
        assertThat(reason("{}")).isNull();
    }

    private static String reason(String json) {
        byte[] data = (json + "trailing bytes not part of the event").getBytes(StandardCharsets.UTF_8);
        return StrandJs.closeReason(data, json.length());
    }
}
