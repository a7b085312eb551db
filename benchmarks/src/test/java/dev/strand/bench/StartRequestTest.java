package dev.strand.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StartRequestTest {

    @Test
    void emptyFormIsTheTaskThatSleeps() {
        StartRequest request = StartRequest.from(name -> null);

        assertThat(request).isEqualTo(new StartRequest(0, 0, StartRequest.DEFAULT_SIZE));
        assertThat(request.sleeps()).isTrue();
    }

    @Test
    void formRoundTrips() {
        StartRequest request = new StartRequest(2.5, 10, 128);
        Map<String, String> form = new HashMap<>();
        for (String pair : request.toForm().split("&")) {
            form.put(pair.split("=")[0], pair.split("=")[1]);
        }

        assertThat(StartRequest.from(form::get)).isEqualTo(request);
        assertThat(new StartRequest(10, 1, 64).toForm()).isEqualTo("rate=10&count=1&size=64");
    }

    @Test
    void rateWithoutCountIsRejectedSayingWhatIsExpected() {
        assertThatIllegalArgumentException().isThrownBy(() -> new StartRequest(10, 0, 64))
                .withMessageContaining("both be 0").withMessageContaining("rate=10.0 and count=0");
        assertThatIllegalArgumentException().isThrownBy(() -> StartRequest.from(name -> "x"))
                .withMessage("rate must be a number, got 'x'");
    }

    @Test
    void taskPushesCountChunksInOrderAndStopsWhenTheStreamIsGone() throws InterruptedException {
        List<String> pushed = new ArrayList<>();
        ChunkTask.run(new StartRequest(1000, 5, 32), pushed::add);
        assertThat(pushed).hasSize(5).allSatisfy(text -> assertThat(text).hasSize(32));
        assertThat(pushed.get(4)).contains(";seq=5;");

        List<String> untilGone = new ArrayList<>();
        ChunkTask.run(new StartRequest(1000, 5, 32), text -> untilGone.add(text) && untilGone.size() < 2);
        assertThat(untilGone).hasSize(2);
    }
}
