package dev.stephttp.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.github.f4b6a3.ulid.UlidCreator;
import dev.stephttp.internal.Sdk;
import dev.stephttp.internal.wire.Json;
import dev.stephttp.internal.wire.Signatures;
import dev.stephttp.internal.wire.StepIds;
import java.time.Instant;
import okhttp3.MediaType;
import okhttp3.MultipartBody;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Re-entries by the orchestrator (acceptance item 4 of the library issue). */
class ReentryIT {
  StandInOrchestrator orchestrator;
  TestApp app;
  String runId;

  @BeforeEach
  void start() throws Exception {
    Handlers.COUNTS.clear();
    orchestrator = new StandInOrchestrator();
    app = TestApp.start(TestApp.config(orchestrator).build(), Handlers.all());
    runId = UlidCreator.getMonotonicUlid().toString();
  }

  @AfterEach
  void stop() throws Exception {
    app.close();
    orchestrator.close();
  }

  private Request.Builder signed(String path, String signatureKey) {
    String signature = Signatures.sign(signatureKey, new byte[0], Instant.now().getEpochSecond());
    return new Request.Builder().url(app.baseUrl + path).header("X-Run-ID", runId).header("X-Inngest-Signature", signature);
  }

  private static JsonNode json(Response response) throws Exception {
    return Json.parse(response.body().bytes());
  }

  @Test
  void memoizedStepsReplayAndOnlyTheNextStepRuns() throws Exception {
    orchestrator.state.put(StepIds.hash("a"), Json.mapper().createObjectNode().put("data", "a-memo"));
    orchestrator.state.put(StepIds.hash("wait"), NullNode.getInstance());
    try (Response response = app.http.newCall(signed("/flow", WireConformanceIT.SIGNING_KEY).build()).execute()) {
      assertThat(response.code()).isEqualTo(206);
      assertThat(response.header("X-Inngest-SDK")).isEqualTo(Sdk.HEADER_VALUE);
      assertThat(response.header("Content-Type")).startsWith("application/json");
      JsonNode ops = json(response);
      assertThat(ops.isArray()).isTrue();
      assertThat(ops).hasSize(1);
      assertThat(ops.get(0).path("op").asText()).isEqualTo("StepRun");
      assertThat(ops.get(0).path("id").asText()).isEqualTo(StepIds.hash("b"));
      assertThat(ops.get(0).path("data").asText()).isEqualTo("b1");
    }
    assertThat(Handlers.count("flow.a")).isZero();
    assertThat(Handlers.count("flow.b")).isEqualTo(1);
    assertThat(orchestrator.requestsTo(p -> p.equals("/v0/runs/" + runId + "/actions"))).hasSize(1);
    // Re-entries report ops in the response; they never create runs.
    assertThat(orchestrator.requestsTo(p -> p.startsWith("/v1/"))).isEmpty();
  }

  @Test
  void fullyMemoizedHandlerCompletesWithItsResponse() throws Exception {
    orchestrator.state.put(StepIds.hash("a"), Json.mapper().createObjectNode().put("data", "a-memo"));
    orchestrator.state.put(StepIds.hash("wait"), NullNode.getInstance());
    // The stored form without the {"data":…} wrapper is accepted too (docs/protocol.md §4).
    orchestrator.state.put(StepIds.hash("b"), Json.mapper().getNodeFactory().textNode("b-memo"));
    try (Response response = app.http.newCall(signed("/flow", WireConformanceIT.SIGNING_KEY).build()).execute()) {
      assertThat(response.code()).isEqualTo(206);
      JsonNode ops = json(response);
      assertThat(ops).hasSize(1);
      JsonNode complete = ops.get(0);
      assertThat(complete.path("op").asText()).isEqualTo("RunComplete");
      assertThat(complete.path("id").asText()).isEqualTo(StepIds.COMPLETE_ID);
      JsonNode result = complete.path("data");
      assertThat(result.path("status").asInt()).isEqualTo(200);
      assertThat(result.path("headers").path("x-flow").asText()).isEqualTo("done");
      // The final execution's whole output: what it wrote before the (memoized) sleep, then the rest.
      assertThat(result.path("body").asText())
          .isEqualTo("partial output that must not reach the client{\"a\":\"a-memo\",\"b\":\"b-memo\"}");
    }
    assertThat(Handlers.count("flow.a")).isZero();
    assertThat(Handlers.count("flow.b")).isZero();
  }

  /**
   * The re-entry that finishes the run publishes its answer to the realtime relay (docs/protocol.md
   * §2.7) but does not wait for the relay before answering: a relay that does not answer must not
   * delay the run's completion. With a wait of a minute, answering at all proves it.
   */
  @Test
  void theFinishingReentryAnswersWithoutWaitingForTheRealtimeRelay() throws Exception {
    orchestrator.state.put(StepIds.hash("a"), Json.mapper().createObjectNode().put("data", "a-memo"));
    orchestrator.state.put(StepIds.hash("wait"), NullNode.getInstance());
    orchestrator.state.put(StepIds.hash("b"), Json.mapper().getNodeFactory().textNode("b-memo"));
    java.time.Duration wait = RelayUpload.endWait;
    RelayUpload.endWait = java.time.Duration.ofMinutes(1);
    orchestrator.holdRelay = new java.util.concurrent.CountDownLatch(1);
    try (Response response = app.http.newCall(signed("/flow", WireConformanceIT.SIGNING_KEY).build()).execute()) {
      assertThat(response.code()).isEqualTo(206);
      assertThat(json(response).get(0).path("op").asText()).isEqualTo("RunComplete");
      // the relay was reached and is still held: the answer did not wait for it
      orchestrator.await(java.time.Duration.ofSeconds(10),
          o -> !o.requestsTo(p -> p.equals("/v1/realtime/publish/tee")).isEmpty());
      assertThat(orchestrator.holdRelay.getCount()).isEqualTo(1);
      assertThat(new String(orchestrator.requestsTo(p -> p.equals("/v1/realtime/publish/tee")).get(0).body(),
          java.nio.charset.StandardCharsets.UTF_8)).contains("event: inngest.response");
    } finally {
      orchestrator.holdRelay.countDown();
      RelayUpload.endWait = wait;
    }
  }

  @Test
  void newSleepIsReportedNotExecuted() throws Exception {
    orchestrator.state.put(StepIds.hash("a"), Json.mapper().createObjectNode().put("data", "a-memo"));
    try (Response response = app.http.newCall(signed("/flow", WireConformanceIT.SIGNING_KEY).build()).execute()) {
      assertThat(response.code()).isEqualTo(206);
      JsonNode ops = json(response);
      assertThat(ops.get(0).path("op").asText()).isEqualTo("Sleep");
      assertThat(ops.get(0).path("opts").path("duration").asText()).isEqualTo("1m");
    }
  }

  @Test
  void failedStepIsReportedAsRetriableStepError() throws Exception {
    try (Response response = app.http.newCall(signed("/fail?retries=3", WireConformanceIT.SIGNING_KEY).build())
        .execute()) {
      assertThat(response.code()).isEqualTo(206);
      assertThat(response.header("x-inngest-no-retry")).isEqualTo("false");
      JsonNode op = json(response).get(0);
      assertThat(op.path("op").asText()).isEqualTo("StepError");
      assertThat(op.path("error").path("message").asText()).isEqualTo("card declined");
    }
  }

  @Test
  void storedStepErrorIsThrownToTheHandler() throws Exception {
    orchestrator.state.put(StepIds.hash("charge"), Json.mapper().readTree(
        "{\"error\":{\"name\":\"IllegalStateException\",\"message\":\"card declined\",\"data\":null}}"));
    try (Response response = app.http.newCall(signed("/fail?retries=3", WireConformanceIT.SIGNING_KEY).build())
        .execute()) {
      assertThat(response.code()).isEqualTo(206);
      JsonNode result = json(response).get(0).path("data");
      assertThat(result.path("status").asInt()).isEqualTo(402);
      assertThat(result.path("body").asText()).isEqualTo("payment failed: card declined");
    }
    assertThat(Handlers.count("fail.charge")).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"plain", "wrap"})
  void storedStepErrorThatPropagatesFailsTheRunWithoutRetry(String propagate) throws Exception {
    // Regression: it answered a retryable 500, and every retry replayed the same recorded failure.
    orchestrator.state.put(StepIds.hash("charge"), Json.mapper().readTree(
        "{\"error\":{\"name\":\"IllegalStateException\",\"message\":\"card declined\",\"data\":null}}"));
    try (Response response = app.http.newCall(
        signed("/fail?retries=3&propagate=" + propagate, WireConformanceIT.SIGNING_KEY).build()).execute()) {
      assertThat(response.code()).isEqualTo(400);
      assertThat(response.header("x-inngest-no-retry")).isEqualTo("true");
      assertThat(response.header("X-Run-ID")).isEqualTo(runId);
      JsonNode body = json(response);
      assertThat(body.path("name").asText()).isEqualTo("StepFailedException");
      assertThat(body.path("message").asText()).isEqualTo("step 'charge' failed: IllegalStateException: card declined");
    }
    assertThat(Handlers.count("fail.charge")).isZero();
  }

  @Test
  void stepFailingAnewInAReentryIsReportedNotAnsweredAsFinal() throws Exception {
    // A new final failure suspends with its op even when the handler lets the exception propagate.
    try (Response response = app.http.newCall(
        signed("/fail?retries=0&nonretriable&propagate=plain", WireConformanceIT.SIGNING_KEY).build()).execute()) {
      assertThat(response.code()).isEqualTo(206);
      JsonNode op = json(response).get(0);
      assertThat(op.path("op").asText()).isEqualTo("StepFailed");
      assertThat(op.path("error").path("message").asText()).isEqualTo("card stolen");
    }
    assertThat(Handlers.count("fail.charge")).isEqualTo(1);
  }

  @Test
  void signedJsonBodyIsVerifiedOverItsCanonicalForm() throws Exception {
    byte[] canonical = "{\"a\":1,\"b\":2}".getBytes();
    String signature = Signatures.sign(WireConformanceIT.SIGNING_KEY, canonical, Instant.now().getEpochSecond());
    Request request = new Request.Builder().url(app.baseUrl + "/sync").header("X-Run-ID", runId)
        .header("X-Inngest-Signature", signature)
        .post(RequestBody.create("{\"b\":2, \"a\":1}", MediaType.get("application/json"))).build();
    try (Response response = app.http.newCall(request).execute()) {
      assertThat(response.code()).isEqualTo(206);
      assertThat(json(response).get(0).path("id").asText()).isEqualTo(StepIds.hash("a"));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"error", "flush", "continue", "wrap"})
  void reentryReportsTheSuspensionHoweverTheHandlerTreatsIt(String how) throws Exception {
    orchestrator.state.put(StepIds.hash("a"), Json.mapper().createObjectNode().put("data", "a-memo"));
    try (Response response = app.http.newCall(signed("/swallow?how=" + how, WireConformanceIT.SIGNING_KEY).build())
        .execute()) {
      assertThat(response.code()).isEqualTo(206);
      JsonNode ops = json(response);
      assertThat(ops).hasSize(1);
      assertThat(ops.get(0).path("op").asText()).isEqualTo("Sleep");
      assertThat(ops.get(0).path("id").asText()).isEqualTo(StepIds.hash("wait"));
    }
    assertThat(Handlers.count("swallow.a")).isZero();
    assertThat(Handlers.count("swallow.after")).isZero();
  }

  @Test
  void fallbackKeyIsAccepted() throws Exception {
    app.close();
    String fallback = "signkey-test-abcdef01";
    app = TestApp.start(TestApp.config(orchestrator).signingKeyFallback(fallback).build(), Handlers.all());
    try (Response response = app.http.newCall(signed("/flow", fallback).build()).execute()) {
      assertThat(response.code()).isEqualTo(206);
    }
  }

  @Test
  void forgedSignatureIsRejectedWithoutRunningAnything() throws Exception {
    orchestrator.state.put(StepIds.hash("a"), Json.mapper().createObjectNode().put("data", "a-memo"));
    try (Response response = app.http.newCall(signed("/flow", "signkey-test-0badc0de").build()).execute()) {
      // Regression: it used to run as a brand-new request, so every retried bad re-entry made a run.
      assertThat(response.code()).isEqualTo(401);
      assertThat(response.header("x-inngest-no-retry")).isEqualTo("true");
      assertThat(json(response).path("errors").get(0).path("code").asText()).isEqualTo("invalid_signature");
    }
    assertThat(Handlers.count("flow.a")).isZero();
    assertThat(orchestrator.requestsTo(p -> p.contains("/actions"))).isEmpty();
    assertThat(orchestrator.requestsTo(p -> p.endsWith("/v1/checkpoint"))).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"HEAD", "OPTIONS"})
  void reentryWithAMethodThatIsNeverDurableIsAnswered405WithoutRetry(String method) throws Exception {
    orchestrator.state.put(StepIds.hash("a"), Json.mapper().createObjectNode().put("data", "a-memo"));
    try (Response response = app.http.newCall(signed("/flow", WireConformanceIT.SIGNING_KEY).method(method, null)
        .build()).execute()) {
      // Regression: a HEAD re-entry ran the handler and its empty 206 completed the run upstream.
      assertThat(response.code()).isEqualTo(405);
      assertThat(response.header("x-inngest-no-retry")).isEqualTo("true");
      assertThat(response.header("X-Inngest-SDK")).isEqualTo(Sdk.HEADER_VALUE);
      if (method.equals("OPTIONS")) {
        assertThat(json(response).path("errors").get(0).path("message").asText())
            .isEqualTo("OPTIONS requests are not durable, so they cannot be re-entered");
      }
    }
    assertThat(Handlers.count("flow.a")).isZero();
    assertThat(Handlers.count("flow.b")).isZero();
    assertThat(orchestrator.requests).isEmpty();
  }

  @Test
  void multipartRunCompletesThroughReentriesThatCarryTheRecordedEmptyBody() throws Exception {
    // Regression: a multipart re-entry's body was not read, so it could never verify (401; before
    // that, each retried re-entry created a new run).
    RequestBody upload = new MultipartBody.Builder().setType(MultipartBody.FORM)
        .addFormDataPart("name", "Ada").addFormDataPart("file", "a.txt", RequestBody.create("hello", null)).build();
    String contentType;
    try (Response response = app.http.newCall(new Request.Builder().url(app.baseUrl + "/upload?tag=t1").post(upload)
        .build()).execute()) {
      assertThat(response.code()).isEqualTo(303);
      runId = response.header("X-Run-ID");
    }
    JsonNode created = orchestrator.requestsTo(p -> p.equals("/v1/checkpoint")).get(0).json();
    contentType = created.path("event").path("data").path("content_type").asText();
    assertThat(contentType).startsWith("multipart/form-data; boundary=");
    assertThat(created.path("event").path("data").path("body").asText()).isEmpty();
    for (JsonNode op : orchestrator.checkpointedOps()) {
      orchestrator.state.put(op.path("id").asText(), op.path("op").asText().equals("Sleep")
          ? NullNode.getInstance() : Json.mapper().createObjectNode().set("data", op.path("data")));
    }
    assertThat(Handlers.count("upload.name")).isEqualTo(1);

    // As the orchestrator re-enters: the recorded method, content type and (empty) body, signed.
    try (Response response = app.http.newCall(signed("/upload?tag=t1", WireConformanceIT.SIGNING_KEY)
        .post(RequestBody.create(new byte[0], MediaType.get(contentType))).build()).execute()) {
      assertThat(response.code()).isEqualTo(206);
      JsonNode op = json(response).get(0);
      assertThat(op.path("op").asText()).isEqualTo("StepRun");
      assertThat(op.path("id").asText()).isEqualTo(StepIds.hash("after"));
    }
    assertThat(Handlers.count("upload.after")).isEqualTo(1);
    orchestrator.state.put(StepIds.hash("after"), NullNode.getInstance());
    try (Response response = app.http.newCall(signed("/upload?tag=t1", WireConformanceIT.SIGNING_KEY)
        .post(RequestBody.create(new byte[0], MediaType.get(contentType))).build()).execute()) {
      assertThat(response.code()).isEqualTo(206);
      JsonNode result = json(response).get(0).path("data");
      assertThat(result.path("status").asInt()).isEqualTo(200);
      // What a multipart handler sees on re-entry: no parts; the query's parameters; steps memoized.
      assertThat(result.path("body").asText()).isEqualTo("name=Ada parts=0 tag=t1");
    }
    assertThat(Handlers.count("upload.name")).isEqualTo(1);
    assertThat(Handlers.count("upload.after")).isEqualTo(1);
    assertThat(orchestrator.requestsTo(p -> p.equals("/v1/checkpoint"))).hasSize(1);
  }

  @Test
  void expiredSignatureIsRejected() throws Exception {
    String old = Signatures.sign(WireConformanceIT.SIGNING_KEY, new byte[0], Instant.now().minusSeconds(600).getEpochSecond());
    Request request = new Request.Builder().url(app.baseUrl + "/flow").header("X-Run-ID", runId)
        .header("X-Inngest-Signature", old).build();
    try (Response response = app.http.newCall(request).execute()) {
      assertThat(response.code()).isEqualTo(401);
    }
    assertThat(Handlers.count("flow.a")).isZero();
    assertThat(orchestrator.requestsTo(p -> p.contains("/actions"))).isEmpty();
  }

  @Test
  void devModeSkipsVerification() throws Exception {
    app.close();
    app = TestApp.start(TestApp.config(orchestrator).signingKey(null).dev(true).build(), Handlers.all());
    orchestrator.state.put(StepIds.hash("a"), Json.mapper().createObjectNode().put("data", "a-memo"));
    Request request = new Request.Builder().url(app.baseUrl + "/flow").header("X-Run-ID", runId)
        .header("X-Inngest-Signature", "").build();
    try (Response response = app.http.newCall(request).execute()) {
      assertThat(response.code()).isEqualTo(206);
      assertThat(json(response).get(0).path("op").asText()).isEqualTo("Sleep");
    }
    assertThat(Handlers.count("flow.a")).isZero();
  }

  @Test
  void targetedStepIdIsHonoured() throws Exception {
    orchestrator.state.put(StepIds.hash("a"), Json.mapper().createObjectNode().put("data", "a-memo"));
    orchestrator.state.put(StepIds.hash("wait"), NullNode.getInstance());
    try (Response response = app.http.newCall(signed("/flow", WireConformanceIT.SIGNING_KEY)
        .header("X-Inngest-Step-ID", StepIds.hash("b")).build()).execute()) {
      assertThat(response.code()).isEqualTo(206);
      assertThat(json(response).get(0).path("id").asText()).isEqualTo(StepIds.hash("b"));
    }
    try (Response response = app.http.newCall(signed("/flow", WireConformanceIT.SIGNING_KEY)
        .header("X-Inngest-Step-ID", StepIds.hash("elsewhere")).build()).execute()) {
      assertThat(response.code()).isEqualTo(500);
      assertThat(response.header("x-inngest-no-retry")).isEqualTo("false");
      JsonNode body = json(response);
      assertThat(body.path("error").asText()).contains(StepIds.hash("elsewhere"));
      assertThat(body.path("foundSteps")).hasSize(3);
    }
    assertThat(Handlers.count("flow.b")).isEqualTo(1);
  }
}
