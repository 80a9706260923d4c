package dev.stephttp.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stephttp.orchestrator.model.RunStatus;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: a client retrying create-run after a timeout got 409, told its user 503 while the
 * run lived on, and the user's retry made a second run. Create-run is idempotent on run_id.
 */
class CreateRunRetryTest {
  static final String KEY = "signkey-test-0123456789abcdef0123456789abcdef";

  @TempDir java.nio.file.Path dir;
  Orchestrator orch;

  @BeforeEach
  void start() {
    orch = Orchestrator.builder().port(0).database(dir.resolve("retry.db")).signingKey(KEY)
        .retryBackoff(Duration.ofMillis(50)).outputMaxWait(Duration.ZERO).start();
  }

  @AfterEach
  void stop() {
    orch.close();
  }

  Http.Result create(String prefix, ObjectNode body) {
    return Http.post(orch.baseUrl() + prefix, KEY, body.toString());
  }

  @Test
  void retriedCreateRunAnswersTheSameSuccessAndChangesNothing() throws Exception {
    String id = Runs.newRunId();
    ObjectNode body = Runs.create(id, "http://127.0.0.1:1", "/order", 0,
        Runs.stepRun("charge", "ch-1"), Runs.sleep("nap", "1h"));
    Http.Result first = create("/v1/checkpoint", body);
    assertThat(first.status()).as(first.body()).isEqualTo(200);
    Map<String, Long> before = Runs.counts(orch);
    Map<String, String> stepsBefore = Runs.steps(orch, id);

    // Tokens carry whole seconds: the retry goes out in a later second and must not get a newer one.
    long second = System.currentTimeMillis() / 1000;
    Runs.await("the next second", Duration.ofSeconds(3), () -> System.currentTimeMillis() / 1000 > second);
    ObjectNode again = body.deepCopy().put("ts", System.currentTimeMillis() + 5000);
    Http.Result retry = create("/v1/checkpoint", again);
    Http.Result viaAlias = create("/v1/http/runs", again);

    for (Http.Result r : java.util.List.of(retry, viaAlias)) {
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      JsonNode d = r.json().get("data");
      JsonNode f = first.json().get("data");
      for (String field : new String[] {"run_id", "fn_id", "app_id", "token", "realtime_token"}) {
        assertThat(d.get(field)).as(field).isEqualTo(f.get(field));
      }
    }
    assertThat(Runs.counts(orch)).isEqualTo(before);
    assertThat(Runs.steps(orch, id)).isEqualTo(stepsBefore);
    assertThat(Runs.run(orch, id).status()).isEqualTo(RunStatus.RUNNING);
    Http.Result output = Http.get(orch.baseUrl() + "/v1/http/runs/" + id + "/output?token="
        + retry.json().get("data").get("token").asText());
    assertThat(output.status()).as(output.body()).isEqualTo(200);
    assertThat(output.json().get("status").asText()).isEqualTo("running");
  }

  @Test
  void existingRunIdWithADifferentBodyIsStill409() {
    String id = Runs.newRunId();
    Http.Result first = create("/v1/checkpoint",
        Runs.create(id, "http://127.0.0.1:1", "/order", 0, Runs.stepRun("a", 1)));
    assertThat(first.status()).isEqualTo(200);
    Map<String, Long> before = Runs.counts(orch);

    ObjectNode otherPath = Runs.create(id, "http://127.0.0.1:1", "/refund", 0, Runs.stepRun("a", 1));
    ObjectNode otherData = Runs.create(id, "http://127.0.0.1:1", "/order", 0, Runs.stepRun("a", 1));
    ((ObjectNode) otherData.get("event").get("data")).put("body", "{\"amount\":2}");

    for (ObjectNode body : java.util.List.of(otherPath, otherData)) {
      Http.Result r = create("/v1/checkpoint", body);
      assertThat(r.status()).isEqualTo(409);
      assertThat(r.json().get("error").asText()).isEqualTo("Run already exists");
      assertThat(r.json().get("status").asInt()).isEqualTo(409);
    }
    assertThat(Runs.counts(orch)).isEqualTo(before);
  }
}
