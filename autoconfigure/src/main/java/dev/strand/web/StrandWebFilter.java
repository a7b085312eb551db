package dev.strand.web;

import java.net.URI;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.core.Ordered;
import org.springframework.core.ResolvableType;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.codec.FormHttpMessageReader;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebExchangeDecorator;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Ends the turn a request holds on its tab once its exchange completes, and refuses page events whose body
 * is larger than {@code strand.limits.max-event-size} with {@code 413}: at once when their
 * {@code Content-Length} says so, otherwise (a chunked body) as soon as the bytes read pass it. A page event
 * whose CSRF token Spring Security cannot decode gets {@code 403}, not a {@code 500}; one answered with a
 * redirect gets its location in the {@code Strand-Redirect} header instead.
 */
public final class StrandWebFilter implements WebFilter, Ordered {

	/** The header that carries a page event's view id. */
	public static final String VIEW_HEADER = "Strand-View";

	/** The header that tells strand.js where a page event's redirect goes, in place of a 3xx it would follow. */
	public static final String REDIRECT_HEADER = "Strand-Redirect";

	private static final ResolvableType FORM_DATA = ResolvableType.forClassWithGenerics(MultiValueMap.class,
			String.class, String.class);

	private final FormHttpMessageReader formReader = new FormHttpMessageReader();

	private final long maxEventSize;

	public StrandWebFilter(long maxEventSize) {
		this.maxEventSize = maxEventSize;
		// the limit is ours: the reader's own would answer a larger form with a 500
		this.formReader.setMaxInMemorySize((int) Math.min(Integer.MAX_VALUE, maxEventSize + 1));
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		if (exchange.getRequest().getHeaders().containsHeader(VIEW_HEADER)) {
			long length = exchange.getRequest().getHeaders().getContentLength();
			if (length > this.maxEventSize) {
				return Mono.error(tooLarge(length + " bytes"));
			}
			exchange = new LimitedExchange(exchange);
			ServerHttpResponse response = exchange.getResponse();
			response.beforeCommit(() -> Mono.fromRunnable(() -> redirectToHeader(response)));
		}
		ServerWebExchange filtered = exchange;
		Mono<Void> handled = Mono.defer(() -> chain.filter(filtered));
		if (filtered instanceof LimitedExchange) {
			handled = handled.onErrorMap(StrandWebFilter::isTamperedCsrfToken,
					(ex) -> new ResponseStatusException(HttpStatus.FORBIDDEN, "Invalid CSRF token", ex));
		}
		return handled.doFinally((signal) -> {
			Turn turn = filtered.getAttribute(Turn.ATTRIBUTE);
			if (turn != null) {
				turn.finish();
			}
		});
	}

	/**
	 * Turn a page event's redirect (a {@code redirect:} view name, a 3xx {@code ResponseEntity}, Spring Security's
	 * login redirect) into {@code 200} with its location in the {@code Strand-Redirect} header: {@code fetch}
	 * would follow a 3xx itself, throwing the page away and opening a view for nobody, while strand.js takes the
	 * browser there.
	 */
	private static void redirectToHeader(ServerHttpResponse response) {
		HttpStatusCode status = response.getStatusCode();
		URI location = response.getHeaders().getLocation();
		if (status != null && status.is3xxRedirection() && location != null) {
			response.getHeaders().remove(HttpHeaders.LOCATION);
			response.getHeaders().set(REDIRECT_HEADER, location.toASCIIString());
			response.setStatusCode(HttpStatus.OK);
		}
	}

	/**
	 * Whether Spring Security failed on a tampered CSRF token: one that decodes from Base64 to the right length
	 * but not to UTF-8 makes its {@code XorServerCsrfTokenRequestAttributeHandler} throw an
	 * {@code IllegalArgumentException} from {@code Utf8.decode} (Spring Security 7.1), which would be a 500. The
	 * stack trace that arrives here may have been cut down to that one frame.
	 */
	private static boolean isTamperedCsrfToken(Throwable ex) {
		StackTraceElement[] frames = ex.getStackTrace();
		return ex instanceof IllegalArgumentException && frames.length > 0
				&& frames[0].getClassName().startsWith("org.springframework.security.");
	}

	private ResponseStatusException tooLarge(String size) {
		return new ResponseStatusException(HttpStatus.CONTENT_TOO_LARGE, "A Strand page event may carry at most "
				+ this.maxEventSize + " bytes (strand.limits.max-event-size), but this one has " + size);
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE + 100;
	}

	static String sessionKeyAttribute() {
		return "dev.strand.internal.ViewRegistry.KEY"; // the name sessions have stored it under since 0.1
	}

	/**
	 * A page event's exchange whose body, and form data read from it, fail with {@code 413} once the bytes read
	 * pass the limit. The form data must be read here: the exchange WebFlux made reads it from the request it
	 * was given, whatever request a filter puts in its place.
	 */
	private final class LimitedExchange extends ServerWebExchangeDecorator {

		private final Limited request;

		private final Mono<MultiValueMap<String, String>> formData;

		LimitedExchange(ServerWebExchange exchange) {
			super(exchange);
			this.request = new Limited(exchange.getRequest());
			MediaType type = this.request.getHeaders().getContentType();
			this.formData = (type != null && type.isCompatibleWith(MediaType.APPLICATION_FORM_URLENCODED))
					? StrandWebFilter.this.formReader.readMono(FORM_DATA, this.request, Map.of())
						.switchIfEmpty(Mono.fromSupplier(LinkedMultiValueMap::new))
						.cache()
					: exchange.getFormData();
		}

		@Override
		public ServerHttpRequest getRequest() {
			return this.request;
		}

		@Override
		public Mono<MultiValueMap<String, String>> getFormData() {
			return this.formData;
		}

	}

	/** A page event's request whose body fails with {@code 413} once the bytes read pass the limit. */
	private final class Limited extends ServerHttpRequestDecorator {

		Limited(ServerHttpRequest delegate) {
			super(delegate);
		}

		@Override
		public Flux<DataBuffer> getBody() {
			AtomicLong read = new AtomicLong();
			return super.getBody().handle((buffer, sink) -> {
				if (read.addAndGet(buffer.readableByteCount()) > StrandWebFilter.this.maxEventSize) {
					DataBufferUtils.release(buffer);
					sink.error(tooLarge("more"));
				}
				else {
					sink.next(buffer);
				}
			});
		}

	}

}
