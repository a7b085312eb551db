package dev.strand.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A browser sends a page's next requests on the keep-alive connection that has just delivered the previous
 * response, the moment it has arrived: the page, then its script, then a page event or the stream. Each must
 * be answered, however the view's turns and the connection's event loop interleave (the demo's browser tests
 * stalled for their whole timeout when one was not). Heartbeats are off, so that nothing else writes.
 */
@SpringBootTest(classes = PageTestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "strand.stream.heartbeat=1h")
class KeepAliveTests {

	private static final Pattern VIEW = Pattern.compile("name=\"strand-view\" content=\"([^\"]+)\"");

	private static final Pattern EVENT = Pattern.compile("name=\"strand-event\" content=\"(\\d+)\"");

	private static final Pattern SESSION = Pattern.compile("(?i)set-cookie: SESSION=([^;\\r\\n]+)");

	@LocalServerPort
	int port;

	@Test
	void whenRequestsFollowAPageAndItsEventsOnTheSameConnectionThenEachIsAnswered() throws IOException {
		pagesAndTheirRequestsAreAnswered(this.port);
	}

	@Test
	void whenAStreamEndsThenItsResponseIsCompleteAndItsConnectionAnswersTheNextRequest() throws IOException {
		try (Socket socket = new Socket("localhost", this.port)) {
			socket.setSoTimeout(5000);
			Response page = exchange(socket, "GET /import HTTP/1.1\r\nHost: localhost\r\n\r\n", "the page");
			Matcher session = SESSION.matcher(page.head());
			assertThat(session.find()).as(page.head()).isTrue();
			// a shared stream of one tab the session does not have: one close event, then the stream ends
			Response stream = exchange(socket, "GET /strand/stream?tabs=no-such-tab:0 HTTP/1.1\r\nHost: localhost\r\n"
					+ "Accept: text/event-stream\r\nCookie: SESSION=" + session.group(1) + "\r\n\r\n", "the stream");
			assertThat(stream.head()).startsWith("HTTP/1.1 200").containsIgnoringCase("transfer-encoding: chunked");
			assertThat(stream.body()).startsWith(":hb\n\n")
				.endsWith("id: no-such-tab:\nevent: close\ndata: {\"reason\":\"not-found\"}\n\n");
			assertThat(exchange(socket, "GET /strand/strand.js HTTP/1.1\r\nHost: localhost\r\n\r\n", "the next request")
				.head()).startsWith("HTTP/1.1 200");
		}
	}

	/**
	 * Open 300 pages of a server, each on a keep-alive connection of its own that then carries the page's script,
	 * two page events and its stream, and check that each of them is answered within 5 s.
	 * @param port the server's port
	 */
	static void pagesAndTheirRequestsAreAnswered(int port) throws IOException {
		for (int i = 0; i < 300; i++) {
			try (Socket socket = new Socket("localhost", port)) {
				socket.setSoTimeout(5000);
				Response page = exchange(socket, "GET /import HTTP/1.1\r\nHost: localhost\r\n\r\n", "the page, " + i);
				Matcher view = VIEW.matcher(page.body());
				Matcher event = EVENT.matcher(page.body());
				Matcher session = SESSION.matcher(page.head());
				assertThat(view.find() && event.find() && session.find()).as(page.head()).isTrue();
				String cookie = "Cookie: SESSION=" + session.group(1) + "\r\n";
				String post = "POST /import/clear HTTP/1.1\r\nHost: localhost\r\nStrand-View: " + view.group(1) + "\r\n"
						+ cookie + "Content-Length: 0\r\n\r\n";
				assertThat(exchange(socket, "GET /strand/strand.js HTTP/1.1\r\nHost: localhost\r\n\r\n", "the script, " + i).head())
					.startsWith("HTTP/1.1 200");
				assertThat(exchange(socket, post, "the first page event, " + i).head()).startsWith("HTTP/1.1 204");
				assertThat(exchange(socket, post, "the second page event, " + i).head()).startsWith("HTTP/1.1 204");
				String stream = "GET /strand/stream?view=" + view.group(1) + "&lastEventId=" + event.group(1)
						+ " HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n" + cookie + "\r\n";
				socket.getOutputStream().write(stream.getBytes(StandardCharsets.UTF_8));
				try {
					assertThat(readHead(socket.getInputStream())).startsWith("HTTP/1.1 200");
				}
				catch (SocketTimeoutException ex) {
					fail("No answer to the stream, " + i);
				}
			}
		}
	}

	private static Response exchange(Socket socket, String request, String what) throws IOException {
		OutputStream out = socket.getOutputStream();
		out.write(request.getBytes(StandardCharsets.UTF_8));
		out.flush();
		InputStream in = socket.getInputStream();
		try {
			String head = readHead(in);
			String lower = head.toLowerCase(Locale.ROOT);
			String body = "";
			Matcher length = Pattern.compile("content-length: (\\d+)").matcher(lower);
			if (length.find()) {
				body = new String(in.readNBytes(Integer.parseInt(length.group(1))), StandardCharsets.UTF_8);
			}
			else if (lower.contains("transfer-encoding: chunked")) {
				ByteArrayOutputStream bytes = new ByteArrayOutputStream();
				while (true) {
					int size = Integer.parseInt(readLine(in).trim(), 16);
					bytes.write(in.readNBytes(size));
					readLine(in);
					if (size == 0) {
						break;
					}
				}
				body = bytes.toString(StandardCharsets.UTF_8);
			}
			return new Response(head, body);
		}
		catch (SocketTimeoutException ex) {
			return fail("No answer to " + what + " within 5 s");
		}
	}

	private static String readHead(InputStream in) throws IOException {
		StringBuilder head = new StringBuilder();
		String line;
		while (!(line = readLine(in)).isEmpty()) {
			head.append(line).append("\r\n");
		}
		return head.toString();
	}

	private static String readLine(InputStream in) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		int b;
		while ((b = in.read()) != '\n') {
			if (b < 0) {
				throw new IOException("connection closed");
			}
			if (b != '\r') {
				line.write(b);
			}
		}
		return line.toString(StandardCharsets.UTF_8);
	}

	record Response(String head, String body) {
	}

}
