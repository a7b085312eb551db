package dev.strand.web;

import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;


/**
 * Ends the mailbox turn a request holds once its exchange completes, and refuses page events whose body is
 * larger than {@code strand.limits.max-event-size} with {@code 413}.
 */
public final class StrandWebFilter implements WebFilter, Ordered {

	/** The header that carries a page event's view id. */
	public static final String VIEW_HEADER = "Strand-View";

	private final long maxEventSize;

	public StrandWebFilter(long maxEventSize) {
		this.maxEventSize = maxEventSize;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		if (exchange.getRequest().getHeaders().containsHeader(VIEW_HEADER)) {
			long length = exchange.getRequest().getHeaders().getContentLength();
			if (length > this.maxEventSize) {
				return Mono.error(new ResponseStatusException(HttpStatus.CONTENT_TOO_LARGE, "A Strand page event may carry at most "
						+ this.maxEventSize + " bytes (strand.limits.max-event-size), but this one has " + length));
			}
		}
		return chain.filter(exchange).doFinally((signal) -> {
			Turn turn = exchange.getAttribute(Turn.ATTRIBUTE);
			if (turn != null) {
				turn.finish();
			}
		});
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE + 100;
	}

	static String sessionKeyAttribute() {
		return "dev.strand.internal.ViewRegistry.KEY"; // the name sessions have stored it under since 0.1
	}

}
