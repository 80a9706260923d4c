package dev.stephttp.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stephttp.internal.wire.StepIds;
import dev.stephttp.orchestrator.model.RunRecord;
import dev.stephttp.orchestrator.model.RunStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End-to-end run lifecycles over real sockets: orchestrator (SQLite) + a fake Java-client app. */
class LifecycleTest {
  static final String KEY = "signkey-test-12345678";
  static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;
  Orchestrator orch;
  FakeApp app;

  @BeforeEach
  void start() throws Exception {
    orch = Orchestrator.builder().port(0).database(dir.resolve("test.db")).signingKey(KEY)
        .eventKey("evkey").retryBackoff(Duration.ofMillis(50)).start();
    app = new FakeApp().orchestrator(orch.baseUrl(), KEY);
  }

  @AfterEach
  void stop() throws Exception {
    app.close();
    orch.close();
  }

  RunRecord run(String id) {
    return orch.store().read(tx -> tx.run(id));
  }

  Map<String, String> steps(String id) {
    return orch.store().read(tx -> tx.steps(id));
  }

  Http.Result create(com.fasterxml.jackson.databind.node.ObjectNode body) {
    Http.Result r = Http.post(orch.baseUrl() + "/v1/checkpoint", KEY, body.toString());
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r;
  }

  String outputUrl(Http.Result created) {
    JsonNode d = created.json().get("data");
    return orch.baseUrl() + "/v1/http/runs/" + d.get("run_id").asText() + "/output?token="
        + d.get("token").asText();
  }

  @Test
  void syncRunIsRecordedAsCompletedWithItsSteps() {
    String id = Runs.newRunId();
    Http.Result created = create(Runs.create(id, app.domain(), "/sync", 3,
        Runs.stepRun("a", Map.of("ok", true))));
    JsonNode data = created.json().get("data");
    assertThat(data.get("token").asText()).isNotEmpty();
    assertThat(data.get("realtime_token").asText()).isNotEmpty();
    assertThat(data.get("run_id").asText()).isEqualTo(id);
    Http.Result steps = Http.post(orch.baseUrl() + "/v1/checkpoint/" + id + "/steps", KEY,
        "{\"run_id\":\"" + id + "\",\"steps\":[" + Runs.complete(200, "hello") + "]}");
    assertThat(steps.status()).isEqualTo(200);
    assertThat(steps.bodyBytes()).isEmpty();

    assertThat(run(id).status()).isEqualTo(RunStatus.COMPLETED);
    assertThat(steps(id))
        .containsEntry(StepIds.hash("a"), "{\"data\":{\"ok\":true}}");
    Http.Result out = Http.get(outputUrl(created));
    assertThat(out.status()).isEqualTo(200);
    assertThat(out.body()).isEqualTo("hello");
    assertThat(app.reentries.get()).isZero();
    // §4: state is gone after finalization
    assertThat(Http.get(orch.baseUrl() + "/v0/runs/" + id + "/actions", KEY).status())
        .isEqualTo(410);
  }

  @Test
  void sleepThenReentryDeliversFinalResponseToTheBlockedClient() throws Exception {
    app.handle("/sleepy", ctx -> {
      ctx.run("a", () -> "never re-run");
      ctx.sleep("nap", "300ms");
      JsonNode b = ctx.run("b", () -> "b-result");
      return new FakeApp.Response(201, Map.of("content-type", "text/plain", "x-custom", "yes"),
          "final " + b.asText());
    });
    String id = Runs.newRunId();
    Http.Result created = create(Runs.create(id, app.domain(), "/sleepy", 0,
        Runs.stepRun("a", "done-in-sync"), Runs.sleep("nap", "300ms")));
    CompletableFuture<Http.Result> blocked = Http.getAsync(outputUrl(created));

    Http.Result out = blocked.get(20, TimeUnit.SECONDS);
    assertThat(out.status()).isEqualTo(201);
    assertThat(out.header("x-custom")).isEqualTo("yes");
    assertThat(out.header("content-type")).startsWith("text/plain");
    assertThat(out.body()).isEqualTo("final b-result");
    assertThat(app.executions(id, "a")).isZero();
    assertThat(app.executions(id, "b")).isEqualTo(1);
    assertThat(app.badSignatures.get()).isZero();
    assertThat(run(id).status()).isEqualTo(RunStatus.COMPLETED);
  }

  @Test
  void stepFailingOnceIsRetriedAndRecovers() {
    app.handle("/flaky", ctx -> {
      ctx.sleep("s", "1ms");
      JsonNode v = ctx.run("charge", () -> {
        if (app.executions(ctx.runId, "charge") == 1) {
          throw new IllegalStateException("card declined once");
        }
        return "charged";
      });
      return new FakeApp.Response(200, Map.of(), v.asText());
    });
    String id = Runs.newRunId();
    create(Runs.create(id, app.domain(), "/flaky", 2, Runs.sleep("s", "1ms")));
    Runs.await("run completed", WAIT, () -> !run(id).running());
    assertThat(run(id).status()).isEqualTo(RunStatus.COMPLETED);
    assertThat(app.executions(id, "charge")).isEqualTo(2);
    assertThat(run(id).output()).contains("charged");
  }

  @Test
  void alwaysFailingStepFailsTheRunAndOutputReportsIt() {
    app.handle("/broken", ctx -> {
      ctx.sleep("s", "1ms");
      ctx.run("charge", () -> {
        throw new IllegalStateException("card declined");
      });
      return new FakeApp.Response(200, Map.of(), "unreachable");
    });
    String id = Runs.newRunId();
    Http.Result created = create(Runs.create(id, app.domain(), "/broken", 1,
        Runs.sleep("s", "1ms")));
    Runs.await("run failed", WAIT, () -> !run(id).running());
    assertThat(run(id).status()).isEqualTo(RunStatus.FAILED);
    assertThat(app.executions(id, "charge")).isEqualTo(2); // retries: 1 → 2 attempts
    Http.Result out = Http.get(outputUrl(created));
    assertThat(out.status()).isEqualTo(500);
    assertThat(out.json().path("error").path("message").asText()).contains("card declined");
  }

  @Test
  void waitForEventResumesOnlyOnAMatchingEvent() {
    app.handle("/approve", ctx -> {
      JsonNode ev = ctx.waitForEvent("approval", "order/approved", "1h",
          "async.data.orderId == \"o1\"");
      return new FakeApp.Response(200, Map.of(), "approved " + ev.path("data").path("orderId")
          .asText());
    });
    String id = Runs.newRunId();
    create(Runs.create(id, app.domain(), "/approve", 0,
        Runs.waitFor("approval", "order/approved", "1h", "async.data.orderId == \"o1\"")));

    Http.Result miss = Http.post(orch.baseUrl() + "/e/evkey", null,
        "{\"name\":\"order/approved\",\"data\":{\"orderId\":\"o2\"}}");
    assertThat(miss.status()).isEqualTo(200);
    assertThat(miss.json().get("ids")).hasSize(1);
    // ingestion and matching commit together: after the 200 the miss is final
    assertThat(steps(id)).isEmpty();
    assertThat(run(id).running()).isTrue();

    Http.Result hit = Http.post(orch.baseUrl() + "/e/evkey", null,
        "[{\"name\":\"order/approved\",\"data\":{\"orderId\":\"o1\"}}]");
    assertThat(hit.status()).isEqualTo(200);
    assertThat(steps(id)).containsKey(StepIds.hash("approval"));
    Runs.await("run completed", WAIT, () -> !run(id).running());
    assertThat(run(id).output()).contains("approved o1");
  }

  @Test
  void waitForEventTimeoutStoresNullAndTheHandlerSeesEmpty() {
    app.handle("/timeout", ctx -> {
      JsonNode ev = ctx.waitForEvent("approval", "order/approved", "200ms", null);
      return new FakeApp.Response(200, Map.of(), ev.isNull() ? "timed out" : "got event");
    });
    String id = Runs.newRunId();
    create(Runs.create(id, app.domain(), "/timeout", 0,
        Runs.waitFor("approval", "order/approved", "200ms", null)));
    Runs.await("run completed", WAIT, () -> !run(id).running());
    assertThat(run(id).output()).contains("timed out");
    assertThat(steps(id))
        .containsEntry(StepIds.hash("approval"), "null");
  }
}
