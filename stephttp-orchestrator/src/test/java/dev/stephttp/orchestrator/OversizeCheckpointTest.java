package dev.stephttp.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stephttp.orchestrator.model.RunRecord;
import dev.stephttp.orchestrator.model.RunStatus;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: an oversize step sent through {@code /steps} was dropped with the rest of its
 * batch (the run's RunComplete among it) and the run stayed RUNNING for ever. It is rejected
 * with 413 and the run fails with a reason.
 */
class OversizeCheckpointTest {
  static final String KEY = "signkey-test-0123456789abcdef0123456789abcdef";

  @TempDir Path dir;
  Orchestrator orch;
  String runId;
  String token;

  @BeforeEach
  void start() {
    orch = Orchestrator.builder().port(0).database(dir.resolve("big.db")).signingKey(KEY)
        .retryBackoff(Duration.ofMillis(50)).outputMaxWait(Duration.ofSeconds(5)).start();
    runId = Runs.newRunId();
    Http.Result created = Http.post(orch.baseUrl() + "/v1/checkpoint", KEY,
        Runs.create(runId, "http://127.0.0.1:1", "/export", 0, Runs.stepRun("a", 1)).toString());
    assertThat(created.status()).as(created.body()).isEqualTo(200);
    token = created.json().get("data").get("token").asText();
  }

  @AfterEach
  void stop() {
    orch.close();
  }

  Http.Result steps(String body) {
    return Http.post(orch.baseUrl() + "/v1/checkpoint/" + runId + "/steps", KEY, body);
  }

  void assertRejectedAndRunFailed(Http.Result r, String reason) {
    assertThat(r.status()).as(r.body()).isEqualTo(413);
    JsonNode error = r.json();
    assertThat(error.get("status").asInt()).isEqualTo(413);
    assertThat(error.get("data").isNull()).isTrue();
    assertThat(error.get("error").asText()).contains(reason);
    RunRecord run = Runs.run(orch, runId);
    assertThat(run.status()).isEqualTo(RunStatus.FAILED);
    assertThat(run.output()).contains("OutputTooLarge", reason);
    assertThat(Runs.counts(orch).get("work")).isZero();
  }

  @Test
  void stepOverFourMiBFailsTheRunAndAnswers413() {
    ObjectNode big = Runs.stepRun("export", "x".repeat(4 * 1024 * 1024 + 10));
    String body = "{\"run_id\":\"" + runId + "\",\"steps\":[" + big + ","
        + Runs.complete(200, "done") + "]}";

    Http.Result r = steps(body);

    assertRejectedAndRunFailed(r, "exceeds the 4 MiB limit");
    Http.Result output = Http.get(orch.baseUrl() + "/v1/checkpoint/" + runId + "/output?token="
        + token);
    assertThat(output.status()).isEqualTo(500);
    assertThat(output.body()).contains("OutputTooLarge");
  }

  @Test
  void checkpointBodyOverEightMiBFailsTheRunAndAnswers413() {
    String body = "{\"run_id\":\"" + runId + "\",\"steps\":["
        + Runs.stepRun("export", "x".repeat(9 * 1024 * 1024)) + "]}";

    Http.Result r = steps(body);

    assertRejectedAndRunFailed(r, "larger than 8 MiB");
  }
}
