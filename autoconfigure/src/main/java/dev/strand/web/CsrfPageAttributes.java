package dev.strand.web;

import java.util.Map;

import org.springframework.security.web.server.csrf.CsrfToken;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import dev.strand.internal.PageModel;

/**
 * Exposes Spring Security's CSRF token to the page, so that {@code <strand:head/>} renders it and strand.js
 * sends it with every page event. Subscribing to the token also makes Spring Security save it.
 */
public final class CsrfPageAttributes implements PageAttributes {

	@Override
	public Mono<Map<String, Object>> attributes(ServerWebExchange exchange) {
		Mono<CsrfToken> token = exchange.getAttribute(CsrfToken.class.getName());
		if (token == null) {
			return Mono.just(Map.of());
		}
		return token.map((csrf) -> Map.<String, Object>of(PageModel.CSRF_TOKEN, csrf.getToken(),
				PageModel.CSRF_HEADER, csrf.getHeaderName()))
			.defaultIfEmpty(Map.of());
	}

}
