package dev.strand.web;

import java.util.Arrays;
import java.util.function.Supplier;

import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.reactive.HandlerResult;
import org.springframework.web.reactive.HandlerResultHandler;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import dev.strand.View;

/**
 * Answers {@code 204 No Content} for a page event whose handler returns {@code void}: the page learns what
 * changed over its stream, so there is no template to render. Any other request to such a handler goes to
 * WebFlux's view resolution, as usual.
 */
public final class PageEventResultHandler implements HandlerResultHandler, Ordered {

	private final Supplier<HandlerResultHandler> viewResolution;

	/**
	 * Create the handler.
	 * @param viewResolution WebFlux's view resolution result handler, for requests that are not page events
	 */
	public PageEventResultHandler(Supplier<HandlerResultHandler> viewResolution) {
		this.viewResolution = viewResolution;
	}

	@Override
	public boolean supports(HandlerResult result) {
		return result.getReturnValue() == null && result.getHandler() instanceof HandlerMethod method
				&& method.isVoid() && Arrays.stream(method.getMethodParameters())
					.anyMatch((parameter) -> parameter.getParameterType() == View.class);
	}

	@Override
	public Mono<Void> handleResult(ServerWebExchange exchange, HandlerResult result) {
		if (!exchange.getRequest().getHeaders().containsHeader(StrandWebFilter.VIEW_HEADER)) {
			return this.viewResolution.get().handleResult(exchange, result);
		}
		exchange.getResponse().setStatusCode(HttpStatus.NO_CONTENT);
		return exchange.getResponse().setComplete();
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE - 1;
	}

}
