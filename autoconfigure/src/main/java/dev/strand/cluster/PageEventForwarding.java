package dev.strand.cluster;

import java.net.URI;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

import dev.strand.web.StrandWebFilter;

/**
 * Sends a page event that landed on a server other than its view's home to that home, over the home's Redis
 * inbox, and answers with the home's answer, status, headers and body alike. At the home the event is replayed
 * to the server itself, over loopback HTTP, so that it passes the same filters (Spring Security, CSRF, the
 * size limit) and runs in the tab's turn like any other; a forwarded event is never forwarded again, since the
 * home has the tab. A page event is sent once and never retried: when the home does not answer in time the
 * browser gets {@code 504}, and when Redis cannot be reached {@code 503}. So does any other request whose
 * handling fails because Redis cannot be reached, such as a page load that reads or saves its session there.
 */
public final class PageEventForwarding implements WebFilter, Ordered {

	private static final Log logger = LogFactory.getLog(PageEventForwarding.class);

	/** Headers that belong to one connection, not to the request or response carried over it. */
	private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "transfer-encoding", "te", "trailer",
			"upgrade", "proxy-authorization", "proxy-authenticate", "content-length", "expect");

	private final RedisTabRegistry registry;

	private final RedisCluster cluster;

	private final WebClient loopback;

	/**
	 * Create the forwarding, and the handler at the home.
	 * @param registry the tabs
	 * @param cluster this server's membership
	 * @param self where this server answers HTTP, such as {@code http://127.0.0.1:8080}, once it has started
	 * @param maxResponseSize the largest answer to a page event that is carried back
	 */
	public PageEventForwarding(RedisTabRegistry registry, RedisCluster cluster, Supplier<String> self, int maxResponseSize) {
		this.registry = registry;
		this.cluster = cluster;
		this.loopback = WebClient.builder()
			.codecs((codecs) -> codecs.defaultCodecs().maxInMemorySize(maxResponseSize))
			.build();
		cluster.on("event", (message) -> replay(self.get(), message));
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		String id = exchange.getRequest().getHeaders().getFirst(StrandWebFilter.VIEW_HEADER);
		Mono<Void> here = chain.filter(exchange).onErrorResume(RedisCluster::isRedisDown, (ex) -> unavailable(exchange, ex));
		if (id == null || this.registry.localTab(id) != null) {
			return here;
		}
		return this.registry.home(id)
			.filter((home) -> !home.equals(this.cluster.node()))
			.filterWhen(this.cluster::isAlive)
			.map((home) -> new Object[] { home })
			.defaultIfEmpty(new Object[0])
			.onErrorResume((ex) -> Mono.just(new Object[] { ex }))
			.flatMap((home) -> (home.length == 0) ? here
					: (home[0] instanceof Throwable ex) ? unavailable(exchange, ex) : forward(exchange, (String) home[0]));
	}

	/**
	 * Redis, where sessions and views are found, cannot be reached: a {@code 503} that says so, unless the
	 * response has begun. Written here rather than raised for the application's error handling: writing it runs
	 * the response's commit actions, and the session's save among them fails too; Spring then lets the response
	 * be written once more, without them.
	 */
	private static Mono<Void> unavailable(ServerWebExchange exchange, Throwable ex) {
		ServerHttpResponse response = exchange.getResponse();
		if (response.isCommitted()) {
			return Mono.error(ex);
		}
		Mono<Void> answer = Mono.defer(() -> plain(response, HttpStatus.SERVICE_UNAVAILABLE,
				"Strand's shared store (Redis) cannot be reached; try again"));
		return answer.onErrorResume(RedisCluster::isRedisDown, (again) -> answer);
	}

	private Mono<Void> forward(ServerWebExchange exchange, String home) {
		ServerHttpRequest request = exchange.getRequest();
		URI uri = request.getURI();
		Map<String, String> message = new HashMap<>();
		message.put("m", request.getMethod().name());
		message.put("u", uri.getRawPath() + ((uri.getRawQuery() != null) ? "?" + uri.getRawQuery() : ""));
		message.put("h", headerLines(request.getHeaders()));
		return DataBufferUtils.join(request.getBody())
			.map((buffer) -> {
				byte[] body = new byte[buffer.readableByteCount()];
				buffer.read(body);
				DataBufferUtils.release(buffer);
				return body;
			})
			.defaultIfEmpty(new byte[0])
			.flatMap((body) -> {
				message.put("b", Base64.getEncoder().encodeToString(body));
				return this.cluster.request(home, "event", message);
			})
			.flatMap((reply) -> respond(exchange.getResponse(), reply))
			.onErrorResume((ex) -> !exchange.getResponse().isCommitted() && !isOwnStatus(ex), (ex) -> {
				boolean late = ex instanceof TimeoutException;
				logger.warn("Strand could not forward a page event (" + exchange.getRequest().getMethod() + " "
						+ exchange.getRequest().getPath() + ") to server " + home.substring(0, 5) + "…: "
						+ (late ? "no answer in time" : ex));
				return plain(exchange.getResponse(), late ? HttpStatus.GATEWAY_TIMEOUT : HttpStatus.SERVICE_UNAVAILABLE,
						late ? "The server this page's view lives on did not answer in time; try again"
								: "The server this page's view lives on cannot be reached now; try again");
			});
	}

	/** Whether the request failed with a status of its own, such as a body over the size limit. */
	private static boolean isOwnStatus(Throwable ex) {
		return ex instanceof ResponseStatusException;
	}

	private static Mono<Void> respond(ServerHttpResponse response, Map<String, String> reply) {
		response.setStatusCode(HttpStatusCode.valueOf(Integer.parseInt(reply.getOrDefault("status", "502"))));
		parseHeaderLines(reply.getOrDefault("h", ""), response.getHeaders());
		byte[] body = Base64.getDecoder().decode(reply.getOrDefault("b", ""));
		return (body.length == 0) ? response.setComplete() : response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
	}

	private static Mono<Void> plain(ServerHttpResponse response, HttpStatus status, String text) {
		response.setStatusCode(status);
		response.getHeaders().setContentType(MediaType.TEXT_PLAIN);
		return response.writeWith(Mono.just(response.bufferFactory().wrap(text.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
	}

	/** At the home: replay a forwarded page event to this server, and carry its answer back. */
	private Mono<Map<String, String>> replay(String self, Map<String, String> message) {
		HttpHeaders headers = new HttpHeaders();
		parseHeaderLines(message.getOrDefault("h", ""), headers);
		byte[] body = Base64.getDecoder().decode(message.getOrDefault("b", ""));
		WebClient.RequestBodySpec spec = this.loopback.method(HttpMethod.valueOf(message.getOrDefault("m", "POST")))
			.uri(URI.create(self + message.getOrDefault("u", "/")))
			.headers((target) -> target.addAll(headers));
		WebClient.RequestHeadersSpec<?> ready = (body.length > 0) ? spec.bodyValue(body) : spec;
		return ready.exchangeToMono((response) -> response.bodyToMono(byte[].class)
			.defaultIfEmpty(new byte[0])
			.map((answer) -> Map.of("status", Integer.toString(response.statusCode().value()), "h",
					headerLines(response.headers().asHttpHeaders()), "b", Base64.getEncoder().encodeToString(answer))));
	}

	private static String headerLines(HttpHeaders headers) {
		StringBuilder lines = new StringBuilder();
		headers.forEach((name, values) -> {
			if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
				values.forEach((value) -> lines.append(name).append(": ").append(value).append('\n'));
			}
		});
		return lines.toString();
	}

	private static void parseHeaderLines(String lines, HttpHeaders headers) {
		for (String line : lines.split("\n")) {
			int colon = line.indexOf(": ");
			if (colon > 0) {
				headers.add(line.substring(0, colon), line.substring(colon + 2));
			}
		}
	}

	/** Just after {@link StrandWebFilter}, which limits the body's size, and before Spring Security. */
	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE + 101;
	}

}
