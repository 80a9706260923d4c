package dev.stephttp.benchmarks;

import java.io.IOException;
import java.net.ServerSocket;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** The benchmarks' Jetty servers: 127.0.0.1, a free port, a named pool of daemon threads. */
final class Loopback {
  private Loopback() {}

  /** Starts {@code handler} on a new server whose pool is named {@code name}. */
  static Server start(String name, int maxThreads, int minThreads, Handler handler) throws Exception {
    QueuedThreadPool pool = new QueuedThreadPool(maxThreads, minThreads);
    pool.setName(name);
    pool.setDaemon(true);
    Server server = new Server(pool);
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    server.setHandler(handler);
    server.start();
    return server;
  }

  /** {@code http://127.0.0.1:<port>} of a server started by {@link #start}. */
  static String url(Server server) {
    return "http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort();
  }

  /** A port of 127.0.0.1 nothing listens on (taken free, closed again): an orchestrator never contacted. */
  static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
