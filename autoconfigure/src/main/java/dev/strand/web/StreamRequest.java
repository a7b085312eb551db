package dev.strand.web;

import java.net.InetSocketAddress;

import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import org.jspecify.annotations.Nullable;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.AbstractServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.SslInfo;
import org.springframework.util.ClassUtils;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import reactor.core.publisher.Flux;
import reactor.netty.http.server.HttpServerRequest;

/**
 * A stream's request on Reactor Netty, as WebFlux's handling of it sees it. Spring's adapter for Reactor Netty
 * keeps its own request for as long as the response is open, and that request keeps what it parses: its path,
 * its query and its cookies, parsed once more by Reactor Netty. This one parses them itself, as Spring's requests
 * do, and is let go of with WebFlux's exchange once the stream is open ({@link DetachedStreams}).
 * <p>
 * The cookies are read with Reactor Netty's default decoder, {@link ServerCookieDecoder#STRICT}.
 */
final class StreamRequest extends AbstractServerHttpRequest {

	/** Spring's request for Reactor Netty, which is not public, if Reactor Netty's HTTP server is here. */
	private static final @Nullable Class<?> SERVER_REQUEST = serverRequestClass();

	private final AbstractServerHttpRequest server;

	private StreamRequest(AbstractServerHttpRequest server, HttpServerRequest connection) {
		// Spring's request for Reactor Netty takes its context path from the forwarded prefix
		super(server.getMethod(), server.getURI(), connection.forwardedPrefix(), server.getHeaders());
		this.server = server;
	}

	/**
	 * Return the request WebFlux is to see for a stream's request.
	 * @param request the request as the server handed it over
	 * @return a {@code StreamRequest} for the request of Reactor Netty's server, else the request itself (a request
	 * an {@code HttpHandler} has mutated first, as for a base path, is not the one the server keeps)
	 */
	static ServerHttpRequest of(ServerHttpRequest request) {
		return (SERVER_REQUEST != null && request.getClass() == SERVER_REQUEST && request instanceof AbstractServerHttpRequest server)
				? new StreamRequest(server, server.getNativeRequest()) : request;
	}

	private static @Nullable Class<?> serverRequestClass() {
		ClassLoader loader = StreamRequest.class.getClassLoader();
		if (!ClassUtils.isPresent("reactor.netty.http.server.HttpServerRequest", loader)) {
			return null;
		}
		String name = "org.springframework.http.server.reactive.ReactorServerHttpRequest";
		return ClassUtils.isPresent(name, loader) ? ClassUtils.resolveClassName(name, loader) : null;
	}

	@Override
	protected MultiValueMap<String, HttpCookie> initCookies() {
		MultiValueMap<String, HttpCookie> cookies = new LinkedMultiValueMap<>();
		for (String header : getHeaders().getOrEmpty(HttpHeaders.COOKIE)) {
			for (Cookie cookie : ServerCookieDecoder.STRICT.decodeAll(header)) {
				cookies.add(cookie.name(), new HttpCookie(cookie.name(), cookie.value()));
			}
		}
		return cookies;
	}

	@Override
	protected String initId() {
		return this.server.getId();
	}

	@Override
	protected @Nullable SslInfo initSslInfo() {
		return this.server.getSslInfo();
	}

	@Override
	public @Nullable InetSocketAddress getLocalAddress() {
		return this.server.getLocalAddress();
	}

	@Override
	public @Nullable InetSocketAddress getRemoteAddress() {
		return this.server.getRemoteAddress();
	}

	@Override
	public Flux<DataBuffer> getBody() {
		return this.server.getBody();
	}

	@Override
	public <T> T getNativeRequest() {
		return this.server.getNativeRequest();
	}

}
