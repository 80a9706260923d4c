package dev.stephttp.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Regression: the output URL replays a run's final response from the dashboard's origin, so an
 * HTML answer with a script was a stored XSS against the dashboard and the management API.
 */
class OutputIsolationTest {
  static final String KEY = "signkey-test-0123456789abcdef0123456789abcdef";

  Orchestrator orch;

  @BeforeEach
  void start() {
    orch = Orchestrator.builder().port(0).inMemoryStore().signingKey(KEY).eventKey("ek")
        .retryBackoff(Duration.ofMillis(50)).start();
  }

  @AfterEach
  void stop() {
    orch.close();
  }

  @Test
  void replayedHtmlResponseIsSandboxedAndNeverSniffed() {
    String id = Runs.newRunId();
    ObjectNode complete = Runs.complete(200, "<html><script>fetch('/api/v2/runs')</script></html>");
    ObjectNode headers = (ObjectNode) complete.get("data").get("headers");
    headers.put("content-type", "text/html; charset=utf-8");
    headers.put("Content-Security-Policy", "script-src 'unsafe-inline'");
    Http.Result created = Http.post(orch.baseUrl() + "/v1/checkpoint", KEY,
        Runs.create(id, "http://127.0.0.1:1", "/page", 0, complete).toString());
    assertThat(created.status()).as(created.body()).isEqualTo(200);

    Http.Result out = Http.get(OutputPushTest.outputUrl(orch, created));

    assertThat(out.status()).isEqualTo(200);
    assertThat(out.body()).contains("<script>");
    assertThat(out.header("Content-Type")).startsWith("text/html");
    assertThat(out.headers().values("Content-Security-Policy")).containsExactly("sandbox");
    assertThat(out.header("X-Content-Type-Options")).isEqualTo("nosniff");
  }

  @Test
  void errorAnswersThatEchoUserInputAreSandboxedToo() {
    Http.Result badToken = Http.get(orch.baseUrl() + "/v1/checkpoint/" + Runs.newRunId()
        + "/output?token=%3Cscript%3E");
    Http.Result notFound = Http.get(orch.baseUrl() + "/%3Cscript%3Ealert(1)%3C%2Fscript%3E");

    assertThat(badToken.status()).isEqualTo(401);
    assertThat(notFound.status()).isEqualTo(404);
    for (Http.Result r : java.util.List.of(badToken, notFound)) {
      assertThat(r.header("Content-Security-Policy")).isEqualTo("sandbox");
      assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
    }
  }
}
