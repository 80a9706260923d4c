package dev.stephttp.orchestrator;

import dev.stephttp.servlet.StepHttpConfig;
import dev.stephttp.servlet.StepHttpFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** An app on embedded Jetty (loopback, port 0) whose routes sit behind the real StepHttpFilter. */
final class LibraryApp implements AutoCloseable {
  /** A route's handler. */
  interface Body {
    void handle(HttpServletRequest req, HttpServletResponse resp) throws IOException;
  }

  final Server server;
  final String url;

  private LibraryApp(Server server, String url) {
    this.server = server;
    this.url = url;
  }

  /** Starts the app checkpointing to {@code orch} with signing key {@code key} and event key "ek". */
  static LibraryApp start(Orchestrator orch, String key, Map<String, Body> routes) throws Exception {
    return start(orch, key, routes, (ctx, config) -> { });
  }

  /** Like {@link #start(Orchestrator, String, Map)}; {@code extra} adds servlets with the filter's configuration. */
  static LibraryApp start(Orchestrator orch, String key, Map<String, Body> routes,
      BiConsumer<ServletContextHandler, StepHttpConfig> extra) throws Exception {
    Server server = new Server();
    ServerConnector c = connector(server, 0);
    // Bound before the filter is configured, so that its domain (where re-entries go) is the app's
    // real origin, as a deployment configures it.
    c.open();
    String url = "http://127.0.0.1:" + c.getLocalPort();
    StepHttpConfig config = StepHttpConfig.builder().baseUrl(orch.baseUrl()).signingKey(key)
        .eventKey("ek").domain(url).build();
    ServletContextHandler ctx = new ServletContextHandler();
    ctx.setContextPath("/");
    ctx.addFilter(new FilterHolder(new StepHttpFilter(config)), "/*", EnumSet.of(DispatcherType.REQUEST));
    new LinkedHashMap<>(routes).forEach((path, body) -> ctx.addServlet(new ServletHolder(servlet(body)), path));
    extra.accept(ctx, config);
    server.setHandler(ctx);
    server.start();
    return new LibraryApp(server, url);
  }

  /** Starts a plain app (no filter) answering every path with {@code all}. */
  static LibraryApp plain(Body all) throws Exception {
    return plain(all, 0);
  }

  /** Like {@link #plain(Body)} on a given port (0 for any), e.g. to restart an app in place. */
  static LibraryApp plain(Body all, int port) throws Exception {
    ServletContextHandler ctx = new ServletContextHandler();
    ctx.setContextPath("/");
    ctx.addServlet(new ServletHolder(servlet(all)), "/*");
    return loopback(ctx, port);
  }

  private static LibraryApp loopback(ServletContextHandler ctx, int port) throws Exception {
    Server server = new Server();
    ServerConnector c = connector(server, port);
    server.setHandler(ctx);
    server.start();
    return new LibraryApp(server, "http://127.0.0.1:" + c.getLocalPort());
  }

  private static ServerConnector connector(Server server, int port) {
    ServerConnector c = new ServerConnector(server);
    c.setHost("127.0.0.1");
    c.setPort(port);
    server.addConnector(c);
    return c;
  }

  static HttpServlet servlet(Body body) {
    return new HttpServlet() {
      private static final long serialVersionUID = 1L;

      @Override
      protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        body.handle(req, resp);
      }
    };
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }
}
