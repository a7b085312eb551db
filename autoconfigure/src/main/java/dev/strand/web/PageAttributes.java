package dev.strand.web;

import java.util.Map;

import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Extra model attributes for a page that creates a view, such as the CSRF token strand.js sends with page
 * events when Spring Security is present.
 */
@FunctionalInterface
public interface PageAttributes {

	/** No extra attributes. */
	PageAttributes NONE = (exchange) -> Mono.just(Map.of());

	/**
	 * Return the attributes for this exchange.
	 * @param exchange the page's GET
	 * @return the attributes
	 */
	Mono<Map<String, Object>> attributes(ServerWebExchange exchange);

}
