package dev.stephttp.orchestrator;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP proxy (port 0) that resets its first {@code resets} connections at once (RST,
 * no status line) and forwards the later ones to {@code targetPort}.
 */
final class ResettingProxy implements AutoCloseable {
  final AtomicInteger accepted = new AtomicInteger();
  private final ServerSocket server;
  private final int resets;
  private final int targetPort;

  ResettingProxy(int targetPort, int resets) throws IOException {
    this.server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    this.resets = resets;
    this.targetPort = targetPort;
    daemon(this::acceptLoop);
  }

  String url() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        if (accepted.incrementAndGet() <= resets) {
          client.setSoLinger(true, 0); // close with RST
          client.close();
          continue;
        }
        Socket upstream = new Socket(InetAddress.getByName("127.0.0.1"), targetPort);
        daemon(() -> pump(client, upstream));
        daemon(() -> pump(upstream, client));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private static void pump(Socket from, Socket to) {
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      in.transferTo(out);
    } catch (IOException e) {
      // one side went away
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  private static void daemon(Runnable r) {
    Thread t = new Thread(r, "resetting-proxy");
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
