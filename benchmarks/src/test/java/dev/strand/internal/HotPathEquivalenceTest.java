package dev.strand.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * Checks two engine changes made for the benchmarks (in Strand's package, as the benchmarks use its
 * internals): a text chunk's JSON written by hand equals Jackson's, and a replay buffer that grows
 * as events come replays exactly what a full-size one would.
 */
class HotPathEquivalenceTest {

    @Test
    void textChunkJsonIsWhatJacksonWrites() {
        JsonMapper mapper = JsonMapper.builder().build();
        Json json = new Json(mapper);
        Random random = new Random(1);
        for (int n = 0; n < 20_000; n++) {
            StringBuilder text = new StringBuilder();
            for (int i = random.nextInt(40); i > 0; i--) {
                int kind = random.nextInt(10);
                text.append(kind < 3 ? (char) random.nextInt(0x80) : kind < 5 ? (char) random.nextInt(0x20)
                        : kind < 6 ? (char) random.nextInt(0x10000) : "\"\\/<>&x".charAt(random.nextInt(7)));
            }
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("task", "job-" + n);
            data.put("text", text.toString());

            assertThat(json.textChunk("job-" + n, text)).isEqualTo(mapper.writeValueAsString(data));
        }
    }

    @Test
    void growingReplayBufferKeepsTheLastCapacityEvents() {
        Random random = new Random(2);
        for (int trial = 0; trial < 2_000; trial++) {
            int capacity = 1 + random.nextInt(random.nextBoolean() ? 40 : 300);
            EventLog log = new EventLog(capacity);
            int appended = random.nextInt(3 * capacity + 5);
            for (int i = 1; i <= appended; i++) {
                log.append("chunk", "d" + i, null);
            }
            long lastEventId = random.nextInt(appended + 2);
            EventLog.Subscription subscription = log.subscribe(lastEventId, () -> {
            });
            List<Long> replayed = new ArrayList<>();
            for (EventLog.Event event = subscription.next(); event != null; event = subscription.next()) {
                replayed.add(event.id());
            }

            long oldest = Math.max(1, appended - capacity + 1);
            boolean missed = lastEventId > appended || lastEventId + 1 < oldest;
            assertThat(subscription.missed()).as("missed, capacity %d, %d events, from %d", capacity, appended,
                    lastEventId).isEqualTo(missed);
            List<Long> expected = new ArrayList<>();
            for (long id = lastEventId + 1; !missed && id <= appended; id++) {
                expected.add(id);
            }
            assertThat(replayed).isEqualTo(expected);
        }
    }
}
