package dev.strand.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The wheel of timeouts runs each timeout once, never before it is due and soon after, not at all once
 * cancelled; and it turns only while it holds some.
 */
class TimeoutsTests {

	private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);

	{
		this.timer.setRemoveOnCancelPolicy(true);
	}

	@AfterEach
	void stop() {
		this.timer.shutdownNow();
	}

	@Test
	void whenTimeoutsAreDueThenEachRunsOnceNotBeforeItsTimeAndSoonAfter() throws InterruptedException {
		// a small wheel, so that the longer delays are passed over for several turns first
		Timeouts timeouts = new Timeouts(this.timer, Duration.ofMillis(2), 8);
		Map<Integer, Long> ranAfter = new ConcurrentHashMap<>();
		AtomicInteger runs = new AtomicInteger();
		int[] delays = { 0, 1, 3, 5, 16, 17, 40, 90, 150 };
		CountDownLatch all = new CountDownLatch(delays.length);
		for (int delay : delays) {
			long scheduled = System.nanoTime();
			timeouts.schedule(() -> {
				ranAfter.put(delay, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - scheduled));
				runs.incrementAndGet();
				all.countDown();
			}, Duration.ofMillis(delay));
		}
		assertThat(all.await(10, TimeUnit.SECONDS)).isTrue();
		for (int delay : delays) {
			assertThat(ranAfter.get(delay)).as("ran after its %d ms", delay).isGreaterThanOrEqualTo(delay)
				.isLessThan(delay + 2_000);
		}
		Thread.sleep(50);
		assertThat(runs).hasValue(delays.length);
		assertThat(timeouts.size()).isZero();
	}

	@Test
	void whenATimeoutIsCancelledThenItNeverRunsAndOnlyTheFirstCancelCounts() throws InterruptedException {
		Timeouts timeouts = new Timeouts(this.timer, Duration.ofMillis(1), 16);
		AtomicInteger cancelledRuns = new AtomicInteger();
		CountDownLatch kept = new CountDownLatch(1);
		Timeouts.Timeout cancelled = timeouts.schedule(cancelledRuns::incrementAndGet, Duration.ofMillis(20));
		timeouts.schedule(kept::countDown, Duration.ofMillis(40));
		assertThat(cancelled.cancel()).isTrue();
		assertThat(cancelled.cancel()).isFalse();
		assertThat(timeouts.size()).isOne();
		assertThat(kept.await(10, TimeUnit.SECONDS)).isTrue();
		assertThat(cancelledRuns).hasValue(0);
	}

	@Test
	void whenATimeoutHasRunThenCancellingItDoesNothing() {
		Timeouts timeouts = new Timeouts(this.timer, Duration.ofMillis(1), 16);
		AtomicInteger runs = new AtomicInteger();
		Timeouts.Timeout timeout = timeouts.schedule(runs::incrementAndGet, Duration.ofMillis(1));
		await().atMost(Duration.ofSeconds(10)).until(() -> runs.get() == 1);
		assertThat(timeout.cancel()).isFalse();
		assertThat(timeouts.size()).isZero();
	}

	@Test
	void whenTheWheelHoldsNoTimeoutsThenItDoesNotTurnAndTurnsAgainForTheNext() throws InterruptedException {
		Timeouts timeouts = new Timeouts(this.timer, Duration.ofMillis(1), 16);
		assertThat(this.timer.getQueue()).isEmpty();
		Timeouts.Timeout timeout = timeouts.schedule(() -> { }, Duration.ofHours(1));
		assertThat(this.timer.getQueue()).hasSize(1).allMatch(timeouts::isTurning);
		timeout.cancel();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.timer.getQueue().isEmpty());
		CountDownLatch ran = new CountDownLatch(1);
		timeouts.schedule(ran::countDown, Duration.ofMillis(5));
		assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.timer.getQueue().isEmpty());
	}

	@Test
	void whenATimeoutsActionThrowsThenTheOthersDueWithItStillRun() throws InterruptedException {
		Timeouts timeouts = new Timeouts(this.timer, Duration.ofMillis(1), 16);
		CountDownLatch others = new CountDownLatch(2);
		timeouts.schedule(others::countDown, Duration.ofMillis(5));
		timeouts.schedule(() -> {
			throw new IllegalStateException("a failing timeout");
		}, Duration.ofMillis(5));
		timeouts.schedule(others::countDown, Duration.ofMillis(5));
		assertThat(others.await(10, TimeUnit.SECONDS)).isTrue();
		timeouts.schedule(others::countDown, Duration.ofMillis(1)); // and the wheel still turns
		await().atMost(Duration.ofSeconds(10)).until(() -> timeouts.size() == 0);
	}

	@Test
	void whenADelayIsTooLongForNanosecondsThenItIsKeptUntilCancelled() {
		Timeouts timeouts = new Timeouts(this.timer, Duration.ofMillis(1), 16);
		Timeouts.Timeout forever = timeouts.schedule(() -> { }, Duration.ofDays(365L * 1_000));
		assertThat(timeouts.size()).isOne();
		assertThat(forever.cancel()).isTrue();
	}

	@Test
	void whenManyThreadsScheduleAndCancelAtOnceThenExactlyTheTimeoutsNotCancelledRun() throws InterruptedException {
		Timeouts timeouts = new Timeouts(this.timer, Duration.ofMillis(1), 32);
		AtomicInteger ran = new AtomicInteger();
		AtomicInteger kept = new AtomicInteger();
		List<Thread> threads = new ArrayList<>();
		for (int t = 0; t < 4; t++) {
			Random random = new Random(t);
			threads.add(Thread.ofPlatform().start(() -> {
				for (int i = 0; i < 2_000; i++) {
					Timeouts.Timeout timeout = timeouts.schedule(ran::incrementAndGet, Duration.ofMillis(random.nextInt(30)));
					if (random.nextBoolean() && timeout.cancel()) {
						continue;
					}
					kept.incrementAndGet();
				}
			}));
		}
		for (Thread thread : threads) {
			thread.join();
		}
		await().atMost(Duration.ofSeconds(20)).until(() -> timeouts.size() == 0);
		assertThat(ran).hasValue(kept.get());
		await().atMost(Duration.ofSeconds(10)).until(() -> this.timer.getQueue().isEmpty());
	}

}
