package dev.strand.cluster;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

import org.springframework.util.FileSystemUtils;

/**
 * A real Redis for tests: from Testcontainers where a Docker engine answers, otherwise a {@code redis-server}
 * started on a free loopback port. Neither is skipped: with no Docker and no {@code redis-server} on the
 * {@code PATH}, it fails, saying how to get one ({@code .ci/run} installs {@code redis-server}). Redis keeps an
 * append-only file, so that a restart keeps what it had, as a production Redis would.
 */
public final class TestRedis implements AutoCloseable {

	private final Path dir;

	private final int port;

	private final String host;

	private final GenericContainer<?> container;

	private Process process;

	private TestRedis(Path dir, String host, int port, GenericContainer<?> container, Process process) {
		this.dir = dir;
		this.host = host;
		this.port = port;
		this.container = container;
		this.process = process;
	}

	/**
	 * Start a Redis.
	 * @return it, answering
	 */
	public static TestRedis start() {
		try {
			Path dir = Files.createTempDirectory("strand-redis");
			if (dockerAnswers()) {
				GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse("redis:7.4-alpine"))
					.withExposedPorts(6379)
					.withCommand("redis-server", "--appendonly", "yes", "--enable-debug-command", "yes");
				container.start();
				return new TestRedis(dir, container.getHost(), container.getMappedPort(6379), container, null);
			}
			String server = redisServer();
			int port;
			try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
				port = socket.getLocalPort();
			}
			TestRedis redis = new TestRedis(dir, "127.0.0.1", port, null, null);
			redis.process = redis.launch(server);
			return redis;
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not start Redis for the tests", ex);
		}
	}

	private static boolean dockerAnswers() {
		try {
			return DockerClientFactory.instance().isDockerAvailable();
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	private static String redisServer() {
		for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
			File candidate = new File(dir, "redis-server");
			if (candidate.canExecute()) {
				return candidate.getPath();
			}
		}
		for (String fixed : List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server")) {
			if (new File(fixed).canExecute()) {
				return fixed;
			}
		}
		throw new IllegalStateException("These tests need Redis, and neither a Docker engine (for Testcontainers) nor "
				+ "redis-server was found: install redis-server (apt-get install -y redis-server; .ci/run does) or start Docker");
	}

	private Process launch(String server) throws IOException {
		Process started = new ProcessBuilder(server, "--port", Integer.toString(this.port), "--bind", "127.0.0.1",
				"--save", "", "--appendonly", "yes", "--dir", this.dir.toString(), "--daemonize", "no")
			.redirectErrorStream(true)
			.redirectOutput(this.dir.resolve("redis.log").toFile())
			.start();
		awaitAnswering(started);
		return started;
	}

	private void awaitAnswering(Process started) throws IOException {
		long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
		while (System.nanoTime() < deadline) {
			if (started != null && !started.isAlive()) {
				throw new IllegalStateException("redis-server exited: " + Files.readString(this.dir.resolve("redis.log")));
			}
			if ("+PONG".equals(command("PING"))) {
				return;
			}
			sleep(50);
		}
		throw new IllegalStateException("Redis did not answer on port " + this.port + " within 20 s");
	}

	/**
	 * Send one command and return the first line of its answer, or {@code null} if Redis cannot be reached.
	 * @param words the command's words
	 * @return the answer's first line
	 */
	public String command(String... words) {
		try (Socket socket = new Socket(this.host, this.port)) {
			socket.setSoTimeout(5000);
			StringBuilder request = new StringBuilder("*" + words.length + "\r\n");
			for (String word : words) {
				request.append('$').append(word.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(word).append("\r\n");
			}
			socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.UTF_8));
			StringBuilder line = new StringBuilder();
			int c;
			while ((c = socket.getInputStream().read()) != -1 && c != '\r') {
				line.append((char) c);
			}
			return line.toString();
		}
		catch (IOException ex) {
			return null;
		}
	}

	/**
	 * Return the properties that point Spring Boot at this Redis.
	 * @return the properties
	 */
	public Map<String, String> properties() {
		return Map.of("spring.data.redis.host", this.host, "spring.data.redis.port", Integer.toString(this.port));
	}

	public String host() {
		return this.host;
	}

	public int port() {
		return this.port;
	}

	/** Stop Redis, as a crash or an outage would: clients' connections drop, and nothing answers. */
	public void stop() {
		if (this.container != null) {
			this.container.getDockerClient().pauseContainerCmd(this.container.getContainerId()).exec();
			return;
		}
		if (this.process != null) {
			this.process.destroy();
			waitFor(this.process);
			this.process = null;
		}
	}

	/** Start Redis again, on the same port, with what its append-only file kept. */
	public void restart() {
		try {
			if (this.container != null) {
				this.container.getDockerClient().unpauseContainerCmd(this.container.getContainerId()).exec();
				command("DEBUG", "RESTART");
				awaitAnswering(null);
				return;
			}
			stop();
			this.process = launch(redisServer());
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not restart Redis", ex);
		}
	}

	@Override
	public void close() {
		if (this.container != null) {
			this.container.stop();
		}
		else {
			stop();
		}
		deleteFolder(this.dir);
	}

	/**
	 * Delete a test's folder and what is in it, once what wrote there has stopped.
	 * @param dir the folder
	 */
	public static void deleteFolder(Path dir) {
		try {
			FileSystemUtils.deleteRecursively(dir);
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not delete " + dir, ex);
		}
	}

	private static void waitFor(Process process) {
		try {
			process.waitFor();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
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

}
