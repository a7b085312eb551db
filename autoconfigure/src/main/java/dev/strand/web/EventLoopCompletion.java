package dev.strand.web;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

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
 * inside the call that read the request.
 * <p>
 * Reactor Netty 1.3.7 (Spring Boot 4.1.1's) can stop reading a keep-alive connection for good
 * (reactor/reactor-netty#4361, closed as fixed after that release): a request that arrives before the previous
 * one on the connection has been reported handled is queued, and if that queued request is then handled at once,
 * inside the call that takes it from the queue, the connection's next request is never read. A browser does this
 * with every page: the page, whose handling may end on another thread (Redis's, when the session is saved
 * there), then its script, served at once, then its stream or a page event, which would get no answer.
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
			Executor eventLoop = eventLoop(request);
			Mono<Void> handled = handler.handle(request, response);
			return (eventLoop != null) ? new EndOn(handled, eventLoop) : handled;
		};
	}

	/**
	 * Return the event loop of a request's connection.
	 * @param request the request
	 * @return the event loop, or {@code null} if the request is not on Reactor Netty
	 */
	static @Nullable Executor eventLoop(ServerHttpRequest request) {
		return (TcpTimeouts.nativeRequest(request) instanceof Connection connection) ? connection.channel().eventLoop()
				: null;
	}

	/**
	 * A request's handling, whose end is reported in a task of the event loop's own. (A {@code publishOn} would do
	 * the same, with a scheduler made for each request and kept for as long as it is handled.)
	 */
	private static final class EndOn extends Mono<Void> {

		private final Mono<Void> handled;

		private final Executor eventLoop;

		EndOn(Mono<Void> handled, Executor eventLoop) {
			this.handled = handled;
			this.eventLoop = eventLoop;
		}

		@Override
		public void subscribe(CoreSubscriber<? super Void> actual) {
			this.handled.subscribe(new Reporter(actual, this.eventLoop));
		}

	}

	/** Passes a request's end on from a task of the event loop; all else at once. */
	private static final class Reporter extends VoidRelay<Void> implements Runnable {

		private final Executor eventLoop;

		private @Nullable Throwable failure;

		Reporter(CoreSubscriber<? super Void> actual, Executor eventLoop) {
			super(actual);
			this.eventLoop = eventLoop;
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
				this.eventLoop.execute(this);
			}
			catch (RejectedExecutionException ex) {
				run(); // the server is stopping: its loop takes no more tasks
			}
		}

		@Override
		public void run() {
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
