package dev.strand.web;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.authentication.logout.LogoutWebFilter;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import dev.strand.internal.TabRegistry;

/**
 * Closes a session's tabs as soon as Spring Security logs it out, rather than when the reaper next finds its
 * session gone: every {@code SecurityWebFilterChain}'s {@link LogoutWebFilter} is wrapped so that, once it has
 * handled a logout, the tabs of the session it logged out close (reason {@code session-ended}) and their
 * streams stop.
 */
public final class LogoutClosesTabs implements BeanPostProcessor {

	private final Supplier<TabRegistry> registry;

	/**
	 * Create the post-processor.
	 * @param registry the tabs, looked up when first needed
	 */
	public LogoutClosesTabs(Supplier<TabRegistry> registry) {
		this.registry = registry;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (bean instanceof SecurityWebFilterChain chain && !(bean instanceof Decorated)) {
			return new Decorated(chain);
		}
		return bean;
	}

	private final class Decorated implements SecurityWebFilterChain {

		private final SecurityWebFilterChain chain;

		Decorated(SecurityWebFilterChain chain) {
			this.chain = chain;
		}

		@Override
		public Mono<Boolean> matches(ServerWebExchange exchange) {
			return this.chain.matches(exchange);
		}

		@Override
		public Flux<WebFilter> getWebFilters() {
			return this.chain.getWebFilters()
				.map((filter) -> (filter instanceof LogoutWebFilter logout) ? new ClosingTabs(logout) : filter);
		}

	}

	/** A logout filter that closes the tabs of the session it logs out. */
	private final class ClosingTabs implements WebFilter {

		private final LogoutWebFilter logout;

		ClosingTabs(LogoutWebFilter logout) {
			this.logout = logout;
		}

		@Override
		public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
			AtomicBoolean passedOn = new AtomicBoolean();
			// the key is read first: a logout that invalidates the session clears its attributes
			return exchange.getSession()
				.map((session) -> {
					String key = session.getAttribute(StrandWebFilter.sessionKeyAttribute());
					return (key != null) ? key : "";
				})
				// marked when subscribed, not when called: LogoutWebFilter calls the chain when it assembles
				.flatMap((key) -> this.logout.filter(exchange, (passed) -> chain.filter(passed)
					.doOnSubscribe((subscription) -> passedOn.set(true))).doOnSuccess((done) -> {
					if (!passedOn.get() && !key.isEmpty()) {
						LogoutClosesTabs.this.registry.get().closeSession(key);
					}
				}));
		}

	}

}
