package dev.strand.internal;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/** Tests for {@link HeldTurn}: a web request's turn lets go of its tab exactly once, whatever its flush does. */
class HeldTurnTests {

	private final TabView view = new TabView("t", new EngineTestSupport.RecordingCallbacks(), (assigns) -> null);

	private final EventLog log = new MemoryEventLog(new MemoryEventLog.Limits(8, 1 << 20, 4, 1 << 20),
			new Json(JsonMapper.builder().build()));

	private final AtomicInteger releases = new AtomicInteger();

	@Test
	void whenTheLastFlushFailsThenTheTurnStillLetsGoOfTheTabAndTheFailureReachesTheCaller() {
		HeldTurn turn = new HeldTurn(this.view, null, () -> {
			throw new IllegalStateException("simulated: the stream's connection has just ended");
		}, this.log, this.releases::incrementAndGet);
		this.view.enter(null);
		assertThatIllegalStateException().isThrownBy(turn::end).withMessageContaining("simulated");
		assertThat(this.releases).hasValue(1);
		assertThatIllegalStateException().isThrownBy(() -> this.view.flash("info", "after the turn"))
			.withMessageContaining("outside its mailbox");
	}

	@Test
	void whenATurnIsEndedTwiceThenItLetsGoOfTheTabOnce() {
		HeldTurn turn = new HeldTurn(this.view, null, () -> {
		}, this.log, this.releases::incrementAndGet);
		this.view.enter(null);
		turn.end();
		turn.end();
		assertThat(this.releases).hasValue(1);
	}

}
