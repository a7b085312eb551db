package dev.strand.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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

	TcpProxy(int target) throws IOException {
		this.target = target;
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
		this.open = false;
		this.server.close();
		dropConnections();
	}

	private void accept() {
		while (this.open) {
			try {
				Socket client = this.server.accept();
				if (this.refusing) {
					reset(client);
					continue;
				}
				Socket upstream = new Socket(InetAddress.getLoopbackAddress(), this.target);
				this.sockets.add(client);
				this.sockets.add(upstream);
				pipe(client, upstream);
				pipe(upstream, client);
			}
			catch (IOException ex) {
				// closed, or the application refused: the browser sees a failed connection
			}
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
