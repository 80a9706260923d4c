package dev.stephttp.orchestrator;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

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
  private final LibraryApp app;

  RawApp() throws Exception {
    app = LibraryApp.plain((req, resp) -> {
      Map<String, String> h = new TreeMap<>();
      for (String n : Collections.list(req.getHeaderNames())) {
        h.put(n.toLowerCase(java.util.Locale.ROOT), req.getHeader(n));
      }
      Received r = new Received(req.getMethod(), req.getRequestURI(), req.getQueryString(), h,
          req.getInputStream().readAllBytes());
      int n = received.size();
      received.add(r);
      script.get(Math.min(n, script.size() - 1)).answer(r, resp);
    });
  }

  /** Answers for the 1st, 2nd, … call; the last one repeats. */
  RawApp then(Answer a) {
    script.add(a);
    return this;
  }

  String domain() {
    return app.url;
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
    app.close();
  }
}
