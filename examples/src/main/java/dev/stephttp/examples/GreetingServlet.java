package dev.stephttp.examples;

import dev.stephttp.Step;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** {@code GET /greet?name=Ada}: two steps, answered synchronously with the handler's response. */
public final class GreetingServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String name = req.getParameter("name") == null ? "world" : req.getParameter("name");
    String title = Step.run("look-up-title", String.class, () -> name.startsWith("Dr") ? "" : "dear ");
    String greeting = Step.run("compose", String.class, () -> "Hello, " + title + name + "!");
    Json.write(resp, 200, java.util.Map.of("greeting", greeting));
  }
}
