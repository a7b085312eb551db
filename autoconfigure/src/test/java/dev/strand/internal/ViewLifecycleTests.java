package dev.strand.internal;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.strand.CancelReason;
import dev.strand.Outcome;
import dev.strand.StrandLimitException;

import static dev.strand.internal.EngineTestSupport.connect;
import static dev.strand.internal.EngineTestSupport.drainMailbox;
import static dev.strand.internal.EngineTestSupport.eventually;
import static dev.strand.internal.EngineTestSupport.inTurn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tasks are linked to their view: they end with it, whether the tab goes away, the session ends or the
 * application shuts down; and the limits that protect the server.
 */
class ViewLifecycleTests {

	private final EngineTestSupport.RecordingCallbacks callbacks = new EngineTestSupport.RecordingCallbacks();

	private StrandEngine engine = StrandEngine.withDefaults();

	private MemoryTabRegistry registry = new MemoryTabRegistry(this.engine);

	@AfterEach
	void closeEngine() {
		EngineTestSupport.shutDown(this.engine, this.registry);
	}

	private void useEngine(EngineSettings settings) {
		EngineTestSupport.shutDown(this.engine, this.registry);
		this.engine = EngineTestSupport.engine(settings, StrandMetrics.NONE);
		this.registry = new MemoryTabRegistry(this.engine);
	}

	private static EngineSettings timeouts(Duration connectTimeout, Duration disconnectGrace) {
		return EngineSettings.builder().connectTimeout(connectTimeout).disconnectGrace(disconnectGrace).build();
	}

	private TabActor viewWithBlockingTask(String sessionKey, SessionHandle session, StartAsyncTests.Blocking body) {
		TabActor view = this.registry.openLocal(sessionKey, session, this.callbacks);
		connect(view);
		inTurn(view, () -> view.view().startAsync("job-" + view.id(), body));
		body.awaitStarted();
		return view;
	}

	@Test
	void whenSessionIsClosedThenItsViewsCloseAndTheirTasksEndWithSessionEnded() {
		StartAsyncTests.Blocking first = new StartAsyncTests.Blocking();
		StartAsyncTests.Blocking second = new StartAsyncTests.Blocking();
		StartAsyncTests.Blocking other = new StartAsyncTests.Blocking();
		TabActor a = viewWithBlockingTask("alice", SessionHandle.DETACHED, first);
		TabActor b = viewWithBlockingTask("alice", SessionHandle.DETACHED, second);
		TabActor c = viewWithBlockingTask("bob", SessionHandle.DETACHED, other);
		this.registry.closeSession("alice");
		Outcome<?> sessionEnded = new Outcome.Cancelled<>(CancelReason.SESSION_ENDED);
		assertThat(this.callbacks.awaitOutcome("job-" + a.id())).isEqualTo(sessionEnded);
		assertThat(this.callbacks.awaitOutcome("job-" + b.id())).isEqualTo(sessionEnded);
		assertThat(EngineTestSupport.join(first.interrupted)).isTrue();
		assertThat(EngineTestSupport.join(second.interrupted)).isTrue();
		drainMailbox(c);
		assertThat(c.isClosed()).isFalse();
		assertThat(this.callbacks.outcomes("job-" + c.id())).isEmpty();
		assertThat(this.registry.size()).isEqualTo(1);
		assertThat(this.registry.sessionCount()).isEqualTo(1);
	}

	@Test
	void whenSessionExpiresThenTheReaperClosesItsViewsWithSessionEnded() {
		AtomicBoolean expired = new AtomicBoolean();
		TestSession session = new TestSession(expired);
		StartAsyncTests.Blocking body = new StartAsyncTests.Blocking();
		TabActor view = viewWithBlockingTask("alice", session, body);
		this.registry.reap();
		drainMailbox(view);
		assertThat(view.isClosed()).isFalse();
		assertThat(session.touches).hasValue(1); // a connected tab keeps its session alive
		expired.set(true);
		this.registry.reap();
		assertThat(this.callbacks.awaitOutcome("job-" + view.id()))
			.isEqualTo(new Outcome.Cancelled<>(CancelReason.SESSION_ENDED));
		eventually().until(() -> this.registry.size() == 0 && this.registry.sessionCount() == 0);
	}

	@Test
	void whenEngineShutsDownThenTasksEndWithShutdownAndNoBodyIsLeftRunning() {
		StartAsyncTests.Blocking body = new StartAsyncTests.Blocking();
		TabActor view = viewWithBlockingTask("alice", SessionHandle.DETACHED, body);
		EngineTestSupport.shutDown(this.engine, this.registry);
		assertThat(this.engine.runningBodies()).isZero();
		assertThat(this.registry.size()).isZero();
		assertThat(this.callbacks.awaitOutcome("job-" + view.id())).isEqualTo(new Outcome.Cancelled<>(CancelReason.SHUTDOWN));
		assertThat(this.engine.activeTasks()).isZero();
	}

	@Test
	void whenViewNeverConnectsThenItIsDroppedAndItsWaitingTasksAreCancelled() {
		useEngine(timeouts(Duration.ofMillis(50), Duration.ofSeconds(15)));
		TabActor view = this.registry.openLocal("alice", SessionHandle.DETACHED, this.callbacks);
		inTurn(view, () -> view.view().startAsync("job", (task) -> "never runs"));
		assertThat(this.callbacks.awaitOutcome("job")).isEqualTo(new Outcome.Cancelled<>(CancelReason.VIEW_CLOSED));
		assertThat(view.isClosed()).isTrue();
		assertThat(this.registry.size()).isZero();
	}

	@Test
	void whenStreamEndsAndDoesNotComeBackThenTheViewClosesAfterTheGracePeriod() {
		useEngine(timeouts(Duration.ofSeconds(30), Duration.ofMillis(50)));
		TabActor view = this.registry.openLocal("alice", SessionHandle.DETACHED, this.callbacks);
		EngineTestSupport.Stream stream = connect(view);
		StartAsyncTests.Blocking body = new StartAsyncTests.Blocking();
		inTurn(view, () -> view.view().startAsync("job", body));
		view.disconnect(stream.subscription.get());
		assertThat(this.callbacks.awaitOutcome("job")).isEqualTo(new Outcome.Cancelled<>(CancelReason.VIEW_CLOSED));
		assertThat(view.isClosed()).isTrue();
		assertThat(EngineTestSupport.join(body.interrupted)).isTrue();
	}

	@Test
	void whenStreamComesBackWithinTheGracePeriodThenTheViewAndItsTasksLiveOn() {
		Duration grace = Duration.ofMillis(50);
		useEngine(timeouts(Duration.ofSeconds(30), grace));
		TabActor view = this.registry.openLocal("alice", SessionHandle.DETACHED, this.callbacks);
		EngineTestSupport.Stream stream = connect(view);
		StartAsyncTests.Blocking body = new StartAsyncTests.Blocking();
		inTurn(view, () -> view.view().startAsync("job", body));
		// queued back to back: the reconnect's turn runs before the grace timer can queue the close check
		view.disconnect(stream.subscription.get());
		EngineTestSupport.Stream again = new EngineTestSupport.Stream();
		CompletableFuture<Void> attached = new CompletableFuture<>();
		view.connect(view.lastEventId(), again, (subscription) -> {
			again.subscription.set(subscription);
			attached.complete(null);
		});
		EngineTestSupport.join(attached);
		// the grace timer was set before this marker, with the same delay, on the same timer thread: the marker's
		// turn runs after whatever that timer did
		CompletableFuture<Boolean> closedAfterGrace = new CompletableFuture<>();
		this.engine.schedule(() -> view.execute(() -> closedAfterGrace.complete(view.isClosed())), grace);
		assertThat(EngineTestSupport.join(closedAfterGrace)).isFalse();
		assertThat(view.isConnected()).isTrue();
		assertThat(inTurn(view, () -> view.view().isRunning("job"))).isTrue();
		assertThat(this.callbacks.outcomes("job")).isEmpty();
	}

	@Test
	void whenTheGraceTimeoutIsTriggeredAfterTheStreamEndedThenTheViewClosesAtOnceAndLeavesNoTimer() {
		useEngine(timeouts(Duration.ofSeconds(30), Duration.ofMinutes(10)));
		TabActor view = this.registry.openLocal("alice", SessionHandle.DETACHED, this.callbacks);
		EngineTestSupport.Stream stream = connect(view);
		StartAsyncTests.Blocking body = new StartAsyncTests.Blocking();
		inTurn(view, () -> view.view().startAsync("job", body));
		body.awaitStarted();
		int timers = this.engine.pendingTimers();
		view.disconnect(stream.subscription.get());
		assertThat(EngineTestSupport.join(view.timeoutNow())).isTrue();
		assertThat(this.callbacks.awaitOutcome("job")).isEqualTo(new Outcome.Cancelled<>(CancelReason.VIEW_CLOSED));
		assertThat(EngineTestSupport.join(body.interrupted)).isTrue();
		assertThat(this.registry.size()).isZero();
		assertThat(this.engine.pendingTimers()).as("the ten-minute grace timer, cancelled").isLessThan(timers + 1);
	}

	@Test
	void whenTheTimeoutIsTriggeredBeforeTheViewEverConnectedThenItIsDroppedAsByTheConnectTimeout() {
		TabActor view = this.registry.openLocal("alice", SessionHandle.DETACHED, this.callbacks);
		inTurn(view, () -> view.view().startAsync("job", (task) -> "never runs"));
		assertThat(EngineTestSupport.join(view.timeoutNow())).isTrue();
		assertThat(this.callbacks.awaitOutcome("job")).isEqualTo(new Outcome.Cancelled<>(CancelReason.VIEW_CLOSED));
		assertThat(this.registry.findLocal("alice", null, view.id())).isEqualTo(TabRegistry.Lookup.gone("view-closed"));
	}

	@Test
	void whenTheTimeoutIsTriggeredWhileTheStreamIsAttachedThenTheViewLivesOn() {
		TabActor view = this.registry.openLocal("alice", SessionHandle.DETACHED, this.callbacks);
		connect(view);
		StartAsyncTests.Blocking body = new StartAsyncTests.Blocking();
		inTurn(view, () -> view.view().startAsync("job", body));
		assertThat(EngineTestSupport.join(view.timeoutNow())).isFalse();
		assertThat(inTurn(view, () -> view.view().isRunning("job"))).isTrue();
		assertThat(this.callbacks.outcomes("job")).isEmpty();
	}

	@Test
	void whenATabIsSnapshotThenItsAssignsFlashesAndTasksAreReadWithoutChangingAnything() {
		TabActor view = this.registry.openLocal("alice", SessionHandle.DETACHED, this.callbacks);
		StartAsyncTests.Blocking body = new StartAsyncTests.Blocking();
		inTurn(view, () -> view.view().assign("title", "Import").assign("missing", null).flash("info", "Hello")
			.startAsync("job", body).assignAsync(java.util.Set.of("profile", "rank"), () -> java.util.Map.of()));
		TabSnapshot waiting = EngineTestSupport.join(view.snapshot());
		assertThat(waiting.id()).isEqualTo(view.id());
		assertThat(waiting.connected()).isFalse();
		assertThat(waiting.closed()).isFalse();
		assertThat(waiting.assigns()).containsEntry("title", "Import").containsEntry("missing", null).containsKeys("profile", "rank");
		assertThat(waiting.flashes()).containsExactly(java.util.Map.entry("info", "Hello"));
		assertThat(waiting.tasks()).extracting(TabSnapshot.Task::name, TabSnapshot.Task::state).containsExactly(
				org.assertj.core.groups.Tuple.tuple("job", TabSnapshot.State.WAITING),
				org.assertj.core.groups.Tuple.tuple("profile,rank", TabSnapshot.State.WAITING));
		assertThat(waiting.tasks().get(1).matches("rank")).isTrue();
		long lastEventId = view.lastEventId();
		EngineTestSupport.Stream stream = connect(view);
		body.awaitStarted();
		TabSnapshot running = EngineTestSupport.join(view.snapshot());
		assertThat(running.connected()).isTrue();
		assertThat(running.tasks()).filteredOn((task) -> task.name().equals("job")).extracting(TabSnapshot.Task::state)
			.containsExactly(TabSnapshot.State.RUNNING);
		// the assignAsync task may end meanwhile and log its events: the snapshot is no later than now
		assertThat(running.lastEventId()).isGreaterThanOrEqualTo(lastEventId).isLessThanOrEqualTo(view.lastEventId());
		inTurn(view, () -> view.view().cancelAsync("job"));
		this.callbacks.awaitOutcome("job");
		eventually().until(() -> EngineTestSupport.join(view.snapshot()).tasks().isEmpty()); // profile,rank fails: keys missing
		drainMailbox(view);
		long quiet = view.lastEventId();
		EngineTestSupport.join(view.snapshot());
		TabSnapshot settled = EngineTestSupport.join(view.snapshot());
		drainMailbox(view);
		assertThat(view.lastEventId()).as("events appended because of a snapshot").isEqualTo(quiet);
		assertThat(settled.lastEventId()).isEqualTo(quiet);
		assertThat(settled.tasks()).isEmpty();
		assertThat(stream.events).isNotEmpty();
		view.close(CancelReason.VIEW_CLOSED);
		eventually().until(view::isClosed);
		TabSnapshot closed = EngineTestSupport.join(view.snapshot());
		assertThat(closed.closed()).isTrue();
		assertThat(closed.tasks()).isEmpty();
	}

	@Test
	void whenViewRunsAsManyTasksAsItMayThenAnotherStartFailsWithALimitError() {
		useEngine(EngineTestSupport.limits(32, 2, 10_000));
		TabActor view = this.registry.openLocal("alice", SessionHandle.DETACHED, this.callbacks);
		inTurn(view, () -> view.view().startAsync("a", new StartAsyncTests.Blocking()).startAsync("b", new StartAsyncTests.Blocking()));
		assertThatExceptionOfType(StrandLimitException.class)
			.isThrownBy(() -> inTurn(view, () -> view.view().startAsync("c", (task) -> 1)))
			.withMessageContaining("strand.limits.tasks-per-view")
			.withMessageContaining("'c'")
			.satisfies((ex) -> assertThat(ex).isNotInstanceOf(org.springframework.web.server.ResponseStatusException.class));
		// replacing a task does not need another slot
		inTurn(view, () -> view.view().startAsync("a", (task) -> "replaced"));
		assertThat(inTurn(view, () -> view.taskCount())).isEqualTo(2);
	}

	@Test
	void whenTheApplicationRunsAsManyTasksAsItMayThenAnotherStartIsRefusedWith429() {
		useEngine(EngineTestSupport.limits(32, 64, 1));
		TabActor first = this.registry.openLocal("alice", SessionHandle.DETACHED, this.callbacks);
		TabActor second = this.registry.openLocal("bob", SessionHandle.DETACHED, this.callbacks);
		connect(first);
		connect(second);
		StartAsyncTests.Blocking body = new StartAsyncTests.Blocking();
		inTurn(first, () -> first.view().startAsync("running", body));
		body.awaitStarted();
		assertThatExceptionOfType(StrandLimitException.class)
			.isThrownBy(() -> inTurn(second, () -> second.view().startAsync("refused", (task) -> 1)))
			.withMessageContaining("strand.limits.tasks ")
			.satisfies((ex) -> assertThat(ex).isNotInstanceOf(org.springframework.web.server.ResponseStatusException.class));
		assertThat(this.engine.activeTasks()).isEqualTo(1);
		inTurn(first, () -> first.view().cancelAsync("running"));
		this.callbacks.awaitOutcome("running");
		inTurn(second, () -> second.view().startAsync("accepted", (task) -> 2));
		assertThat(this.callbacks.awaitOutcome("accepted")).isEqualTo(new Outcome.Ok<>(2));
	}

	@Test
	void whenTasksWaitingForTheStreamPassTheApplicationLimitThenTheExtraOneExitsWithALimitError() {
		useEngine(EngineTestSupport.limits(32, 64, 1));
		TabActor first = this.registry.openLocal("alice", SessionHandle.DETACHED, this.callbacks);
		TabActor second = this.registry.openLocal("bob", SessionHandle.DETACHED, this.callbacks);
		connect(first);
		StartAsyncTests.Blocking body = new StartAsyncTests.Blocking();
		inTurn(first, () -> first.view().startAsync("running", body));
		body.awaitStarted();
		inTurn(second, () -> second.view().startAsync("waiting", (task) -> 1));
		connect(second);
		assertThat(this.callbacks.awaitOutcome("waiting")).isInstanceOfSatisfying(Outcome.Exit.class,
				(exit) -> assertThat(exit.error()).isInstanceOf(StrandLimitException.class)
					.hasMessageContaining("strand.limits.tasks"));
		inTurn(first, () -> first.view().cancelAsync("running"));
		this.callbacks.awaitOutcome("running");
	}

	@Test
	void whenSessionHoldsAsManyViewsAsItMayThenAnotherFailsWithALimitError() {
		useEngine(EngineTestSupport.limits(2, 64, 10_000));
		this.registry.openLocal("alice", SessionHandle.DETACHED, this.callbacks);
		TabActor second = this.registry.openLocal("alice", SessionHandle.DETACHED, this.callbacks);
		assertThatExceptionOfType(StrandLimitException.class)
			.isThrownBy(() -> this.registry.openLocal("alice", SessionHandle.DETACHED, this.callbacks))
			.withMessageContaining("strand.limits.views-per-session");
		assertThat(this.registry.size()).isEqualTo(2);
		this.registry.openLocal("bob", SessionHandle.DETACHED, this.callbacks);
		second.close(CancelReason.VIEW_CLOSED);
		eventually().until(second::isClosed);
		this.registry.openLocal("alice", SessionHandle.DETACHED, this.callbacks);
		assertThat(this.registry.size()).isEqualTo(3);
	}

	@Test
	void whenTheSessionLimitRefusesAViewThenNoEventLogIsMadeForIt() {
		// the shared mode's registry keeps every log it makes until its tab closes: one made for a refused view
		// would stay in its map for good
		useEngine(EngineTestSupport.limits(1, 64, 10_000));
		List<String> logsMade = new CopyOnWriteArrayList<>();
		MemoryEventLog.Limits limits = this.engine.logLimits();
		this.registry = new MemoryTabRegistry(this.engine, (id) -> {
			logsMade.add(id);
			return new MemoryEventLog(limits, this.engine.json());
		}, MemoryTabRegistry.Listener.NONE);
		TabActor first = this.registry.openLocal("alice", SessionHandle.DETACHED, this.callbacks);
		assertThatExceptionOfType(StrandLimitException.class)
			.isThrownBy(() -> this.registry.openLocal("alice", SessionHandle.DETACHED, this.callbacks));
		assertThat(logsMade).containsExactly(first.id());
	}

	@Test
	void whenAnotherSessionPresentsAViewIdThenItIsNotFound() {
		TabActor view = this.registry.openLocal("alice", SessionHandle.DETACHED, this.callbacks);
		assertThat(this.registry.findLocal("alice", null, view.id()).tab()).isSameAs(view);
		assertThat(this.registry.findLocal("mallory", null, view.id()))
			.isEqualTo(TabRegistry.Lookup.notFound());
		assertThat(this.registry.findLocal("mallory", null, "never-opened"))
			.isEqualTo(TabRegistry.Lookup.notFound());
		view.close(CancelReason.VIEW_CLOSED);
		eventually().until(view::isClosed);
		assertThat(this.registry.findLocal("alice", null, view.id())).isEqualTo(TabRegistry.Lookup.gone("view-closed"));
		assertThat(this.registry.findLocal("mallory", null, view.id()).status()).isEqualTo(TabRegistry.Lookup.Status.NOT_FOUND);
		assertThat(this.registry.findLocal(null, null, view.id()).tab()).isNull();
		assertThat(view.id()).hasSizeGreaterThanOrEqualTo(22); // 128 random bits, base64url
	}

	private static final class TestSession implements SessionHandle {

		private final AtomicBoolean expired;

		final AtomicInteger touches = new AtomicInteger();

		TestSession(AtomicBoolean expired) {
			this.expired = expired;
		}

		@Override
		public boolean isExpired() {
			return this.expired.get();
		}

		@Override
		public void touch() {
			this.touches.incrementAndGet();
		}

	}

	@Test
	void whenATabClosesBeforeItsStreamAttachesThenTheStreamStillGetsTheCloseEventAndEnds() {
		TabActor tab = this.registry.openLocal("alice", SessionHandle.DETACHED, this.callbacks);
		tab.close(CancelReason.SHUTDOWN); // handled before the connect that a stream let in just before sends
		EngineTestSupport.Stream stream = connect(tab);
		eventually().until(() -> !stream.ofType("close").isEmpty());
		assertThat(stream.ofType("close")).extracting(EventLog.Entry::data).containsExactly("{\"reason\":\"shutdown\"}");
		assertThat(stream.subscription.get().ended()).isTrue();
	}

	@Test
	void whenAStreamThatMissedEventsAttachesToAClosedTabThenItStillGetsTheCloseEvent() {
		TabActor tab = this.registry.openLocal("alice", SessionHandle.DETACHED, this.callbacks);
		tab.close(CancelReason.SHUTDOWN);
		CompletableFuture<EventLog.Subscription> subscribed = new CompletableFuture<>();
		tab.connect(1_000, () -> {
		}, subscribed::complete);
		EventLog.Subscription subscription = EngineTestSupport.join(subscribed);
		EventLog.Entry last = subscription.next();
		assertThat(last).isNotNull();
		assertThat(last.name()).isEqualTo("close");
		assertThat(subscription.next()).isNull();
		assertThat(subscription.ended()).isTrue();
	}

}
