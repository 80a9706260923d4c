package dev.stephttp.it;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** The sleeping scenario as a servlet a web.xml can name; counts in {@link #COUNTS}. */
public final class WebXmlSleepServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  /** Step counts of every instance in this JVM (tags keep the scenarios apart). */
  public static final Counters COUNTS = new Counters();

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    Handlers.sleep(COUNTS, req, resp);
  }
}
