package dev.strand.web;

import java.util.concurrent.Executor;

import org.jspecify.annotations.Nullable;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.HttpHandlerDecoratorFactory;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.Connection;

/**
 * Tells Reactor Netty that a request has been handled in a task of its connection's event loop of its own, never
 * inside the call that read the request.
 * <p>
 * Reactor Netty up to 1.3.7 (Spring Boot 4.1.1's) can stop reading a keep-alive connection for good
 * (reactor/reactor-netty#4361): when a request arrives before the previous one on the connection has been
 * reported handled, it is queued, and if that queued request is then handled at once, inside the call that takes
 * it from the queue, the connection's next request is never read. A browser meets this all the time: a page whose
 * handling ends on another thread (a Strand turn, a session saved in Redis) is followed on the same connection by
 * its script or stylesheet, which is served at once, and then by the page's stream or its next page event, which
 * gets no answer. Reporting every request's end in a task of its own means that a queued request is never handled
 * inside that call.
 */
public final class EventLoopCompletion implements HttpHandlerDecoratorFactory {

	@Override
	public HttpHandler apply(HttpHandler handler) {
		return (request, response) -> {
			Executor eventLoop = eventLoop(request);
			Mono<Void> handled = handler.handle(request, response);
			return (eventLoop != null) ? handled.publishOn(Schedulers.fromExecutor(eventLoop)) : handled;
		};
	}

	private static @Nullable Executor eventLoop(ServerHttpRequest request) {
		try {
			return (ServerHttpRequestDecorator.getNativeRequest(request) instanceof Connection connection)
					? connection.channel().eventLoop() : null;
		}
		catch (IllegalStateException ex) {
			return null; // not on a server, as with MockServerHttpRequest
		}
	}

}
