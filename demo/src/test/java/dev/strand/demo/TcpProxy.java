package dev.strand.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A loopback TCP proxy in front of the application under test, so that a test can drop the browser's
 * connections as a network failure would: both ends are reset, and new connections are accepted again at once.
 */
final class TcpProxy implements AutoCloseable {

	private final ServerSocket server;

	private final int target;

	private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();

	private volatile boolean open = true;

	private volatile boolean refusing;

	private final Consumer<String> log;

	TcpProxy(int target) throws IOException {
		this(target, (line) -> {
		});
	}

	/**
	 * A proxy that says what it did to the connections that did not end cleanly, for a failing test's output.
	 * @param target the application's port
	 * @param log where each line goes
	 */
	TcpProxy(int target, Consumer<String> log) throws IOException {
		this.target = target;
		this.log = (line) -> log.accept("proxy: " + line);
		this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		Thread.ofPlatform().daemon().name("tcp-proxy-accept").start(this::accept); // not a virtual thread: the app under test may keep the carriers busy
	}

	int port() {
		return this.server.getLocalPort();
	}

	/**
	 * Reset every connection it is given from now on, as a server that is down would, or stop doing so.
	 * @param refusing whether to refuse
	 */
	void refuse(boolean refusing) {
		this.refusing = refusing;
	}

	/** Reset every open connection, in both directions. */
	void dropConnections() {
		for (Socket socket : this.sockets) {
			reset(socket);
		}
	}

	@Override
	public void close() throws IOException {
		this.log.accept("closes");
		this.open = false;
		this.server.close();
		dropConnections();
	}

	private void accept() {
		while (this.open) {
			try {
				Socket client = this.server.accept();
				if (this.refusing) {
					this.log.accept("refused a connection from port " + client.getPort());
					reset(client);
					continue;
				}
				connect(client);
			}
			catch (IOException ex) {
				if (this.open) {
					this.log.accept("accept failed: " + ex);
				}
			}
			catch (RuntimeException | Error ex) {
				this.log.accept("accept thread died: " + ex);
				throw ex;
			}
		}
	}

	private void connect(Socket client) {
		try {
			Socket upstream = new Socket(InetAddress.getLoopbackAddress(), this.target);
			this.sockets.add(client);
			this.sockets.add(upstream);
			pipe(client, upstream);
			pipe(upstream, client);
		}
		catch (IOException ex) {
			// the application is not there: the browser's connection fails as it would without the proxy
			this.log.accept("could not reach the application for port " + client.getPort() + ": " + ex);
			reset(client);
		}
	}

	private void pipe(Socket from, Socket to) {
		Thread.ofPlatform().daemon().name("tcp-proxy-pipe").start(() -> {
			try (InputStream in = from.getInputStream()) {
				OutputStream out = to.getOutputStream();
				byte[] buffer = new byte[8192];
				int read;
				while ((read = in.read(buffer)) != -1) {
					out.write(buffer, 0, read);
					out.flush();
				}
				to.shutdownOutput();
			}
			catch (IOException ex) {
				if (!from.isClosed() && !to.isClosed()) { // not one that dropConnections() reset
					this.log.accept("reset ports " + from.getPort() + " and " + to.getPort() + " after " + ex);
				}
				reset(from);
				reset(to);
			}
			finally {
				this.sockets.remove(from);
			}
		});
	}

	private void reset(Socket socket) {
		try {
			socket.setSoLinger(true, 0);
			socket.close();
		}
		catch (IOException ex) {
			// already closed
		}
		this.sockets.remove(socket);
	}

}
