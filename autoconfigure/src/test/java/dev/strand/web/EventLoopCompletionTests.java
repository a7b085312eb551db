package dev.strand.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/** Keep-alive connections of Reactor Netty's server, through {@link EventLoopCompletion}. */
class EventLoopCompletionTests {

	private DisposableServer server;

	@AfterEach
	void stop() {
		if (this.server != null) {
			this.server.disposeNow();
		}
	}

	/**
	 * The first response's bytes are all sent (its length is given) while its handling goes on, so the browser's
	 * next request waits in Reactor Netty's queue; the handling then ends, and the queued request is answered at
	 * once, from the queue. Reactor Netty 1.3.7 then read nothing more from the connection (as in
	 * reactor/reactor-netty#4347): a browser's next page event got no answer.
	 */
	@Test
	void whenARequestWaitingForThePreviousOneIsAnsweredAtOnceThenTheConnectionsNextRequestIsAnswered() throws IOException {
		HttpHandler handler = (request, response) -> {
			DataBuffer text = response.bufferFactory().wrap("first".getBytes(StandardCharsets.UTF_8));
			if (request.getURI().getPath().equals("/slow")) {
				response.getHeaders().setContentLength(5);
				return response.writeWith(Flux.just(text)).then(Mono.delay(Duration.ofMillis(300))).then();
			}
			return response.writeWith(Mono.just(text));
		};
		this.server = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.handle(new ReactorHttpHandlerAdapter(new EventLoopCompletion().apply(handler)))
			.bindNow();
		try (Socket socket = new Socket("127.0.0.1", this.server.port())) {
			socket.setSoTimeout(5000);
			for (String path : new String[] { "/slow", "/at-once", "/next", "/and-the-next" }) {
				socket.getOutputStream()
					.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.UTF_8));
				try {
					assertThat(readResponse(socket.getInputStream())).as(path).startsWith("HTTP/1.1 200").endsWith("first");
				}
				catch (SocketTimeoutException ex) {
					fail("No answer to " + path + " within 5 s");
				}
			}
		}
	}

	private static String readResponse(InputStream in) throws IOException {
		ByteArrayOutputStream head = new ByteArrayOutputStream();
		while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
			int next = in.read();
			if (next < 0) {
				throw new IOException("closed");
			}
			head.write(next);
		}
		String text = head.toString(StandardCharsets.ISO_8859_1);
		int at = text.toLowerCase().indexOf("content-length: ");
		int length = Integer.parseInt(text.substring(at + 16, text.indexOf("\r\n", at)).trim());
		return text + new String(in.readNBytes(length), StandardCharsets.UTF_8);
	}

}
