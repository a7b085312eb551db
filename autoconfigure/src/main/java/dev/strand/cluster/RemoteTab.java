package dev.strand.cluster;

import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.strand.CancelReason;
import dev.strand.View;
import dev.strand.internal.BufferBudget;
import dev.strand.internal.EventLog;
import dev.strand.internal.MemoryTabRegistry;
import dev.strand.internal.Tab;
import dev.strand.internal.TabRenderer;

/**
 * A tab whose home is another server, as this server sees it: its stream can be served here, from the copy of
 * its log in Redis, after its home has attached the stream (which starts the tab's waiting tasks, and appends
 * a reset for a browser that missed events). Everything else about it happens at its home: a page event for it
 * is forwarded there before it reaches a handler.
 */
final class RemoteTab implements Tab {

	private static final Log logger = LogFactory.getLog(RemoteTab.class);

	private final String id;

	private final String sessionKey;

	private final String home;

	private final RedisCluster cluster;

	private final RemoteLogs logs;

	RemoteTab(String id, String sessionKey, String home, RedisCluster cluster, RemoteLogs logs) {
		this.id = id;
		this.sessionKey = sessionKey;
		this.home = home;
		this.cluster = cluster;
		this.logs = logs;
	}

	@Override
	public String id() {
		return this.id;
	}

	@Override
	public void connect(long lastEventId, Runnable listener, Consumer<EventLog.Subscription> onSubscribed) {
		String sid = MemoryTabRegistry.newKey();
		this.cluster
			.quickRequest(this.home, "connect", Map.of("tab", this.id, "s", this.sessionKey, "last", Long.toString(lastEventId),
					"sid", sid))
			.subscribe((reply) -> {
				String gone = reply.get("gone");
				onSubscribed.accept((gone != null) ? this.logs.closed(gone, listener)
						: this.logs.subscribe(this.id, this.sessionKey, this.home, sid, Long.parseLong(reply.getOrDefault("start", "0")),
								"1".equals(reply.get("missed")), listener));
			}, (ex) -> {
				logger.info("The home of " + this + " did not answer a stream's connect in time (" + ex.getMessage()
						+ "); the stream ends and its browser reconnects");
				onSubscribed.accept(this.logs.failed(listener));
			});
	}

	@Override
	public void disconnect(EventLog.Subscription subscription) {
		subscription.cancel();
	}

	/** Not known here: {@code false}. */
	@Override
	public boolean isConnected() {
		return false;
	}

	/** Not known here: {@code false}; a stream learns that the tab closed from its {@code close} event. */
	@Override
	public boolean isClosed() {
		return false;
	}

	@Override
	public View view() {
		throw elsewhere();
	}

	@Override
	public long lastEventId() {
		throw elsewhere();
	}

	@Override
	public Map<String, @Nullable Object> assigns() {
		throw elsewhere();
	}

	@Override
	public Map<String, String> flashes() {
		throw elsewhere();
	}

	@Override
	public TabRenderer renderer(Function<BufferBudget, TabRenderer> create) {
		throw elsewhere();
	}

	@Override
	public void requestTurn(@Nullable Map<String, Object> model, Consumer<PageTurn> granted) {
		throw elsewhere();
	}

	@Override
	public void close(CancelReason reason) {
		throw elsewhere();
	}

	private UnsupportedOperationException elsewhere() {
		return new UnsupportedOperationException(Tab.logName(this.id) + " lives on server " + this.home.substring(0, 5)
				+ "…; only its stream is served here, and its page events are forwarded there");
	}

	@Override
	public String toString() {
		return Tab.logName(this.id) + " (home " + this.home.substring(0, 5) + "…)";
	}

}
