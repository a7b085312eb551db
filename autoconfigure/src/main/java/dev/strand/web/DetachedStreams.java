package dev.strand.web;

import java.util.Map;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ReactiveHttpOutputMessage;
import org.springframework.http.server.reactive.AbstractServerHttpRequest;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.HttpHandlerDecoratorFactory;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import reactor.core.publisher.Mono;

/**
 * Lets a stream's body be written once WebFlux has finished handling its request, so that an open stream holds
 * its connection and its own objects but none of WebFlux's: not the exchange, the request's attributes, the
 * chain of filters and handlers, or the operators that wait on it.
 * <p>
 * A stream's request goes through WebFlux as any other: the application's {@code WebFilter}s (Spring
 * Security's among them), its session and the stream's own checks. Only a stream that is to be served hands
 * its body over ({@link #write}); its status and headers are set by then. WebFlux's handling then ends as for
 * a response still to be written, and the body is written straight after, through the same response: the
 * session's save and the other actions registered to run before the response is committed run then, as they
 * would have. For the filters and the server's request metrics the stream's request ends when it opens. On
 * Reactor Netty the body is then written straight to the connection's channel ({@link ChannelBody}).
 */
public final class DetachedStreams implements HttpHandlerDecoratorFactory {

	private final String path;

	/**
	 * Create the decorator.
	 * @param path the stream's path, within the application
	 */
	public DetachedStreams(String path) {
		this.path = path;
	}

	@Override
	public HttpHandler apply(HttpHandler handler) {
		return (request, response) -> {
			// the server's own request keeps its path once parsed: only a request that may be a stream's is parsed
			// by the request WebFlux is to see
			if (request.getMethod() != HttpMethod.GET || !request.getURI().getRawPath().endsWith(this.path)) {
				return handler.handle(request, response);
			}
			ServerHttpRequest stream = StreamRequest.of(request);
			if (!this.path.equals(stream.getPath().pathWithinApplication().value())) {
				return handler.handle(request, response);
			}
			Detachable detachable = new Detachable(response);
			// deferred, once: an operator that waits for a publisher to end keeps that publisher, and WebFlux's
			// (made at once by a plain call) holds the exchange, as the request it sees does
			return Mono.defer(new RunOnce(() -> handler.handle(stream, detachable))).then(Mono.defer(() -> {
				if (request instanceof AbstractServerHttpRequest served) {
					served.setAttributesSupplier(Map::of); // the exchange's, until now, unless WebFlux saw a StreamRequest
				}
				return detachable.writeBody();
			}));
		};
	}

	/**
	 * Write a stream's body once its request's handling has ended, if the response lets it.
	 * @param response the response, as the stream's handler has it
	 * @param body the body
	 * @return completes once the body is taken: at once if it is to be written later, else when it is written
	 */
	static Mono<Void> write(ReactiveHttpOutputMessage response, Publisher<? extends DataBuffer> body) {
		if (response instanceof Detachable detachable) {
			detachable.body = body;
			return Mono.empty();
		}
		return response.writeWith(body);
	}

	/** A stream's response, whose body may be handed over to be written after its request's handling. */
	private static final class Detachable extends ServerHttpResponseDecorator {

		private @Nullable Publisher<? extends DataBuffer> body;

		Detachable(ServerHttpResponse delegate) {
			super(delegate);
		}

		/**
		 * Register an action to run before the response is committed, as the session's save and Spring Security's
		 * headers do: the response keeps its actions for as long as it is open, and an action holds what it needs,
		 * often the whole exchange, so each is let go of once it has run.
		 */
		@Override
		public void beforeCommit(Supplier<? extends Mono<Void>> action) {
			super.beforeCommit(new RunOnce(action));
		}

		/** Once the body is handed over, WebFlux's end of the request leaves the response open. */
		@Override
		public Mono<Void> setComplete() {
			return (this.body != null) ? Mono.empty() : super.setComplete();
		}

		/**
		 * Write the body handed over, unless a filter failed after the stream's handler and WebFlux has answered
		 * that with an error status since: the stream is then not served, and the response ends with the error.
		 */
		Mono<Void> writeBody() {
			Publisher<? extends DataBuffer> handedOver = this.body;
			if (handedOver == null) {
				return Mono.empty(); // WebFlux has written the response
			}
			HttpStatusCode status = getStatusCode();
			if (status != null && status.isError()) {
				return getDelegate().setComplete();
			}
			Mono<Void> direct = TcpTimeouts.REACTOR_NETTY ? ChannelBody.write(getDelegate(), handedOver) : null;
			return (direct != null) ? direct : getDelegate().writeWith(handedOver);
		}

	}

	/**
	 * An action that forgets what it runs once it has run it: a commit action, or the start of a stream's
	 * handling.
	 */
	private static final class RunOnce implements Supplier<Mono<Void>> {

		private @Nullable Supplier<? extends Mono<Void>> action;

		RunOnce(Supplier<? extends Mono<Void>> action) {
			this.action = action;
		}

		@Override
		public Mono<Void> get() {
			Supplier<? extends Mono<Void>> once = this.action;
			this.action = null;
			return (once != null) ? once.get() : Mono.empty();
		}

	}

}
