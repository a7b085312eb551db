package dev.strand.web;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;

import static org.assertj.core.api.Assertions.assertThat;

/** Drives a Strand page the way strand.js does: GET the page, open its stream, post page events. */
final class Pages {

	private static final Pattern VIEW = Pattern.compile("name=\"strand-view\" content=\"([^\"]+)\"");

	private static final Pattern EVENT = Pattern.compile("name=\"strand-event\" content=\"(\\d+)\"");

	private static final Pattern STREAM = Pattern.compile("name=\"strand-stream\" content=\"([^\"]+)\"");

	private Pages() {
	}

	static Page open(WebTestClient client, String path) {
		EntityExchangeResult<String> result = client.get().uri(path).exchange().expectStatus().isOk()
			.expectBody(String.class).returnResult();
		String html = result.getResponseBody();
		Matcher view = VIEW.matcher(html);
		Matcher event = EVENT.matcher(html);
		Matcher stream = STREAM.matcher(html);
		assertThat(view.find()).as("the page has a strand-view meta").isTrue();
		assertThat(event.find()).as("the page has a strand-event meta").isTrue();
		assertThat(stream.find()).as("the page has a strand-stream meta").isTrue();
		String cookie = result.getResponseCookies().getFirst("SESSION").getValue();
		return new Page(client, html, view.group(1), Long.parseLong(event.group(1)), cookie, stream.group(1));
	}

	record Page(WebTestClient client, String html, String view, long lastEventId, String session, String streamPath) {

		/** The same page, talking to another server (as behind a load balancer that is not sticky). */
		Page on(WebTestClient other) {
			return new Page(other, this.html, this.view, this.lastEventId, this.session, this.streamPath);
		}

		/**
		 * Open this page's stream on a plain socket that reads nothing past the response's first bytes, as a
		 * browser that stops reading would.
		 * @param port the server's port
		 * @param receiveBuffer the socket's receive buffer: small, so that the server's writes back up soon
		 * @return the socket, to close
		 */
		Socket stalledStream(int port, int receiveBuffer) throws IOException {
			Socket socket = new Socket();
			socket.setReceiveBufferSize(receiveBuffer);
			socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
			OutputStream out = socket.getOutputStream();
			out.write(("GET /strand/stream?view=" + this.view + "&lastEventId=" + this.lastEventId + " HTTP/1.1\r\n"
					+ "Host: localhost\r\nAccept: text/event-stream\r\nCookie: SESSION=" + this.session + "\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			assertThat(socket.getInputStream().read(new byte[256])).as("the stream's first bytes").isPositive();
			return socket;
		}

		Flux<ServerSentEvent<String>> stream(long lastEventId) {
			return this.client.get().uri(this.streamPath + "?view=" + this.view + "&lastEventId=" + lastEventId)
				.cookie("SESSION", this.session).accept(MediaType.TEXT_EVENT_STREAM).exchange()
				.expectStatus().isOk()
				.returnResult(new ParameterizedTypeReference<ServerSentEvent<String>>() { })
				.getResponseBody();
		}

		WebTestClient.ResponseSpec post(String path) {
			return this.client.post().uri(path).cookie("SESSION", this.session).header("Strand-View", this.view).exchange();
		}

		WebTestClient.ResponseSpec post(String path, String name, String value) {
			return this.client.post().uri(path).cookie("SESSION", this.session).header("Strand-View", this.view)
				.body(org.springframework.web.reactive.function.BodyInserters.fromFormData(name, value)).exchange();
		}

		List<ServerSentEvent<String>> events(Flux<ServerSentEvent<String>> stream, int count) {
			return stream.filter((event) -> event.event() != null).take(count).collectList().block(Duration.ofSeconds(20));
		}

		List<ServerSentEvent<String>> eventsUntil(Flux<ServerSentEvent<String>> stream,
				Predicate<ServerSentEvent<String>> last) {
			return stream.filter((event) -> event.event() != null).takeUntil(last).collectList()
				.block(Duration.ofSeconds(20));
		}

	}

}
