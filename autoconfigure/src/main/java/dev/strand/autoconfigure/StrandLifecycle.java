package dev.strand.autoconfigure;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;

import org.jspecify.annotations.Nullable;
import org.springframework.context.SmartLifecycle;

import dev.strand.CancelReason;
import dev.strand.internal.StrandEngine;
import dev.strand.internal.TabRegistry;

/**
 * Runs the session reaper while the context runs, and on stop closes every view before the web server's
 * graceful shutdown begins, so that open streams end and tasks are cancelled with the {@code shutdown} reason.
 * The engine itself closes with the context, so a stopped context can start again.
 */
final class StrandLifecycle implements SmartLifecycle {

	private final StrandEngine engine;

	private final TabRegistry registry;

	private final Duration sessionCheckInterval;

	private volatile boolean running;

	private volatile @Nullable ScheduledFuture<?> reaper;

	StrandLifecycle(StrandEngine engine, TabRegistry registry, Duration sessionCheckInterval) {
		this.engine = engine;
		this.registry = registry;
		this.sessionCheckInterval = sessionCheckInterval;
	}

	@Override
	public void start() {
		this.reaper = this.engine.scheduleWithFixedDelay(this.registry::reap, this.sessionCheckInterval);
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
		ScheduledFuture<?> reaper = this.reaper;
		if (reaper != null) {
			reaper.cancel(false);
		}
		this.registry.closeAll(CancelReason.SHUTDOWN);
		this.engine.awaitQuiet(() -> this.registry.size() == 0);
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return SmartLifecycle.DEFAULT_PHASE;
	}

}
