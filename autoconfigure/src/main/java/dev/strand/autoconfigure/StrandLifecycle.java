package dev.strand.autoconfigure;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.context.SmartLifecycle;

import dev.strand.CancelReason;
import dev.strand.internal.StrandEngine;
import dev.strand.internal.TabRegistry;

/**
 * Runs the session reaper while the context runs. On stop, before the web server's graceful shutdown begins,
 * it gives running tasks {@code strand.tasks.shutdown-grace} to finish, then closes every view: open streams
 * get a {@code close} event (reason {@code shutdown}), on which their pages remount elsewhere, and tasks still
 * running are cancelled with the {@code shutdown} reason.
 * The engine itself closes with the context, so a stopped context can start again.
 */
final class StrandLifecycle implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(StrandLifecycle.class);

	/** How long cancelled tasks and closing tabs get to end, once the grace has passed. */
	private static final Duration STOPPING = Duration.ofSeconds(2);

	private final StrandEngine engine;

	private final TabRegistry registry;

	private final Duration sessionCheckInterval;

	private volatile boolean running;

	private final java.util.concurrent.atomic.AtomicBoolean reaping = new java.util.concurrent.atomic.AtomicBoolean();

	private volatile @Nullable ScheduledFuture<?> reaper;

	StrandLifecycle(StrandEngine engine, TabRegistry registry, Duration sessionCheckInterval) {
		this.engine = engine;
		this.registry = registry;
		this.sessionCheckInterval = sessionCheckInterval;
	}

	@Override
	public void start() {
		// on a virtual thread: asking a shared session store blocks, and the engine's timer must not
		this.reaper = this.engine.scheduleWithFixedDelay(this::reapOnce, this.sessionCheckInterval);
		this.running = true;
	}

	private void reapOnce() {
		if (this.reaping.compareAndSet(false, true)) {
			Thread.ofVirtual().name("strand-reaper").start(() -> {
				try {
					this.registry.reap();
				}
				catch (RuntimeException ex) {
					logger.error("Strand's session reaper failed; it runs again in " + this.sessionCheckInterval, ex);
				}
				finally {
					this.reaping.set(false);
				}
			});
		}
	}

	@Override
	public void stop() {
		this.running = false;
		ScheduledFuture<?> reaper = this.reaper;
		if (reaper != null) {
			reaper.cancel(false);
		}
		// Running tasks get the shutdown grace to finish; then every tab closes, and its browser remounts elsewhere.
		Duration grace = this.engine.settings().shutdownGrace();
		this.engine.await(() -> this.engine.runningBodies() == 0, grace);
		this.registry.closeAll(CancelReason.SHUTDOWN);
		Duration cancelled = (grace.compareTo(STOPPING) < 0) ? grace : STOPPING;
		if (!this.engine.await(() -> this.engine.runningBodies() == 0 && this.registry.size() == 0, cancelled)) {
			logger.warn(this.engine.runningBodies() + " Strand task(s) still run after they were cancelled at shutdown; "
					+ "they ignore interrupts");
		}
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
