package dev.strand.web;

import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;

import dev.strand.StrandLimitException;

/**
 * Maps the engine's errors to HTTP: a {@link StrandLimitException} becomes {@code 429 Too Many Requests}
 * with its message, handed on to the application's own error handling (Spring Boot's, by default).
 */
public final class StrandExceptionHandler implements WebExceptionHandler, Ordered {

	@Override
	public Mono<Void> handle(ServerWebExchange exchange, Throwable ex) {
		if (ex instanceof StrandLimitException limit) {
			return Mono.error(new ResponseStatusException(HttpStatus.TOO_MANY_REQUESTS, limit.getMessage(), limit));
		}
		return Mono.error(ex);
	}

	/** Before Spring Boot's error handler, which renders the status this one maps. */
	@Override
	public int getOrder() {
		return -2;
	}

}
