package dev.strand.web;

import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.reactive.BindingContext;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.result.method.HandlerMethodArgumentResolver;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebSession;
import org.springframework.web.server.session.WebSessionStore;
import reactor.core.publisher.Mono;

import dev.strand.CancelReason;
import dev.strand.View;
import dev.strand.internal.MemoryTabRegistry;
import dev.strand.internal.PageModel;
import dev.strand.internal.Tab;
import dev.strand.internal.TabRegistry;

/**
 * Resolves a {@link View} controller argument. A request without the {@code Strand-View} header (the page's
 * GET) opens a tab for the caller's session; a page event presents the header and gets that tab's view, if
 * it belongs to the caller's session. Either way the handler runs inside a turn of the tab, which is
 * committed (its changes put into the tab's log) just before the response, whose {@code Strand-Event}
 * header then names the tab's last event. A GET whose response is not a page (a redirect, an error) closes
 * the tab it opened at once: nothing will connect to it.
 */
public final class ViewArgumentResolver implements HandlerMethodArgumentResolver {

	/** The header that names the last event of a page event's tab once its handler has run. */
	public static final String EVENT_HEADER = "Strand-Event";

	private final TabRegistry registry;

	private final CallbackMethods callbacks;

	private final Supplier<@Nullable WebSessionStore> sessionStore;

	private final PageAttributes pageAttributes;

	public ViewArgumentResolver(TabRegistry registry, CallbackMethods callbacks, Supplier<@Nullable WebSessionStore> sessionStore,
			PageAttributes pageAttributes) {
		this.registry = registry;
		this.callbacks = callbacks;
		this.sessionStore = sessionStore;
		this.pageAttributes = pageAttributes;
	}

	@Override
	public boolean supportsParameter(MethodParameter parameter) {
		return parameter.getParameterType() == View.class;
	}

	@Override
	public Mono<Object> resolveArgument(MethodParameter parameter, BindingContext bindingContext,
			ServerWebExchange exchange) {
		Tab resolved = exchange.getAttribute(PageModel.TAB);
		if (resolved != null) {
			return Mono.just(resolved.view());
		}
		String id = exchange.getRequest().getHeaders().getFirst(StrandWebFilter.VIEW_HEADER);
		return exchange.getSession().flatMap((session) -> (id != null) ? existing(id, session, exchange)
				: create(parameter, session, bindingContext, exchange));
	}

	private Mono<Object> create(MethodParameter parameter, WebSession session, BindingContext bindingContext,
			ServerWebExchange exchange) {
		if (exchange.getRequest().getMethod() != HttpMethod.GET) {
			return Mono.error(new ResponseStatusException(HttpStatus.BAD_REQUEST, "A " + exchange.getRequest().getMethod()
					+ " to a handler that takes a View needs the Strand-View header naming the page's view; "
					+ "send it with data-strand-post (strand.js adds it), or handle the page itself with a GET"));
		}
		String key = session.getAttribute(StrandWebFilter.sessionKeyAttribute());
		if (key == null) {
			key = MemoryTabRegistry.newKey();
			session.getAttributes().put(StrandWebFilter.sessionKeyAttribute(), key);
		}
		Object handler = exchange.getAttribute(HandlerMapping.BEST_MATCHING_HANDLER_ATTRIBUTE);
		Object bean = (handler instanceof HandlerMethod method) ? method.getBean() : parameter.getContainingClass();
		Map<String, Object> model = bindingContext.getModel().asMap();
		return this.registry.open(key, new WebSessionHandle(session, this.sessionStore.get()), this.callbacks.forBean(bean))
			.flatMap((tab) -> {
				model.put(PageModel.TAB, tab);
				return this.pageAttributes.attributes(exchange).flatMap((attributes) -> {
					model.putAll(attributes);
					return turn(tab, model, exchange);
				});
			});
	}

	private Mono<Object> existing(String id, WebSession session, ServerWebExchange exchange) {
		return this.registry.find(session.getAttribute(StrandWebFilter.sessionKeyAttribute()),
				new WebSessionHandle(session, this.sessionStore.get()), id)
			.flatMap((lookup) -> switch (lookup.status()) {
				case FOUND -> turn(lookup.tab(), null, exchange);
				case GONE -> Mono.error(new StrandExceptionHandler.TabGoneException());
				case NOT_FOUND -> Mono.error(new StrandExceptionHandler.TabNotFoundException());
				case ELSEWHERE, UNAVAILABLE -> Mono.error(new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE,
						"This page's view lives on another server, which cannot be reached now; try again"));
			});
	}

	private Mono<Object> turn(Tab tab, @Nullable Map<String, Object> model, ServerWebExchange exchange) {
		Turn turn = Turn.of(exchange);
		Executor connectionThread = connectionThread(exchange);
		return Mono.create((sink) -> tab.requestTurn(model, (granted) -> {
			if (turn.granted(granted)) {
				connectionThread.execute(() -> {
					exchange.getAttributes().put(PageModel.TAB, tab);
					exchange.getResponse().beforeCommit(() -> {
						long lastEventId = turn.commit();
						if (model == null && lastEventId >= 0) {
							exchange.getResponse().getHeaders().set(EVENT_HEADER, Long.toString(lastEventId));
						}
						else if (model != null && !rendersPage(exchange)) {
							tab.close(CancelReason.VIEW_CLOSED); // a redirect or an error: no page will connect to it
						}
						return Mono.empty();
					});
					sink.success(granted.view());
				});
			}
		}));
	}

	/** Whether the response of a GET that opened a tab is a page, which will connect to it. */
	private static boolean rendersPage(ServerWebExchange exchange) {
		HttpStatusCode status = exchange.getResponse().getStatusCode();
		return status == null || status.is2xxSuccessful();
	}

	/**
	 * Return where the request goes on once its turn is granted: on Reactor Netty, its connection's event loop,
	 * as for any WebFlux handler. The turn is granted on a mailbox thread; a handler and its render run there
	 * would race the exchange's end on the event loop (a cancelled exchange ends its turn), and a page was seen
	 * to render its view after its turn had ended. The handler still runs inside the turn.
	 */
	private static Executor connectionThread(ServerWebExchange exchange) {
		// EventLoopCompletion keeps Reactor Netty's types apart, so that the resolver loads without it
		Executor eventLoop = TcpTimeouts.REACTOR_NETTY ? EventLoopCompletion.eventLoop(exchange.getRequest()) : null;
		return (eventLoop != null) ? eventLoop : Runnable::run;
	}

}
