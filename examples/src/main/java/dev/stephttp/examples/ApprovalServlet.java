package dev.stephttp.examples;

import dev.stephttp.Event;
import dev.stephttp.Step;
import dev.stephttp.WaitForEvent;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * {@code POST /approvals?request=r-1&timeout=60s}: files a request and waits for the event {@code
 * approval/granted} with {@code data.requestId} equal to it. Answers {@code 200} with the approver,
 * or {@code 408} when the timeout passes first.
 */
public final class ApprovalServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  /** The event that resolves the wait. */
  public static final String EVENT = "approval/granted";

  @Override
  protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String request = req.getParameter("request");
    if (request == null || request.isBlank()) {
      Json.write(resp, 400, Map.of("error", "the request parameter is required"));
      return;
    }
    Duration timeout = Duration.parse("PT" + (req.getParameter("timeout") == null ? "60s" : req.getParameter("timeout")));
    String filed = Step.run("file-request", String.class, () -> "filed " + request);
    Optional<Event> granted = Step.waitForEvent("await-approval",
        WaitForEvent.named(EVENT).where("data.requestId", request).timeout(timeout), Event.class);
    if (granted.isEmpty()) {
      Json.write(resp, 408, Map.of("request", request, "status", "timed out"));
      return;
    }
    Json.write(resp, 200, Map.of("request", request, "status", filed + ", approved by " + granted.get().data().get("by")));
  }
}
