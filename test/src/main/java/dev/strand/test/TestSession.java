package dev.strand.test;

import java.net.HttpCookie;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseCookie;
import org.springframework.test.web.reactive.server.ExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.util.MultiValueMap;

/**
 * One browser's session: the cookies its responses set, sent with each of its requests, as a browser does. Each
 * {@link StrandTestClient#open} starts a new one; {@link #open} opens another tab in this one.
 */
public final class TestSession {

	private final StrandTestClient client;

	private final Map<String, String> cookies = new LinkedHashMap<>();

	TestSession(StrandTestClient client) {
		this.client = client;
	}

	/**
	 * Open a page in another tab of this session: GET it, as a browser does, and return its tab, not yet
	 * connected.
	 * @param path the page's path, such as {@code /orgs/acme}
	 * @return the tab
	 * @throws AssertionError if the page is not a Strand page, or its GET does not answer 200
	 */
	public TestTab open(String path) {
		return this.client.open(this, path);
	}

	/**
	 * Return a GET request that this session sends, with its cookies, for what a test checks itself, such as
	 * another session's view id on the stream.
	 * @param uri the URI, such as {@code /strand/stream/status?view=...}
	 * @return the request, to exchange
	 */
	public WebTestClient.RequestHeadersSpec<?> get(String uri) {
		return this.client.client().get().uri(uri).cookies(this::addTo);
	}

	/**
	 * Return the cookies this session holds, by name, such as {@code SESSION}.
	 * @return the cookies
	 */
	public synchronized Map<String, String> cookies() {
		return Collections.unmodifiableMap(new LinkedHashMap<>(this.cookies));
	}

	/**
	 * Set a cookie that this session's requests send, for example one that a login in the test set.
	 * @param name its name
	 * @param value its value
	 * @return this session
	 */
	public synchronized TestSession cookie(String name, String value) {
		this.cookies.put(name, value);
		return this;
	}

	synchronized void addTo(MultiValueMap<String, String> requestCookies) {
		this.cookies.forEach(requestCookies::add);
	}

	/** Keep what a response set: a cookie with a zero max age, or an expiry date past, is deleted. */
	synchronized void update(ExchangeResult result) {
		Set<String> expired = new HashSet<>();
		for (String header : result.getResponseHeaders().getOrEmpty(HttpHeaders.SET_COOKIE)) {
			try {
				HttpCookie.parse(header).stream().filter(HttpCookie::hasExpired).forEach((cookie) -> expired.add(cookie.getName()));
			}
			catch (IllegalArgumentException ex) {
				// not one HttpCookie reads: its max age decides, as before
			}
		}
		for (ResponseCookie cookie : result.getResponseCookies().toSingleValueMap().values()) {
			if (cookie.getMaxAge().isZero() || expired.contains(cookie.getName())) {
				this.cookies.remove(cookie.getName());
			}
			else {
				this.cookies.put(cookie.getName(), cookie.getValue());
			}
		}
	}

}
