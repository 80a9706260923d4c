package dev.stephttp.orchestrator;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** A Jetty app (port 0) whose answers are scripted per call; records every re-entry request. */
final class RawApp implements AutoCloseable {

  /** One received request. */
  record Received(String method, String uri, String query, Map<String, String> headers,
      byte[] body) {
    String header(String name) {
      return headers.get(name.toLowerCase(java.util.Locale.ROOT));
    }
  }

  interface Answer {
    void answer(Received req, HttpServletResponse resp) throws IOException;
  }

  final List<Received> received = new CopyOnWriteArrayList<>();
  private final List<Answer> script = new CopyOnWriteArrayList<>();
  private final Server server;
  private final int port;

  RawApp() throws Exception {
    server = new Server();
    ServerConnector c = new ServerConnector(server);
    c.setHost("127.0.0.1");
    c.setPort(0);
    server.addConnector(c);
    ServletContextHandler ctx = new ServletContextHandler();
    ctx.setContextPath("/");
    ctx.addServlet(new ServletHolder(new HttpServlet() {
      private static final long serialVersionUID = 1L;

      @Override
      protected void service(HttpServletRequest req, HttpServletResponse resp)
          throws IOException {
        Map<String, String> h = new TreeMap<>();
        for (String n : Collections.list(req.getHeaderNames())) {
          h.put(n.toLowerCase(java.util.Locale.ROOT), req.getHeader(n));
        }
        Received r = new Received(req.getMethod(), req.getRequestURI(), req.getQueryString(), h,
            req.getInputStream().readAllBytes());
        int n = received.size();
        received.add(r);
        script.get(Math.min(n, script.size() - 1)).answer(r, resp);
      }
    }), "/*");
    server.setHandler(ctx);
    server.start();
    port = c.getLocalPort();
  }

  /** Answers for the 1st, 2nd, … call; the last one repeats. */
  RawApp then(Answer a) {
    script.add(a);
    return this;
  }

  String domain() {
    return "http://127.0.0.1:" + port;
  }

  static Answer ops(int status, String json, Map<String, String> headers) {
    return (req, resp) -> {
      resp.setStatus(status);
      resp.setHeader("X-Inngest-SDK", "java:v0.1.0");
      headers.forEach(resp::setHeader);
      resp.setContentType("application/json");
      resp.getOutputStream().write(json.getBytes(StandardCharsets.UTF_8));
    };
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }
}
