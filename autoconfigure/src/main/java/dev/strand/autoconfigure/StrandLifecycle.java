package dev.strand.autoconfigure;

import java.time.Duration;

import org.springframework.context.SmartLifecycle;

import dev.strand.internal.StrandEngine;

/**
 * Starts the session reaper, and on shutdown closes every view before the web server's graceful shutdown
 * begins, so that open streams end and tasks are cancelled with the {@code shutdown} reason.
 */
final class StrandLifecycle implements SmartLifecycle {

	private final StrandEngine engine;

	private final Duration sessionCheckInterval;

	private volatile boolean running;

	StrandLifecycle(StrandEngine engine, Duration sessionCheckInterval) {
		this.engine = engine;
		this.sessionCheckInterval = sessionCheckInterval;
	}

	@Override
	public void start() {
		this.engine.scheduleAtFixedRate(this.engine.registry()::reap, this.sessionCheckInterval);
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
		this.engine.close();
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
