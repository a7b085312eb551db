package dev.strand.autoconfigure;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;

import dev.strand.Outcome;
import dev.strand.internal.StrandEngine;
import dev.strand.internal.StrandMetrics;
import dev.strand.internal.TabRegistry;

/**
 * Records Strand's metrics with Micrometer: the {@code strand.tasks} timer (tags {@code task},
 * {@code executor} and {@code outcome}), the {@code strand.chunks} counter (tag {@code task}) and the {@code strand.tasks.active},
 * {@code strand.tasks.lingering} and {@code strand.views.active} gauges. The {@code task} tag is bounded: the
 * pattern of the task's {@code @HandleAsync} method, or {@code assignAsync}, never a name made at run time.
 */
final class MicrometerStrandMetrics implements StrandMetrics, MeterBinder {

	private final ObjectProvider<StrandEngine> engine;

	private final ObjectProvider<TabRegistry> tabs;

	private volatile @Nullable MeterRegistry registry;

	private final Map<String, Counter> chunkCounters = new ConcurrentHashMap<>();

	private final Map<TaskTimer, Timer> taskTimers = new ConcurrentHashMap<>();

	MicrometerStrandMetrics(ObjectProvider<StrandEngine> engine, ObjectProvider<TabRegistry> tabs) {
		this.engine = engine;
		this.tabs = tabs;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		this.registry = registry;
		this.chunkCounters.clear();
		this.taskTimers.clear();
		Gauge.builder("strand.tasks.active", this.engine, (engine) -> engine.getObject().activeTasks())
			.description("Tasks running")
			.register(registry);
		Gauge.builder("strand.tasks.lingering", this.engine, (engine) -> engine.getObject().lingeringTasks())
			.description("Stopped tasks whose thread still runs because it ignores interrupts")
			.register(registry);
		Gauge.builder("strand.views.active", this.tabs, (tabs) -> tabs.getObject().size())
			.description("Open views (browser tabs)")
			.register(registry);
		Gauge.builder("strand.buffers.taken", this.engine, (engine) -> engine.getObject().buffers().taken())
			.description("Bytes the views' replay buffers and stream histories have taken from "
					+ "strand.stream.total-buffer-size")
			.baseUnit("bytes")
			.register(registry);
	}

	@Override
	public void taskEnded(String task, String executor, Outcome.Kind kind, long nanos) {
		MeterRegistry registry = this.registry;
		if (registry != null) {
			// made once per pattern, executor and outcome (a bounded set), as the chunk counters are
			TaskTimer key = new TaskTimer(task, executor, kind);
			Timer timer = this.taskTimers.get(key);
			if (timer == null) {
				timer = this.taskTimers.computeIfAbsent(key, (k) -> Timer.builder("strand.tasks")
					.description("Tasks, by @HandleAsync pattern, executor and outcome")
					.tag("task", k.task())
					.tag("executor", k.executor())
					.tag("outcome", k.kind().tag())
					.register(registry));
			}
			timer.record(nanos, TimeUnit.NANOSECONDS);
		}
	}

	@Override
	public void chunkDelivered(String task) {
		MeterRegistry registry = this.registry;
		if (registry != null) {
			// made once per pattern (a bounded set): building and registering a meter per chunk showed in the
			// profiles, and so did the lambda a computeIfAbsent per chunk allocates
			Counter counter = this.chunkCounters.get(task);
			if (counter == null) {
				counter = this.chunkCounters.computeIfAbsent(task, (name) -> Counter.builder("strand.chunks")
					.description("Chunks delivered to views")
					.tag("task", name)
					.register(registry));
			}
			counter.increment();
		}
	}

	@Override
	public void callbackFailed(String callback) {
		MeterRegistry registry = this.registry;
		if (registry != null) {
			Counter.builder("strand.callbacks.errors")
				.description("@HandleAsync and @HandleChunk callbacks that threw; their changes were discarded")
				.tag("callback", callback.substring(1))
				.register(registry)
				.increment();
		}
	}

	private record TaskTimer(String task, String executor, Outcome.Kind kind) {
	}

}
