package dev.strand.web;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.mock.http.server.reactive.MockServerHttpResponse;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import dev.strand.CancelReason;
import dev.strand.View;
import dev.strand.internal.BufferBudget;
import dev.strand.internal.EventLog;
import dev.strand.internal.Json;
import dev.strand.internal.MemoryEventLog;
import dev.strand.internal.Tab;
import dev.strand.internal.TabRenderer;
import dev.strand.internal.WireEvent;

import static org.assertj.core.api.Assertions.assertThat;

/** One stream's response, against a server that asks for one batch at a time, whenever it likes. */
class SseConnectionTests {

	private final Json json = new Json(JsonMapper.builder().build());

	private final MemoryEventLog log = new MemoryEventLog(new MemoryEventLog.Limits(64, 1 << 20, 32, 1 << 20), this.json);

	private final BlockingQueue<String> received = new LinkedBlockingQueue<>();

	private final AtomicReference<@Nullable Subscription> upstream = new AtomicReference<>();

	private @Nullable Disposable response;

	private Tab tab = new LogTab(this.log);

	@AfterEach
	void endResponse() {
		if (this.response != null) {
			this.response.dispose();
		}
	}

	@Test
	void whenTheServerAsksForMoreLaterThenWhatWaitedMeanwhileIsSent() throws InterruptedException {
		open();
		assertThat(this.received.poll(5, TimeUnit.SECONDS)).isEqualTo(":hb\n\n");
		// the server has asked for nothing more: the chunk waits
		this.log.append(WireEvent.Chunk.of("report", "hello", this.json));
		assertThat(this.received.poll(200, TimeUnit.MILLISECONDS)).isNull();

		request(1);

		assertThat(this.received.poll(5, TimeUnit.SECONDS)).startsWith("id: 1\nevent: chunk\ndata: ").contains("hello");
	}

	@Test
	void whenEventsArriveFasterThanTheServerAsksThenEachIsSentOnceInOrder() throws InterruptedException {
		open();
		assertThat(this.received.poll(5, TimeUnit.SECONDS)).isEqualTo(":hb\n\n");
		for (int i = 1; i <= 5; i++) {
			this.log.append(WireEvent.Chunk.of("report", "c" + i, this.json));
		}

		request(1); // one batch: all five, encoded together

		String batch = this.received.poll(5, TimeUnit.SECONDS);
		assertThat(batch).isNotNull();
		assertThat(batch.split("\n\n")).hasSize(5);
		for (int i = 1; i <= 5; i++) {
			assertThat(batch).containsOnlyOnce("\"c" + i + "\"");
			assertThat(batch.indexOf("id: " + i + "\n")).isLessThan(batch.indexOf("\"c" + i + "\""));
		}
		assertThat(this.received.poll(200, TimeUnit.MILLISECONDS)).isNull();
	}

	@Test
	void whenEventIdsHaveSeveralDigitsThenEachIdLineHasThemAllInOrder() throws InterruptedException {
		open();
		assertThat(this.received.poll(5, TimeUnit.SECONDS)).isEqualTo(":hb\n\n");
		for (int round = 0; round < 3; round++) { // the log keeps 64: three batches of 40, ids 1 to 120
			for (int i = 1; i <= 40; i++) {
				this.log.append(WireEvent.Chunk.of("report", "c" + (40 * round + i), this.json));
			}

			request(1);

			String batch = this.received.poll(5, TimeUnit.SECONDS);
			assertThat(batch).isNotNull();
			String[] events = batch.split("\n\n");
			assertThat(events).hasSize(40);
			for (int i = 1; i <= 40; i++) {
				int id = 40 * round + i;
				assertThat(events[i - 1]).startsWith("id: " + id + "\nevent: chunk\ndata: ").endsWith("\"c" + id + "\"}");
			}
		}
	}

	@Test
	void whenNothingDrainsForTheWriteTimeoutThenTheResponseEndsWithAnError() throws InterruptedException {
		BlockingQueue<Throwable> failed = new LinkedBlockingQueue<>();
		open(new SseConnection.Heartbeats(Duration.ofMillis(50), Duration.ofMillis(150)), failed::add);
		assertThat(this.received.poll(5, TimeUnit.SECONDS)).isEqualTo(":hb\n\n");

		// the server asks for nothing more: the next heartbeats stay unsent
		Throwable error = failed.poll(5, TimeUnit.SECONDS);

		assertThat(error).isInstanceOf(IllegalStateException.class).hasMessageContaining("strand.stream.write-timeout");
		assertThat(this.received).isEmpty();
	}

	@Test
	void whenTheTabEndsWhileTheStreamFindsNothingThenItsLastEventIsStillSent() throws InterruptedException {
		// the tab's last event and its end land between the stream's empty read and its check for the end
		EventLog.Entry last = new EventLog.Entry(1, "close", "{\"reason\":\"view-closed\"}");
		AtomicReference<Runnable> listener = new AtomicReference<>();
		EventLog.Subscription racing = new EventLog.Subscription() {

			private int reads;

			private volatile boolean ended;

			private volatile EventLog.@Nullable Entry pending;

			@Override
			public EventLog.@Nullable Entry next() {
				if (++this.reads == 1) { // the first read finds nothing, and meanwhile
					this.pending = last;
					this.ended = true;
					listener.get().run(); // as the log wakes its stream
					return null;
				}
				EventLog.Entry entry = this.pending;
				this.pending = null;
				return entry;
			}

			@Override
			public boolean ended() {
				return this.ended;
			}

			@Override
			public boolean missed() {
				return false;
			}

			@Override
			public boolean overrun() {
				return false;
			}

			@Override
			public void cancel() {
			}

		};
		this.tab = new LogTab(this.log) {

			@Override
			public void connect(long lastEventId, Runnable wake, Consumer<EventLog.Subscription> onSubscribed) {
				listener.set(wake);
				onSubscribed.accept(racing);
			}

		};
		open();
		assertThat(this.received.poll(5, TimeUnit.SECONDS)).isEqualTo(":hb\n\n");

		request(Long.MAX_VALUE);

		assertThat(this.received.poll(5, TimeUnit.SECONDS)).isEqualTo("id: 1\nevent: close\ndata: {\"reason\":\"view-closed\"}\n\n");
	}

	@Test
	void whenTheFirstDrainEndsTheStreamOnAnotherThreadThenTheStreamLeavesNothingOnTheHeartbeatClock() {
		SseConnection.Heartbeats heartbeats = new SseConnection.Heartbeats(Duration.ofHours(1), Duration.ofHours(2));
		// drains on a thread of its own, as on an event loop, and this one waits for each
		Writability elsewhere = new Writability.Always() {

			@Override
			public void drain(Runnable drain) {
				Thread drainer = Thread.ofPlatform().start(drain);
				try {
					assertThat(drainer.join(Duration.ofSeconds(5))).isTrue();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					throw new IllegalStateException(ex);
				}
			}

		};
		MockServerHttpResponse message = new MockServerHttpResponse();
		// a tab the session does not have: one close event, and the stream ends in its first drain
		SseConnection.write(message, List.of(new SseConnection.Source("t1", null, 0, "not-found")), false, heartbeats,
				elsewhere).block(Duration.ofSeconds(5));

		assertThat(message.getBodyAsString().block(Duration.ofSeconds(5)))
			.isEqualTo(":hb\n\nid: \nevent: close\ndata: {\"reason\":\"not-found\"}\n\n");
		assertThat(heartbeats.size()).isZero();
	}

	private void open() {
		open(new SseConnection.Heartbeats(Duration.ofHours(1), Duration.ofHours(2)), (error) -> {
		});
	}

	/** Start the response; its server asks for one batch, then for more only when {@link #request} says. */
	private void open(SseConnection.Heartbeats heartbeats, Consumer<Throwable> onError) {
		MockServerHttpResponse message = new MockServerHttpResponse();
		message.setWriteHandler((body) -> Mono.create((done) -> body.subscribe(new BaseSubscriber<DataBuffer>() {

			@Override
			protected void hookOnSubscribe(Subscription subscription) {
				SseConnectionTests.this.upstream.set(subscription);
				subscription.request(1);
			}

			@Override
			protected void hookOnNext(DataBuffer buffer) {
				SseConnectionTests.this.received.add(buffer.toString(StandardCharsets.UTF_8));
				DataBufferUtils.release(buffer);
			}

			@Override
			protected void hookOnComplete() {
				done.success();
			}

			@Override
			protected void hookOnError(Throwable error) {
				done.error(error);
			}

		})));
		this.response = SseConnection.write(message, List.of(new SseConnection.Source("t1", this.tab, 0, null)), false,
				heartbeats, Writability.ALWAYS).subscribe(null, onError);
	}

	private void request(long n) {
		Subscription subscription = this.upstream.get();
		assertThat(subscription).isNotNull();
		subscription.request(n);
	}

	/** A tab whose stream reads the log it is given; nothing else of it is used here. */
	private static class LogTab implements Tab {

		private final EventLog log;

		LogTab(EventLog log) {
			this.log = log;
		}

		@Override
		public void connect(long lastEventId, Runnable listener, Consumer<EventLog.Subscription> onSubscribed) {
			onSubscribed.accept(this.log.subscribe(lastEventId, listener));
		}

		@Override
		public void disconnect(EventLog.Subscription subscription) {
			subscription.cancel();
		}

		@Override
		public String id() {
			return "t1";
		}

		@Override
		public boolean isClosed() {
			return false;
		}

		@Override
		public boolean isConnected() {
			return true;
		}

		@Override
		public long lastEventId() {
			return this.log.lastId();
		}

		@Override
		public View view() {
			throw new UnsupportedOperationException();
		}

		@Override
		public Map<String, String> flashes() {
			return Map.of();
		}

		@Override
		public Map<String, @Nullable Object> assigns() {
			return Map.of();
		}

		@Override
		public TabRenderer renderer(Function<BufferBudget, TabRenderer> create) {
			throw new UnsupportedOperationException();
		}

		@Override
		public void requestTurn(@Nullable Map<String, Object> model, Consumer<PageTurn> granted) {
			throw new UnsupportedOperationException();
		}

		@Override
		public void close(CancelReason reason) {
			throw new UnsupportedOperationException();
		}

	}

}
