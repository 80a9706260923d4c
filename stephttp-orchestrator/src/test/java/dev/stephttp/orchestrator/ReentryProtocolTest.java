package dev.stephttp.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stephttp.internal.wire.Signatures;
import dev.stephttp.internal.wire.StepIds;
import dev.stephttp.orchestrator.model.RunRecord;
import dev.stephttp.orchestrator.model.RunStatus;
import dev.stephttp.orchestrator.model.StoredJson;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Re-entry requests (§5.1–5.2) and the interpretation of app responses (§5.5, Errata 2). */
class ReentryProtocolTest {
  static final String KEY = "signkey-test-12345678";
  static final Duration WAIT = Duration.ofSeconds(20);

  Orchestrator orch;
  RawApp app;

  @BeforeEach
  void start() throws Exception {
    orch = Orchestrator.builder().port(0).inMemoryStore().signingKey(KEY).eventKey("k")
        .retryBackoff(Duration.ofMillis(20)).start();
    app = new RawApp();
  }

  @AfterEach
  void stop() throws Exception {
    app.close();
    orch.close();
  }

  String create(ObjectNode body) {
    Http.Result r = Http.post(orch.baseUrl() + "/v1/http/runs", "Bearer " + KEY, body.toString());
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json().get("data").get("run_id").asText();
  }

  RunRecord awaitEnd(String id) {
    Runs.await("run " + id + " finished", WAIT, () -> !Runs.run(orch, id).running());
    return Runs.run(orch, id);
  }

  static final String COMPLETE = "{\"id\":\"" + StepIds.COMPLETE_ID + "\",\"op\":\"RunComplete\","
      + "\"data\":{\"status\":200,\"headers\":{\"content-type\":\"application/json\"},"
      + "\"body\":\"{\\\"ok\\\":true}\",\"version\":2}}";

  @Test
  void goRunIsReplayedWithMethodQueryBodyAndCompletesWithItsPlainResponse() {
    app.then((req, resp) -> {
      resp.setStatus(202);
      resp.setHeader("X-Inngest-Sdk", "go:0.16.0");
      resp.setHeader("X-Custom", "c1");
      resp.getOutputStream().write("plain go body".getBytes(StandardCharsets.UTF_8));
    });
    String id = Runs.newRunId();
    ObjectNode body = Runs.create(id, app.domain(), "/go", 0, Runs.stepRun("a", 1),
        Runs.sleep("s", "10ms"));
    ObjectNode ev = (ObjectNode) body.get("event");
    ev.put("name", "http/run.started");
    ((ObjectNode) ev.get("data")).put("method", "POST").put("query_params", "a=1&b=2")
        .put("content_type", "application/json")
        .put("body", Base64.getEncoder().encodeToString("{\"x\":1}".getBytes()));
    body.remove("request_version");
    body.remove("retries");
    body.put("idempotency", "");
    create(body);
    RunRecord run = awaitEnd(id);

    RawApp.Received req = app.received.get(0);
    assertThat(req.method()).isEqualTo("POST");
    assertThat(req.uri()).isEqualTo("/go");
    assertThat(req.query()).isEqualTo("a=1&b=2");
    assertThat(new String(req.body(), StandardCharsets.UTF_8)).isEqualTo("{\"x\":1}");
    assertThat(req.header("content-type")).startsWith("application/json");
    assertThat(req.header("x-run-id")).isEqualTo(id);
    assertThat(req.header("x-inngest-req-version")).isEqualTo("-1");
    // §5.2: Go runs are signed over the timestamp only
    assertThat(Signatures.verify(req.header("x-inngest-signature"), new byte[0], KEY,
        Instant.now(), Duration.ofMinutes(5))).isTrue();
    assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
    assertThat(run.output()).contains("\"status\":202").contains("plain go body")
        .contains("X-Custom");
  }

  @Test
  void tsStyleSingleObjectRunCompleteFinishesTheRun() {
    app.then(RawApp.ops(206, COMPLETE, Map.of()));
    String id = Runs.newRunId();
    create(Runs.create(id, app.domain(), "/ts", 0, Runs.sleep("s", "1ms")));
    RunRecord run = awaitEnd(id);
    assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
    assertThat(StoredJson.parse(run.output()).at("/data/body").asText()).isEqualTo("{\"ok\":true}");
    assertThat(app.received.get(0).header("x-inngest-req-version")).isEqualTo("2");
    assertThat(Signatures.verify(app.received.get(0).header("x-inngest-signature"), new byte[0],
        KEY, Instant.now(), Duration.ofMinutes(5))).isTrue();
  }

  @Test
  void missingSdkHeaderIsRetriedAndEmptyArrayRedrivesDiscovery() {
    app.then((req, resp) -> resp.setStatus(502))
        .then(RawApp.ops(206, "[]", Map.of()))
        .then(RawApp.ops(206, "[" + COMPLETE + "]", Map.of()));
    String id = Runs.newRunId();
    create(Runs.create(id, app.domain(), "/r", 1, Runs.sleep("s", "1ms")));
    assertThat(awaitEnd(id).status()).isEqualTo(RunStatus.COMPLETED);
    assertThat(app.received).hasSize(3);
  }

  @Test
  void noRetryHeaderFailsTheRunAtOnce() {
    app.then(RawApp.ops(500, "{\"name\":\"Error\",\"message\":\"boom\"}",
        Map.of("x-inngest-no-retry", "true")));
    String id = Runs.newRunId();
    create(Runs.create(id, app.domain(), "/r", 3, Runs.sleep("s", "1ms")));
    RunRecord run = awaitEnd(id);
    assertThat(run.status()).isEqualTo(RunStatus.FAILED);
    assertThat(run.output()).contains("invalid status code: 500").contains("boom");
    assertThat(app.received).hasSize(1);
  }

  @Test
  void exhaustedRetriesFailTheRunWithTheReason() {
    app.then((req, resp) -> resp.setStatus(503));
    String id = Runs.newRunId();
    create(Runs.create(id, app.domain(), "/r", 2, Runs.sleep("s", "1ms")));
    RunRecord run = awaitEnd(id);
    assertThat(run.status()).isEqualTo(RunStatus.FAILED);
    assertThat(run.output()).contains("RetriesExhausted").contains("didn't receive SDK response");
    assertThat(app.received).hasSize(3);
  }

  @Test
  void stepPlannedTargetsTheStep() {
    String planned = "[" + FakeApp.op("StepPlanned", "p").toString() + "]";
    app.then(RawApp.ops(206, planned, Map.of()))
        .then(RawApp.ops(206, "[" + COMPLETE + "]", Map.of()));
    String id = Runs.newRunId();
    create(Runs.create(id, app.domain(), "/r", 0, Runs.sleep("s", "1ms")));
    awaitEnd(id);
    assertThat(app.received.get(0).header("x-inngest-step-id")).isNull();
    assertThat(app.received.get(1).header("x-inngest-step-id")).isEqualTo(StepIds.hash("p"));
  }

  @Test
  void completingBatchSchedulesNothing() {
    // Errata 2: Go sends [..., StepFailed, RunComplete] after a no-retry error in the sync phase
    ObjectNode failed = FakeApp.op("StepFailed", "b");
    failed.putObject("error").put("name", "Step failed").put("message", "no");
    String id = Runs.newRunId();
    create(Runs.create(id, app.domain(), "/r", 0, Runs.stepRun("a", 1), failed,
        Runs.complete(200, "ok")));
    RunRecord run = Runs.run(orch, id);
    assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
    assertThat(Runs.counts(orch).get("work")).isZero();
    assertThat(Runs.counts(orch).get("pauses")).isZero();
  }

  @Test
  void storedStepErrorsKeepErrorData() {
    // Errata 1: {"error":{"name","message","data":null}} even when the op had no data
    app.then(RawApp.ops(206, "[" + COMPLETE + "]", Map.of()));
    ObjectNode failed = FakeApp.op("StepFailed", "b");
    failed.putObject("error").put("name", "Step failed").put("message", "no")
        .put("__serialized", true);
    String id = Runs.newRunId();
    create(Runs.create(id, app.domain(), "/r", 0, failed));
    // §9.3: the sync request caught the failure and goes on; it finishes the run itself
    Http.Result done = Http.post(orch.baseUrl() + "/v1/checkpoint/" + id + "/steps",
        "Bearer " + KEY, "{\"run_id\":\"" + id + "\",\"steps\":[" + COMPLETE + "]}");
    assertThat(done.status()).isEqualTo(200);
    awaitEnd(id);
    assertThat(Runs.steps(orch, id)).containsEntry(StepIds.hash("b"),
        "{\"error\":{\"name\":\"Step failed\",\"message\":\"no\",\"data\":null}}");
    assertThat(app.received).isEmpty(); // a sync-phase StepFailed re-enters nothing
  }

  @Test
  void tsPostBodyIsReplayedAndSignedOverItsCanonicalJson() {
    app.then(RawApp.ops(206, COMPLETE, Map.of()));
    String id = Runs.newRunId();
    ObjectNode body = Runs.create(id, app.domain(), "/ts", 0, Runs.sleep("s", "1ms"));
    ((ObjectNode) body.get("event").get("data")).put("method", "POST")
        .put("content_type", "application/json").put("body", "{\"b\":2, \"a\":1}");
    create(body);
    awaitEnd(id);
    RawApp.Received req = app.received.get(0);
    assertThat(new String(req.body(), StandardCharsets.UTF_8)).isEqualTo("{\"b\":2, \"a\":1}");
    assertThat(Signatures.verify(req.header("x-inngest-signature"),
        "{\"a\":1,\"b\":2}".getBytes(StandardCharsets.UTF_8), KEY, Instant.now(),
        Duration.ofMinutes(5))).isTrue();
  }

  @Test
  void goResponseRouteCompletesTheRun() {
    String id = Runs.newRunId();
    create(Runs.create(id, app.domain(), "/r", 0, Runs.sleep("s", "1h")));
    Http.Result r = Http.post(orch.baseUrl() + "/v1/http/runs/" + id + "/response",
        "Bearer " + KEY, "{\"run_id\":\"" + id + "\",\"result\":{\"status\":204,"
            + "\"headers\":{},\"body\":\"\"}}");
    assertThat(r.status()).isEqualTo(200);
    assertThat(Runs.run(orch, id).status()).isEqualTo(RunStatus.COMPLETED);
    assertThat(Runs.counts(orch).get("work")).isZero();
  }

  @Test
  void repeatedEventIdIsDeduplicated() {
    app.then(RawApp.ops(206, "[" + COMPLETE + "]", Map.of()));
    String a = Runs.newRunId();
    create(Runs.create(a, app.domain(), "/r", 0, Runs.waitFor("w", "ping", "1h", null)));
    String ping = "{\"name\":\"ping\",\"id\":\"dup-1\"}";
    assertThat(Http.post(orch.baseUrl() + "/e/k", null, ping).status()).isEqualTo(200);
    assertThat(Runs.steps(orch, a)).containsKey(StepIds.hash("w"));

    String b = Runs.newRunId();
    create(Runs.create(b, app.domain(), "/r", 0, Runs.waitFor("w", "ping", "1h", null)));
    Http.Result again = Http.post(orch.baseUrl() + "/e/k", null, ping);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().get("ids")).hasSize(1);
    assertThat(Runs.steps(orch, b)).isEmpty(); // the repeat resumed nothing
    assertThat(Http.post(orch.baseUrl() + "/e/k", null, "{\"name\":\"ping\"}").status())
        .isEqualTo(200);
    assertThat(Runs.steps(orch, b)).containsKey(StepIds.hash("w"));
  }

  @Test
  void plannedSiblingsRunBeforeASingleDiscovery() {
    app.then((req, resp) -> {
      String target = req.header("x-inngest-step-id");
      String body = target == null ? "[" + COMPLETE + "]"
          : "[" + Runs.stepRun(target.equals(StepIds.hash("p1")) ? "p1" : "p2", 1) + "]";
      RawApp.ops(206, body, Map.of()).answer(req, resp);
    });
    String id = Runs.newRunId();
    create(Runs.create(id, app.domain(), "/r", 0, FakeApp.op("StepPlanned", "p1"),
        FakeApp.op("StepPlanned", "p2")));
    assertThat(awaitEnd(id).status()).isEqualTo(RunStatus.COMPLETED);
    // the planned siblings may run side by side (reentryFanOutPerRun), the discovery comes last
    assertThat(app.received).extracting(r -> r.header("x-inngest-step-id")).hasSize(3)
        .containsExactlyInAnyOrder(StepIds.hash("p1"), StepIds.hash("p2"), null)
        .last().isNull();
    assertThat(Runs.steps(orch, id)).containsKeys(StepIds.hash("p1"), StepIds.hash("p2"));
  }
}
