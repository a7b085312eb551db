package dev.strand.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** A view's outgoing events: numbered, replayed after a reconnect, coalesced by key, never silently lost. */
class EventLogTests {

	private final EventLog log = new EventLog(8);

	private static List<String> read(EventLog.Subscription subscription) {
		List<String> data = new ArrayList<>();
		for (EventLog.Event event = subscription.next(); event != null; event = subscription.next()) {
			data.add(event.data());
		}
		return data;
	}

	@Test
	void whenStreamReconnectsThenItGetsOnlyWhatItMissed() {
		for (int n = 1; n <= 5; n++) {
			this.log.append("chunk", "c" + n, null);
		}
		EventLog.Subscription subscription = this.log.subscribe(3, () -> {
		});
		assertThat(subscription.missed()).isFalse();
		assertThat(read(subscription)).containsExactly("c4", "c5");
	}

	@Test
	void whenMissedEventsAreNoLongerBufferedThenTheStreamIsToldToReset() {
		for (int n = 1; n <= 20; n++) {
			this.log.append("chunk", "c" + n, null);
		}
		EventLog.Subscription subscription = this.log.subscribe(2, () -> {
		});
		assertThat(subscription.missed()).isTrue();
		assertThat(read(subscription)).isEmpty(); // the view then sends a reset with a full render
		this.log.append("chunk", "c21", null);
		assertThat(read(subscription)).containsExactly("c21");
	}

	@Test
	void whenStreamPresentsAnIdFromTheFutureThenItIsToldToReset() {
		this.log.append("chunk", "c1", null);
		assertThat(this.log.subscribe(99, () -> {
		}).missed()).isTrue();
	}

	@Test
	void whenKeyedEventsAreNotSentYetThenOnlyTheLatestIsSent() {
		EventLog.Subscription subscription = this.log.subscribe(0, () -> {
		});
		this.log.append("progress", "p1", "progress:job");
		this.log.append("chunk", "c1", null);
		this.log.append("progress", "p2", "progress:job");
		this.log.append("progress", "p3", "progress:job");
		assertThat(read(subscription)).containsExactly("c1", "p3");
		this.log.append("progress", "p4", "progress:job");
		assertThat(read(subscription)).containsExactly("p4");
	}

	@Test
	void whenStreamFallsBehindTheBufferThenItEndsRatherThanSkippingEvents() {
		EventLog.Subscription subscription = this.log.subscribe(0, () -> {
		});
		for (int n = 1; n <= 9; n++) {
			this.log.append("chunk", "c" + n, null);
		}
		assertThat(subscription.overrun()).isTrue();
		assertThat(subscription.ended()).isTrue();
		assertThat(read(subscription)).isEmpty();
	}

	@Test
	void whenAnotherStreamAttachesThenTheFirstEnds() {
		AtomicInteger woken = new AtomicInteger();
		EventLog.Subscription first = this.log.subscribe(0, woken::incrementAndGet);
		EventLog.Subscription second = this.log.subscribe(0, () -> {
		});
		assertThat(first.ended()).isTrue();
		assertThat(second.ended()).isFalse();
		assertThat(woken).hasValue(1);
		this.log.append("chunk", "c1", null);
		assertThat(read(first)).isEmpty();
		assertThat(read(second)).containsExactly("c1");
	}

	@Test
	void whenEventIsAppendedThenTheStreamIsWokenAndIdsIncrease() {
		AtomicInteger woken = new AtomicInteger();
		EventLog.Subscription subscription = this.log.subscribe(0, woken::incrementAndGet);
		long first = this.log.append("chunk", "c1", null);
		long second = this.log.append("chunk", "c2", null);
		assertThat(second).isEqualTo(first + 1);
		assertThat(woken).hasValue(2);
		assertThat(subscription.next().id()).isEqualTo(first);
	}

	@Test
	void whenLogClosesThenTheStreamEnds() {
		EventLog.Subscription subscription = this.log.subscribe(0, () -> {
		});
		this.log.close();
		assertThat(subscription.ended()).isTrue();
	}

	@Test
	void whenEventNameIsNotLowerCaseLettersThenItIsRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.log.append("chunk\nevent: x", "data", null))
			.withMessageContaining("lower-case letters only");
		assertThatIllegalArgumentException().isThrownBy(() -> this.log.append("", "data", null));
	}

}
