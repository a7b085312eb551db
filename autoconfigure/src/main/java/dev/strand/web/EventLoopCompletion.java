package dev.strand.web;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import io.netty.channel.Channel;
import org.jspecify.annotations.Nullable;
import org.springframework.core.Ordered;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.HttpHandlerDecoratorFactory;
import org.springframework.http.server.reactive.ServerHttpRequest;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;

/**
 * Reports the end of each request to Reactor Netty in a task of its own on the connection's event loop, never
 * inside the call that read the request, and then asks the connection to read its next request.
 * <p>
 * Reactor Netty 1.3.7 (Spring Boot 4.1.1's) can stop reading a keep-alive connection for good. A request that
 * arrives before the previous one on the connection has ended is queued. If that queued request is then handled
 * at once, inside the call that takes it from the queue, the connection's next request is never read:
 * <ul>
 * <li>when its handling ends within that call (reactor/reactor-netty#4361): the report on the event loop avoids
 * that;</li>
 * <li>when its response is written in full within that call, which ends the request whatever its handling does
 * next (reactor/reactor-netty#4347): the read asked for after each report avoids that. It is asked for on an idle
 * connection, where Reactor Netty has asked already, or where the next request is then queued as above.</li>
 * </ul>
 * Both were closed as fixed after that release. A browser meets them with every page: the page, whose handling
 * may end on another thread (Redis's, when the session is saved there), then its script, served at once, then
 * its stream or a page event, which would get no answer.
 */
public final class EventLoopCompletion implements HttpHandlerDecoratorFactory, Ordered {

	/** First, so that it is the outermost decorator: what it reports is the end of all the others' handling too. */
	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

	@Override
	public HttpHandler apply(HttpHandler handler) {
		return (request, response) -> {
			Channel channel = channel(request);
			Mono<Void> handled = handler.handle(request, response);
			return (channel != null) ? new EndOn(handled, channel) : handled;
		};
	}

	/**
	 * Return the event loop of a request's connection.
	 * @param request the request
	 * @return the event loop, or {@code null} if the request is not on Reactor Netty or its connection has ended
	 */
	static @Nullable Executor eventLoop(ServerHttpRequest request) {
		Channel channel = channel(request);
		return (channel != null) ? channel.eventLoop() : null;
	}

	private static @Nullable Channel channel(ServerHttpRequest request) {
		return (TcpTimeouts.nativeRequest(request) instanceof Connection connection) ? channel(connection) : null;
	}

	/**
	 * Return the channel of a request's connection, while it lasts: once Reactor Netty has ended the connection,
	 * it answers with a stand-in channel that was never on an event loop.
	 * @param connection the request's connection
	 * @return its channel, or {@code null} if the connection has ended
	 */
	static @Nullable Channel channel(Connection connection) {
		Channel channel = connection.channel();
		return channel.isRegistered() ? channel : null;
	}

	/**
	 * A request's handling, whose end is reported in a task of the event loop's own. (A {@code publishOn} would do
	 * the same, with a scheduler made for each request and kept for as long as it is handled.)
	 */
	private static final class EndOn extends Mono<Void> {

		private final Mono<Void> handled;

		private final Channel channel;

		EndOn(Mono<Void> handled, Channel channel) {
			this.handled = handled;
			this.channel = channel;
		}

		@Override
		public void subscribe(CoreSubscriber<? super Void> actual) {
			this.handled.subscribe(new Reporter(actual, this.channel));
		}

	}

	/**
	 * Passes a request's end on from a task of the event loop, then asks the connection to read (not when the
	 * stopping loop refused the task: the end is then passed on at once, and nothing more is read); all else at
	 * once.
	 */
	private static final class Reporter extends VoidRelay<Void> implements Runnable {

		private final Channel channel;

		private @Nullable Throwable failure;

		Reporter(CoreSubscriber<? super Void> actual, Channel channel) {
			super(actual);
			this.channel = channel;
		}

		@Override
		public void onNext(Void nothing) {
			// a Mono<Void> has no value
		}

		@Override
		public void onError(Throwable failure) {
			this.failure = failure;
			report();
		}

		@Override
		public void onComplete() {
			report();
		}

		private void report() {
			try {
				this.channel.eventLoop().execute(this);
			}
			catch (RejectedExecutionException ex) {
				pass(); // the server is stopping: its loop takes no more tasks
			}
		}

		/** On the event loop: pass the end on, then read the connection's next request. */
		@Override
		public void run() {
			pass();
			if (this.channel.isActive()) {
				this.channel.read();
			}
		}

		private void pass() {
			Throwable failed = this.failure;
			if (failed != null) {
				this.actual.onError(failed);
			}
			else {
				this.actual.onComplete();
			}
		}

	}

}
