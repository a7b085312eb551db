package dev.strand.demo;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.strand.cluster.TestRedis;

/**
 * The demo as several servers, each its own JVM (so that one can be killed with SIGKILL), sharing one Redis, behind
 * Debian's nginx as a round-robin balancer that is not sticky: one request goes to one server, the next to the
 * next. nginx logs which server answered each request, so that a test can check that a page's requests really
 * were spread. With no nginx installed the tests fail, saying how to get it ({@code .ci/run} installs it).
 */
final class DemoCluster implements AutoCloseable {

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	final TestRedis redis;

	private final Path dir;

	private final List<Node> nodes = new ArrayList<>();

	private final int port;

	private final String[] properties;

	private final Class<?> application;

	private Process nginx;

	private DemoCluster(Class<?> application, TestRedis redis, Path dir, int port, String... properties) {
		this.application = application;
		this.properties = properties;
		this.redis = redis;
		this.dir = dir;
		this.port = port;
	}

	/**
	 * Start Redis, the servers, and nginx in front of them.
	 * @param count how many servers
	 * @param properties more properties for every server, such as {@code strand.cluster.node-timeout=2s}
	 * @return the cluster, every server answering
	 */
	static DemoCluster start(int count, String... properties) throws IOException {
		return start(DemoApplication.class, count, properties);
	}

	/**
	 * Start Redis, servers of an application, and nginx in front of them.
	 * @param application the application's class, with a {@code main} method
	 * @param count how many servers
	 * @param properties more properties for every server
	 * @return the cluster, every server answering
	 */
	static DemoCluster start(Class<?> application, int count, String... properties) throws IOException {
		String nginx = nginx();
		TestRedis redis = TestRedis.start();
		int[] ports = freePorts(count + 1);
		DemoCluster cluster = new DemoCluster(application, redis, Files.createTempDirectory("strand-cluster"), ports[count],
				properties);
		try {
			for (int i = 0; i < count; i++) {
				cluster.nodes.add(cluster.startNode(i, ports[i], properties));
			}
			for (int i = 0; i < count; i++) {
				cluster.nodes.set(i, cluster.awaitUp(cluster.nodes.get(i)));
			}
			cluster.startNginx(nginx);
			return cluster;
		}
		catch (IOException | RuntimeException ex) {
			cluster.close();
			throw ex;
		}
	}

	private static String nginx() {
		for (String candidate : List.of("/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx")) {
			if (new File(candidate).canExecute()) {
				return candidate;
			}
		}
		throw new IllegalStateException("The cluster tests put nginx in front of the servers, and it is not installed: "
				+ "apt-get install -y nginx (.ci/run does)");
	}

	/**
	 * Start a server that was killed again, on a new port (its old one may linger in TIME_WAIT), and reload nginx
	 * to send requests there.
	 * @param node the server
	 */
	void restart(Node node) {
		try {
			Node again = awaitUp(startNode(node.index, freePorts(1)[0], this.properties));
			this.nodes.set(this.nodes.indexOf(node), again);
			Files.writeString(this.dir.resolve("nginx.conf"), nginxConf());
			new ProcessBuilder("kill", "-HUP", Long.toString(this.nginx.pid())).start().waitFor();
			long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
			while (!read(this.dir.resolve("error.log")).contains("reconfiguring") && System.nanoTime() < deadline) {
				sleep(100);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Wait until a server answers. One whose port was taken meanwhile (a free port is only free until someone
	 * binds it, and other tests run beside these) starts again on another.
	 */
	private Node awaitUp(Node node) throws IOException {
		for (int attempt = 1;; attempt++) {
			try {
				node.awaitUp();
				return node;
			}
			catch (IllegalStateException ex) {
				if (attempt == 3 || !node.log().contains("was already in use")) {
					throw ex;
				}
				node = startNode(node.index, freePorts(1)[0], this.properties);
			}
		}
	}

	private Node startNode(int index, int nodePort, String... properties) throws IOException {
		List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx256m",
				"-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), this.application.getName(),
				"--server.port=" + nodePort, "--spring.profiles.active=cluster", "--spring.data.redis.host=" + this.redis.host(),
				"--spring.data.redis.port=" + this.redis.port(), "--spring.main.banner-mode=off",
				// the demo's 2 s fails fast in production; here a loaded test machine (a browser, several JVMs and
				// Redis on two cores) once stalled one command past it and failed a logout
				"--spring.data.redis.timeout=5s",
				"--management.endpoints.web.exposure.include=health,metrics"));
		for (String property : properties) {
			command.add("--" + property);
		}
		Path log = this.dir.resolve("node-" + index + "-" + System.nanoTime() + ".log");
		Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
		return new Node(index, nodePort, process, log);
	}

	private void startNginx(String binary) throws IOException {
		Path file = this.dir.resolve("nginx.conf");
		Files.writeString(file, nginxConf());
		this.nginx = new ProcessBuilder(binary, "-p", this.dir.toString(), "-c", file.toString())
			.redirectErrorStream(true)
			.redirectOutput(this.dir.resolve("nginx.out").toFile())
			.start();
		long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
		while (status(url("/actuator/health")) != 200) {
			if (!this.nginx.isAlive() || System.nanoTime() > deadline) {
				throw new IllegalStateException("nginx did not start: " + Files.readString(this.dir.resolve("nginx.out"))
						+ read(this.dir.resolve("error.log")));
			}
			sleep(100);
		}
	}

	private String nginxConf() {
		StringBuilder servers = new StringBuilder();
		for (Node node : this.nodes) {
			servers.append("    server 127.0.0.1:").append(node.port).append(" max_fails=1 fail_timeout=2s;\n");
		}
		boolean root = "root".equals(System.getProperty("user.name"));
		String conf = (root ? "user root;\n" : "") + """
				worker_processes 1;
				daemon off;
				pid %1$s/nginx.pid;
				error_log %1$s/error.log notice;
				worker_shutdown_timeout 1s;
				events { worker_connections 1024; }
				http {
				  log_format spread '$request_method $request_uri $upstream_addr $status';
				  access_log %1$s/access.log spread;
				  client_body_temp_path %1$s/body;
				  proxy_temp_path %1$s/proxy;
				  fastcgi_temp_path %1$s/fastcgi;
				  uwsgi_temp_path %1$s/uwsgi;
				  scgi_temp_path %1$s/scgi;
				  upstream demo {
				%2$s  }
				  server {
				    listen 127.0.0.1:%3$d;
				    location / {
				      proxy_pass http://demo;
				      proxy_http_version 1.1;
				      proxy_set_header Connection "";
				      proxy_set_header Host $http_host;
				      proxy_buffering off;
				      proxy_read_timeout 1h;
				      proxy_connect_timeout 1s;
				    }
				  }
				}
				""".formatted(this.dir, servers, this.port);
		return conf;
	}

	String url(String path) {
		return "http://127.0.0.1:" + this.port + path;
	}

	List<Node> nodes() {
		return this.nodes;
	}

	/**
	 * Move the balancer's round robin on: the page sends requests through it that only take a turn each.
	 * @param page a page of the cluster
	 * @param turns how many turns to skip
	 */
	static void skipTurns(com.microsoft.playwright.Page page, int turns) {
		for (int turn = 0; turn < turns; turn++) {
			page.evaluate("fetch('/actuator/health')");
		}
	}

	/**
	 * Return where nginx's log ends now, to read what comes after.
	 * @return the log's length
	 */
	int logMark() {
		return read(this.dir.resolve("access.log")).length();
	}

	/**
	 * Return the servers that answered requests whose path starts with this prefix, by nginx's log.
	 * @param since where in the log to start
	 * @param method the requests' method
	 * @param prefix the start of their path
	 * @return the servers' ports
	 */
	Set<Integer> answeredBy(int since, String method, String prefix) {
		Set<Integer> ports = new LinkedHashSet<>();
		Pattern line = Pattern.compile("^(\\S+) (\\S+) (\\S+) (\\d+)$");
		for (String entry : read(this.dir.resolve("access.log")).substring(since).split("\n")) {
			Matcher matcher = line.matcher(entry);
			if (matcher.matches() && matcher.group(1).equals(method) && matcher.group(2).startsWith(prefix)) {
				String upstream = matcher.group(3);
				ports.add(Integer.parseInt(upstream.substring(upstream.lastIndexOf(':') + 1).replaceAll("\\D.*", "")));
			}
		}
		return ports;
	}

	/** The server where the one open view lives: the one whose gauge counts it. */
	Node homeOf() {
		// an earlier test's page may have left a view on a server, kept there for its grace period: wait until the
		// only open view is this test's, or the server holding a leftover would be taken for its home
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		while (true) {
			Node home = null;
			int views = 0;
			for (Node node : this.nodes) {
				int open = node.isAlive() ? node.openViews() : 0;
				views += open;
				home = (open > 0) ? node : home;
			}
			if (views == 1) {
				return home;
			}
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("Expected one open view on the servers, but they have " + views);
			}
			try {
				Thread.sleep(100);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
		}
	}

	@Override
	public void close() {
		if (this.nginx != null) {
			stopNginx();
		}
		for (Node node : this.nodes) {
			node.process.destroyForcibly();
		}
		for (Node node : this.nodes) {
			try {
				node.process.waitFor(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		this.redis.close();
		TestRedis.deleteFolder(this.dir);
	}

	/**
	 * Stop nginx as it expects, with SIGTERM to its master, which stops its worker too. A SIGKILL would leave the
	 * worker running, orphaned, and still answering on the balancer's port.
	 */
	private void stopNginx() {
		this.nginx.destroy();
		try {
			if (!this.nginx.waitFor(10, TimeUnit.SECONDS)) {
				this.nginx.destroyForcibly();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			this.nginx.destroyForcibly();
		}
	}

	static int status(String url) {
		try {
			return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
					HttpResponse.BodyHandlers.discarding()).statusCode();
		}
		catch (IOException ex) {
			return 0;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return 0;
		}
	}

	static String body(String url) {
		try {
			return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
					HttpResponse.BodyHandlers.ofString()).body();
		}
		catch (IOException ex) {
			return "";
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return "";
		}
	}

	private static String read(Path file) {
		try {
			return Files.exists(file) ? Files.readString(file) : "";
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Distinct free ports: each socket stays open until all are chosen, so that none is chosen twice. */
	private static int[] freePorts(int count) throws IOException {
		List<ServerSocket> sockets = new ArrayList<>();
		try {
			for (int i = 0; i < count; i++) {
				sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
			}
			return sockets.stream().mapToInt(ServerSocket::getLocalPort).toArray();
		}
		finally {
			for (ServerSocket socket : sockets) {
				socket.close();
			}
		}
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** One server of the demo. */
	static final class Node {

		final int index;

		final int port;

		final Process process;

		final Path log;

		Node(int index, int port, Process process, Path log) {
			this.index = index;
			this.port = port;
			this.process = process;
			this.log = log;
		}

		void awaitUp() {
			long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
			while (status(url("/actuator/health")) != 200) {
				if (!this.process.isAlive() || System.nanoTime() > deadline) {
					throw new IllegalStateException("Server " + this.index + " did not start:\n" + read(this.log));
				}
				sleep(200);
			}
		}

		String url(String path) {
			return "http://127.0.0.1:" + this.port + path;
		}

		boolean isAlive() {
			return this.process.isAlive();
		}

		/** The value of the strand.views.active gauge. */
		int openViews() {
			Matcher value = Pattern.compile("\"value\":([0-9.]+)").matcher(body(url("/actuator/metrics/strand.views.active")));
			return value.find() ? (int) Double.parseDouble(value.group(1)) : 0;
		}

		/** Kill the server as {@code kill -9} would: no shutdown, no goodbye in Redis. */
		void kill() {
			this.process.destroyForcibly();
			try {
				this.process.waitFor();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

		String log() {
			return read(this.log);
		}

	}

}
