package dev.strand.internal;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import io.micrometer.observation.ObservationRegistry;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

import dev.strand.Outcome;
import dev.strand.View;
import tools.jackson.databind.json.JsonMapper;

/** Drives the engine without a web server: views, turns, a stream, recorded callbacks. */
final class EngineTestSupport {

	static final Duration WAIT = Duration.ofSeconds(10);

	private EngineTestSupport() {
	}

	/**
	 * Return an engine with the given settings, a virtual thread per task, and the given metrics.
	 */
	static StrandEngine engine(EngineSettings settings, StrandMetrics metrics) {
		return engine(settings, Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("test-task-", 0).factory()),
				metrics);
	}

	static StrandEngine engine(EngineSettings settings, Executor executor, StrandMetrics metrics) {
		return new StrandEngine(settings, executor, ObservationRegistry.NOOP, metrics, JsonMapper.builder().build());
	}

	/** Executors with a default and some named ones, as an application context's beans would be. */
	static TaskExecutors executors(Executor defaults, Map<String, Executor> beans) {
		TaskExecutors.Named defaultExecutor = new TaskExecutors.Named(TaskExecutors.DEFAULT_NAME, defaults);
		return new TaskExecutors() {

			@Override
			public Named defaultExecutor() {
				return defaultExecutor;
			}

			@Override
			public Named named(String name) {
				Executor executor = beans.get(name);
				if (executor == null) {
					throw new IllegalArgumentException("No executor named '" + name + "'");
				}
				return new Named(name, executor);
			}

			@Override
			public Named nameOf(Executor executor) {
				return beans.entrySet()
					.stream()
					.filter((bean) -> bean.getValue() == executor)
					.findFirst()
					.map((bean) -> new Named(bean.getKey(), executor))
					.orElseGet(() -> (executor == defaults) ? defaultExecutor : new Named(OTHER, executor));
			}

		};
	}

	/** Default settings with another limit on tasks per view, tasks in all and views per session. */
	static EngineSettings limits(int viewsPerSession, int tasksPerView, int tasks) {
		return EngineSettings.builder().viewsPerSession(viewsPerSession).tasksPerView(tasksPerView).tasks(tasks).build();
	}

	/** Close every tab as the application's shutdown does, then the engine. */
	static void shutDown(StrandEngine engine, TabRegistry registry) {
		registry.closeAll(dev.strand.CancelReason.SHUTDOWN);
		engine.await(() -> registry.size() == 0 && engine.runningBodies() == 0, engine.settings().shutdownGrace());
		engine.close();
	}

	/** Awaitility without its default 100 ms poll delay, so that tests stay fast. */
	static ConditionFactory eventually() {
		return Awaitility.await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2));
	}

	/** Run an action as a turn of the tab's mailbox and return what it returns (or throw what it throws). */
	static <T> T inTurn(TabActor tab, Supplier<T> action) {
		CompletableFuture<T> result = new CompletableFuture<>();
		tab.execute(() -> {
			try {
				result.complete(action.get());
			}
			catch (Throwable ex) {
				result.completeExceptionally(ex);
			}
		});
		return join(result);
	}

	/** Run an action as a turn of the tab's mailbox and wait for it. */
	static void inTurn(TabActor tab, Runnable action) {
		inTurn(tab, () -> {
			action.run();
			return null;
		});
	}

	/** Wait until every message queued on the tab's mailbox so far has been handled. */
	static void drainMailbox(TabActor tab) {
		inTurn(tab, () -> {
		});
	}

	static <T> T join(CompletableFuture<T> future) {
		try {
			return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof RuntimeException runtime) {
				throw runtime;
			}
			if (ex.getCause() instanceof Error error) {
				throw error;
			}
			throw new IllegalStateException(ex.getCause());
		}
		catch (InterruptedException | TimeoutException ex) {
			throw new IllegalStateException("Gave up waiting after " + WAIT, ex);
		}
	}

	/** Connect a stream to the tab and wait until it is attached; it reads every event as it comes. */
	static Stream connect(TabActor tab) {
		Stream stream = new Stream();
		CompletableFuture<Void> attached = new CompletableFuture<>();
		tab.connect(0, stream, (subscription) -> {
			stream.subscription.set(subscription);
			stream.run();
			attached.complete(null);
		});
		join(attached);
		return stream;
	}

	/** A stream that reads every event as soon as it is told there is one, like the SSE endpoint. */
	static final class Stream implements Runnable {

		final AtomicReference<EventLog.Subscription> subscription = new AtomicReference<>();

		final List<EventLog.Entry> events = new CopyOnWriteArrayList<>();

		@Override
		public synchronized void run() {
			EventLog.Subscription current = this.subscription.get();
			if (current == null) {
				return;
			}
			for (EventLog.Entry event = current.next(); event != null; event = current.next()) {
				this.events.add(event);
			}
		}

		List<EventLog.Entry> ofType(String type) {
			return this.events.stream().filter((event) -> event.name().equals(type)).toList();
		}

	}

	/** Callbacks that record every outcome and chunk, by task name. */
	static class RecordingCallbacks implements Callbacks {

		final Map<String, List<Outcome<?>>> outcomes = new ConcurrentHashMap<>();

		final Map<String, List<Object>> chunks = new ConcurrentHashMap<>();

		private final Set<String> unhandled;

		private boolean chunksHandled = true;

		RecordingCallbacks(String... unhandled) {
			this.unhandled = Set.of(unhandled);
		}

		/** No {@code @HandleChunk} for any task: chunks go straight to the stream. */
		RecordingCallbacks withoutChunkCallbacks() {
			this.chunksHandled = false;
			return this;
		}

		@Override
		public boolean handlesAsync(String task) {
			return !this.unhandled.contains(task);
		}

		@Override
		public void onOutcome(String task, Outcome<?> outcome, View view) {
			this.outcomes.computeIfAbsent(task, (key) -> new CopyOnWriteArrayList<>()).add(outcome);
		}

		@Override
		public boolean handlesChunk(String task) {
			return this.chunksHandled;
		}

		@Override
		public void onChunk(String task, Object chunk, View view) {
			this.chunks.computeIfAbsent(task, (key) -> new CopyOnWriteArrayList<>()).add(chunk);
		}

		@Override
		public String describe() {
			return "RecordingCallbacks";
		}

		List<Outcome<?>> outcomes(String task) {
			return this.outcomes.getOrDefault(task, List.of());
		}

		/** Wait for the task's first outcome and return it. */
		Outcome<?> awaitOutcome(String task) {
			eventually().until(() -> !outcomes(task).isEmpty());
			return outcomes(task).get(0);
		}

	}

	/** Metrics that record every task's end, by name. */
	static final class RecordingMetrics implements StrandMetrics {

		final Map<String, List<Outcome.Kind>> ended = new ConcurrentHashMap<>();

		/** The executor each task ran on, by task. */
		final Map<String, List<String>> executors = new ConcurrentHashMap<>();

		final List<String> failedCallbacks = new CopyOnWriteArrayList<>();

		@Override
		public void callbackFailed(String callback) {
			this.failedCallbacks.add(callback);
		}

		@Override
		public void taskEnded(String task, String executor, Outcome.Kind kind, long nanos) {
			this.executors.computeIfAbsent(task, (key) -> new CopyOnWriteArrayList<>()).add(executor);
			this.ended.computeIfAbsent(task, (key) -> new CopyOnWriteArrayList<>()).add(kind);
		}

		int total() {
			return this.ended.values().stream().mapToInt(List::size).sum();
		}

	}

}
