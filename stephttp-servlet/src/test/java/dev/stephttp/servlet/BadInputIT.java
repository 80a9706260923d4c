package dev.stephttp.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.f4b6a3.ulid.UlidCreator;
import dev.stephttp.internal.Sdk;
import dev.stephttp.internal.wire.Json;
import dev.stephttp.internal.wire.Signatures;
import dev.stephttp.internal.wire.StepIds;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Defined outcomes for bad input (acceptance item 6 of the library issue). */
class BadInputIT {
  StandInOrchestrator orchestrator;
  TestApp app;

  @BeforeEach
  void start() throws Exception {
    Handlers.COUNTS.clear();
    orchestrator = new StandInOrchestrator();
    app = TestApp.start(TestApp.config(orchestrator).maxCapturedRequestBytes(1024).build(), Handlers.all());
  }

  @AfterEach
  void stop() throws Exception {
    app.close();
    orchestrator.close();
  }

  private Response reenter(String path) throws Exception {
    String signature = Signatures.sign(WireConformanceIT.SIGNING_KEY, new byte[0], Instant.now().getEpochSecond());
    return app.http.newCall(new Request.Builder().url(app.baseUrl + path)
        .header("X-Run-ID", UlidCreator.getMonotonicUlid().toString())
        .header("X-Inngest-Signature", signature).build()).execute();
  }

  private static void assertNoStackTrace(String body) {
    assertThat(body).doesNotContain("\tat ").doesNotContain("at dev.stephttp").doesNotContain("Exception:");
  }

  @Test
  void reentryBodyAboveTheCaptureLimitIsRejectedSayingItCannotBeVerified() throws Exception {
    byte[] body = new byte[2000];
    Arrays.fill(body, (byte) 'x');
    String signature = Signatures.sign(WireConformanceIT.SIGNING_KEY, body, Instant.now().getEpochSecond());
    try (Response response = app.http.newCall(new Request.Builder().url(app.baseUrl + "/flow")
        .header("X-Run-ID", UlidCreator.getMonotonicUlid().toString()).header("X-Inngest-Signature", signature)
        .post(RequestBody.create(body, MediaType.get("text/plain"))).build()).execute()) {
      assertThat(response.code()).isEqualTo(401);
      assertThat(response.header("x-inngest-no-retry")).isEqualTo("true");
      assertThat(Json.parse(response.body().bytes()).path("errors").get(0).path("message").asText())
          .isEqualTo("the request body exceeds maxCapturedRequestBytes (1024 bytes), so X-Inngest-Signature"
              + " cannot be verified");
    }
    assertThat(Handlers.count("flow.a")).isZero();
    assertThat(orchestrator.requests).isEmpty();
  }

  @Test
  void failingStateCallAnswersRetriable500WithoutRunningTheHandler() throws Exception {
    orchestrator.actionsStatus = 410;
    try (Response response = reenter("/flow")) {
      assertThat(response.code()).isEqualTo(500);
      assertThat(response.header("X-Inngest-SDK")).isEqualTo(Sdk.HEADER_VALUE);
      String body = response.body().string();
      assertThat(Json.parse(body.getBytes()).path("errors").get(0).path("code").asText()).isEqualTo("state_unavailable");
      assertNoStackTrace(body);
    }
    assertThat(Handlers.count("flow.a")).isZero();
  }

  @Test
  void malformedStatePayloadsAnswerRetriable500() throws Exception {
    for (String payload : List.of("[1,2]", "not json", "\"text\"")) {
      orchestrator.actionsBody = payload;
      try (Response response = reenter("/flow")) {
        assertThat(response.code()).as(payload).isEqualTo(500);
        assertNoStackTrace(response.body().string());
      }
    }
    assertThat(Handlers.count("flow.a")).isZero();
  }

  @Test
  void memoizedValueOfTheWrongShapeFailsTheReentryRetriably() throws Exception {
    orchestrator.state.put(StepIds.hash("order"), Json.mapper().readTree("{\"data\":{\"not\":\"a string\"}}"));
    try (Response response = reenter("/wait")) {
      assertThat(response.code()).isEqualTo(500);
      assertThat(response.header("x-inngest-no-retry")).isEqualTo("false");
      assertNoStackTrace(response.body().string());
    }
  }

  @Test
  void oversizeBodyStreamsThroughUncaptured() throws Exception {
    byte[] big = new byte[5000];
    Arrays.fill(big, (byte) 'x');
    try (Response response = app.http.newCall(new Request.Builder().url(app.baseUrl + "/sync")
        .post(RequestBody.create(big, MediaType.get("text/plain"))).build()).execute()) {
      assertThat(response.code()).isEqualTo(201);
      assertThat(response.body().string()).contains("A:" + new String(big));
    }
    orchestrator.await(Duration.ofSeconds(10), o -> !o.requestsTo(p -> p.equals("/v1/checkpoint")).isEmpty());
    JsonNode data = orchestrator.requestsTo(p -> p.equals("/v1/checkpoint")).get(0).json().path("event").path("data");
    assertThat(data.path("body").asText()).isEmpty();
  }

  @Test
  void handlerThatThrowsAnswers500WithoutStackTraceAndFailsTheRun() throws Exception {
    try (Response response = app.http.newCall(new Request.Builder().url(app.baseUrl + "/throws").build()).execute()) {
      assertThat(response.code()).isEqualTo(500);
      String body = response.body().string();
      assertThat(Json.parse(body.getBytes()).path("errors").get(0).path("code").asText()).isEqualTo("handler_failed");
      assertThat(body).doesNotContain("secret internal detail");
      assertNoStackTrace(body);
    }
    orchestrator.await(Duration.ofSeconds(10), o -> o.checkpointedOps().size() == 2);
    JsonNode complete = orchestrator.checkpointedOps().get(1);
    assertThat(complete.path("op").asText()).isEqualTo("RunComplete");
    assertThat(complete.path("data").path("status").asInt()).isEqualTo(500);
  }

  @Test
  void handlerThatThrowsDuringReentryAnswersRetriable500() throws Exception {
    orchestrator.state.put(StepIds.hash("a"), Json.mapper().readTree("{\"data\":null}"));
    try (Response response = reenter("/throws")) {
      assertThat(response.code()).isEqualTo(500);
      assertThat(response.header("x-inngest-no-retry")).isEqualTo("false");
      assertThat(response.header("X-Inngest-SDK")).isEqualTo(Sdk.HEADER_VALUE);
      String body = response.body().string();
      assertThat(Json.parse(body.getBytes()).path("name").asText()).isEqualTo("IllegalArgumentException");
      assertNoStackTrace(body);
    }
  }

  @Test
  void reentryWithMalformedRunIdIsRejected() throws Exception {
    String signature = Signatures.sign(WireConformanceIT.SIGNING_KEY, new byte[0], Instant.now().getEpochSecond());
    try (Response response = app.http.newCall(new Request.Builder().url(app.baseUrl + "/flow")
        .header("X-Run-ID", "../../etc/passwd").header("X-Inngest-Signature", signature).build()).execute()) {
      assertThat(response.code()).isEqualTo(401);
      assertNoStackTrace(response.body().string());
    }
    assertThat(orchestrator.requestsTo(p -> p.contains("/actions"))).isEmpty();
    assertThat(Handlers.count("flow.a")).isZero();
  }
}
