package dev.strand.web;

import java.time.Duration;

import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollSocketChannel;
import org.jspecify.annotations.Nullable;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.util.ClassUtils;
import org.springframework.web.server.ServerWebExchange;
import reactor.netty.Connection;

/**
 * Asks the kernel to give up on a stream's connection whose written bytes stay unacknowledged, or unsent for a
 * zero window, past the write timeout ({@code TCP_USER_TIMEOUT}): a browser behind a network partition or on
 * a suspended laptop is then noticed in seconds, not after TCP's retries of many minutes. Only for Reactor
 * Netty's native epoll transport, on Linux; elsewhere a stream relies on its heartbeats staying unsent.
 */
final class TcpTimeouts {

	/** Whether Reactor Netty is here: the classes that use its types are loaded only then. */
	static final boolean REACTOR_NETTY = ClassUtils.isPresent("reactor.netty.Connection", TcpTimeouts.class.getClassLoader());

	private static final boolean EPOLL = REACTOR_NETTY
			&& ClassUtils.isPresent("io.netty.channel.epoll.EpollChannelOption", TcpTimeouts.class.getClassLoader());

	private TcpTimeouts() {
	}

	/**
	 * Set the connection's user timeout, if it runs on epoll.
	 * @param exchange the stream's exchange
	 * @param timeout the write timeout
	 * @return whether it was set
	 */
	static boolean userTimeout(ServerWebExchange exchange, Duration timeout) {
		return EPOLL && Epoll.set(exchange, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
	}

	/**
	 * Return the server's own request behind a request, such as Reactor Netty's connection.
	 * @param request the request
	 * @return the native request, or {@code null} for a mock request (a WebTestClient bound to the application
	 * context, as in {@code @WebFluxTest}), which has none
	 */
	static @Nullable Object nativeRequest(ServerHttpRequest request) {
		try {
			return ServerHttpRequestDecorator.getNativeRequest(request);
		}
		catch (IllegalStateException ex) {
			return null; // MockServerHttpRequest: "This is a mock. No running server, no native request."
		}
	}

	/**
	 * Return the server's own response behind a response, such as Reactor Netty's connection.
	 * @param response the response
	 * @return the native response, or {@code null} for a mock response, which has none
	 */
	static @Nullable Object nativeResponse(ServerHttpResponse response) {
		try {
			return ServerHttpResponseDecorator.getNativeResponse(response);
		}
		catch (IllegalStateException ex) {
			return null; // MockServerHttpResponse: "This is a mock. No running server, no native response."
		}
	}

	/** Kept apart so that this class loads without Reactor Netty or its epoll transport. */
	private static final class Epoll {

		static boolean set(ServerWebExchange exchange, int millis) {
			Object request = nativeRequest(exchange.getRequest());
			if (request instanceof Connection connection && connection.channel() instanceof EpollSocketChannel channel) {
				return channel.config().setOption(EpollChannelOption.TCP_USER_TIMEOUT, millis);
			}
			return false;
		}

	}

}
