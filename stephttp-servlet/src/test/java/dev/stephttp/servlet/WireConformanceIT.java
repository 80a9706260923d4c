package dev.stephttp.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stephttp.internal.Sdk;
import dev.stephttp.internal.wire.Json;
import dev.stephttp.internal.wire.SigningKeys;
import dev.stephttp.internal.wire.StepIds;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The sync phase and the async switch on the wire (acceptance items 2 and 3 of the library issue). */
class WireConformanceIT {
  static final String SIGNING_KEY = "signkey-test-12345678";
  static final Duration WAIT = Duration.ofSeconds(10);

  StandInOrchestrator orchestrator;
  TestApp app;

  @BeforeEach
  void start() throws Exception {
    Handlers.COUNTS.clear();
    orchestrator = new StandInOrchestrator();
    app = TestApp.start(TestApp.config(orchestrator).build(), Handlers.all());
  }

  @AfterEach
  void stop() throws Exception {
    Handlers.afterFirstStep = null;
    app.close();
    orchestrator.close();
  }

  @Test
  void syncRunIsCreatedAndCompletedFieldByField() throws Exception {
    CountDownLatch hold = new CountDownLatch(1);
    orchestrator.holdCreateRun = hold;
    // The handler continues after step "a" only once create-run (carrying just "a") has arrived.
    CountDownLatch arrived = new CountDownLatch(1);
    orchestrator.createRunArrived = arrived;
    Handlers.afterFirstStep = arrived;
    Request request = new Request.Builder()
        .url(app.baseUrl + "/sync?x=1&y=%C3%A9")
        .header("X-Forwarded-For", "203.0.113.7, 10.0.0.1")
        .post(RequestBody.create("{\"sku\":\"abc\"}", MediaType.get("application/json")))
        .build();
    String runId;
    int returned = TestApp.RETURNED.get();
    // The user's response arrives while the create-run call is still held at the orchestrator:
    // the handler never waits for a checkpoint, and RunComplete cannot have been sent yet.
    try (Response response = app.http.newCall(request).execute()) {
      assertThat(response.code()).isEqualTo(201);
      assertThat(response.header("X-Custom")).isEqualTo("yes");
      assertThat(response.body().string()).isEqualTo("{\"a\":\"A:{\"sku\":\"abc\"}\",\"b\":1}");
      runId = response.header("X-Run-ID");
    }
    TestApp.awaitReturned(returned + 1, WAIT);
    assertThat(orchestrator.requestsTo(p -> p.endsWith("/steps"))).isEmpty();
    hold.countDown();
    orchestrator.await(WAIT, o -> o.checkpointedOps().stream().anyMatch(op -> op.path("op").asText().equals("RunComplete")));

    StandInOrchestrator.Recorded create = orchestrator.requestsTo(p -> p.equals("/v1/checkpoint")).get(0);
    assertThat(create.header("Authorization")).isEqualTo("Bearer " + SigningKeys.hashedBearer(SIGNING_KEY));
    assertThat(create.header("X-Inngest-SDK")).isEqualTo(Sdk.HEADER_VALUE);
    JsonNode body = create.json();
    assertThat(body.path("run_id").asText()).isEqualTo(runId).matches("[0-7][0-9A-HJKMNP-TV-Z]{25}");
    assertThat(body.path("request_version").asInt()).isEqualTo(2);
    assertThat(body.path("retries").isInt()).isTrue();
    assertThat(body.path("retries").asInt()).isEqualTo(3);
    assertThat(body.path("ts").isIntegralNumber()).isTrue();
    JsonNode event = body.path("event");
    assertThat(event.path("name").asText()).isEqualTo("inngest/http.request");
    JsonNode data = event.path("data");
    assertThat(data.path("domain").asText()).isEqualTo(app.baseUrl);
    assertThat(data.path("method").asText()).isEqualTo("POST");
    assertThat(data.path("path").asText()).isEqualTo("/sync");
    assertThat(data.path("fn").asText()).isEqualTo("");
    assertThat(data.path("ip").asText()).isEqualTo("203.0.113.7, 10.0.0.1");
    assertThat(data.path("content_type").asText()).startsWith("application/json");
    assertThat(data.path("query_params").asText()).isEqualTo("x=1&y=%C3%A9");
    assertThat(data.path("body").asText()).isEqualTo("{\"sku\":\"abc\"}");

    // Ops are checkpointed in order; those produced while a call is in flight share the next call.
    List<JsonNode> all = orchestrator.checkpointedOps();
    assertThat(all).extracting(op -> op.path("op").asText()).containsExactly("StepRun", "StepRun", "RunComplete");
    JsonNode first = all.get(0);
    assertThat(body.path("steps")).hasSize(1);
    assertThat(body.path("steps").get(0)).isEqualTo(first);
    assertThat(first.path("id").asText()).isEqualTo(StepIds.hash("a"));
    assertThat(first.path("name").asText()).isEqualTo("a");
    assertThat(first.path("data").asText()).isEqualTo("A:{\"sku\":\"abc\"}");
    assertThat(first.path("timing").path("a").asLong()).isGreaterThan(1_600_000_000_000_000_000L);
    assertThat(first.path("timing").path("b").asLong()).isGreaterThanOrEqualTo(0);
    assertThat(first.path("userland").path("id").asText()).isEqualTo("a");
    assertThat(first.path("userland").has("index")).isFalse();
    assertThat(all.get(1).path("id").asText()).isEqualTo(StepIds.hash("b"));
    assertThat(all.get(1).path("data").asInt()).isEqualTo(1);

    // Later ops went to /steps of the run, at most one call in flight: while create-run was held
    // everything else queued up and went out in a single call.
    List<StandInOrchestrator.Recorded> steps = orchestrator.requestsTo(p -> p.endsWith("/steps"));
    assertThat(steps).hasSize(1);
    StandInOrchestrator.Recorded later = steps.get(0);
    assertThat(later.path()).isEqualTo("/v1/checkpoint/" + runId + "/steps");
    assertThat(later.header("Authorization")).isEqualTo("Bearer " + SigningKeys.hashedBearer(SIGNING_KEY));
    JsonNode laterBody = later.json();
    assertThat(laterBody.path("run_id").asText()).isEqualTo(runId);
    assertThat(laterBody.path("fn_id").asText()).isEqualTo(StandInOrchestrator.FN_ID);
    assertThat(laterBody.path("app_id").asText()).isEqualTo(StandInOrchestrator.APP_ID);
    assertThat(laterBody.path("steps")).hasSize(2);
    JsonNode complete = all.get(2);
    assertThat(complete.path("op").asText()).isEqualTo("RunComplete");
    assertThat(complete.path("id").asText()).isEqualTo(StepIds.COMPLETE_ID);
    JsonNode result = complete.path("data");
    assertThat(result.path("status").asInt()).isEqualTo(201);
    assertThat(result.path("headers").path("x-custom").asText()).isEqualTo("yes");
    assertThat(result.path("headers").path("content-type").asText()).startsWith("application/json");
    result.path("headers").fieldNames().forEachRemaining(n -> assertThat(n).isLowerCase());
    assertThat(result.path("body").asText()).isEqualTo("{\"a\":\"A:{\"sku\":\"abc\"}\",\"b\":1}");
    assertThat(result.path("duration").asLong()).isPositive();
  }

  @Test
  void aRequestThatEndsWithinTheLingerIsRecordedInOneCallAfterItsResponse() throws Exception {
    app.close();
    // A linger no request outlasts: only the end of the request can send the run.
    app = TestApp.start(TestApp.config(orchestrator).checkpointLinger(Duration.ofSeconds(30)).build(), Handlers.all());
    String runId;
    try (Response response = app.http.newCall(new Request.Builder().url(app.baseUrl + "/sync")
        .post(RequestBody.create("{\"sku\":\"abc\"}", MediaType.get("application/json"))).build()).execute()) {
      assertThat(response.code()).isEqualTo(201);
      runId = response.header("X-Run-ID");
    }
    orchestrator.await(WAIT, o -> o.checkpointedOps().stream().anyMatch(op -> op.path("op").asText().equals("RunComplete")));
    // One call, made once the handler had answered (it carries the completion with the answer).
    List<StandInOrchestrator.Recorded> creates = orchestrator.requestsTo(p -> p.equals("/v1/checkpoint"));
    assertThat(creates).hasSize(1);
    JsonNode body = creates.get(0).json();
    assertThat(body.path("run_id").asText()).isEqualTo(runId);
    assertThat(body.path("steps")).extracting(op -> op.path("op").asText())
        .containsExactly("StepRun", "StepRun", "RunComplete");
    assertThat(body.path("steps").get(2).path("data").path("status").asInt()).isEqualTo(201);
    assertThat(orchestrator.requestsTo(p -> p.endsWith("/steps"))).isEmpty();
  }

  @Test
  void aRequestThatOutlastsTheLingerSendsItsFirstStepWhileItRuns() throws Exception {
    app.close();
    app = TestApp.start(TestApp.config(orchestrator).checkpointLinger(Duration.ofMillis(50)).build(), Handlers.all());
    // The handler goes on after step "a" only once the create-run has arrived: the linger sent it.
    CountDownLatch arrived = new CountDownLatch(1);
    orchestrator.createRunArrived = arrived;
    Handlers.afterFirstStep = arrived;
    try (Response response = app.http.newCall(new Request.Builder().url(app.baseUrl + "/sync")
        .post(RequestBody.create("{}", MediaType.get("application/json"))).build()).execute()) {
      assertThat(response.code()).isEqualTo(201);
    }
    orchestrator.await(WAIT, o -> o.checkpointedOps().stream().anyMatch(op -> op.path("op").asText().equals("RunComplete")));
    List<StandInOrchestrator.Recorded> creates = orchestrator.requestsTo(p -> p.equals("/v1/checkpoint"));
    assertThat(creates).hasSize(1);
    assertThat(creates.get(0).json().path("steps")).extracting(op -> op.path("op").asText()).containsExactly("StepRun");
    // Step "b" and the completion followed at once, in one or two calls to the run's /steps.
    assertThat(orchestrator.requestsTo(p -> p.endsWith("/steps"))).hasSizeBetween(1, 2);
    assertThat(orchestrator.checkpointedOps()).extracting(op -> op.path("name").asText()).containsExactly("a", "b", "");
  }

  @Test
  void endpointWithoutStepsSendsNothing() throws Exception {
    try (Response response = app.http.newCall(new Request.Builder().url(app.baseUrl + "/plain").build()).execute()) {
      assertThat(response.code()).isEqualTo(200);
      assertThat(response.header("X-Run-ID")).isNotBlank();
    }
    assertThat(StepHttp.awaitCheckpoints(WAIT)).isTrue();
    assertThat(orchestrator.requests).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"HEAD", "OPTIONS"})
  void headAndOptionsRequestsPassThroughWithoutARun(String method) throws Exception {
    // Regression: a HEAD request made a run, and its re-entry's empty answer completed that run.
    int returned = TestApp.RETURNED.get();
    try (Response response = app.http.newCall(new Request.Builder().url(app.baseUrl + "/sync")
        .method(method, null).build()).execute()) {
      assertThat(response.code()).isEqualTo(201);
      assertThat(response.header("X-Custom")).isEqualTo("yes");
      assertThat(response.header("X-Run-ID")).isNull();
    }
    TestApp.awaitReturned(returned + 1, WAIT);
    assertThat(StepHttp.awaitCheckpoints(WAIT)).isTrue();
    assertThat(orchestrator.requests).isEmpty();
    // As without the filter: the steps' functions simply ran.
    assertThat(Handlers.count("sync.a")).isEqualTo(1);
    assertThat(Handlers.count("sync.b")).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"HEAD", "OPTIONS"})
  void asyncStepInAHeadOrOptionsRequestIsAnswered405WithoutARun(String method) throws Exception {
    int returned = TestApp.RETURNED.get();
    try (Response response = app.http.newCall(new Request.Builder().url(app.baseUrl + "/flow?respond=token")
        .method(method, null).build()).execute()) {
      assertThat(response.code()).isEqualTo(405);
      assertThat(response.header("Allow")).isEqualTo("GET, POST, PUT, PATCH, DELETE");
      assertThat(response.header("X-Run-ID")).isNull();
      if (method.equals("OPTIONS")) {
        JsonNode error = Json.parse(response.body().bytes()).path("errors").get(0);
        assertThat(error.path("code").asText()).isEqualTo("method_not_durable");
        assertThat(error.path("message").asText())
            .startsWith("Step.sleep cannot be used in a OPTIONS request: HEAD, OPTIONS and TRACE requests");
      }
    }
    TestApp.awaitReturned(returned + 1, WAIT);
    assertThat(StepHttp.awaitCheckpoints(WAIT)).isTrue();
    assertThat(orchestrator.requests).isEmpty();
    assertThat(Handlers.count("flow.a")).isEqualTo(1);
    assertThat(Handlers.count("flow.b")).isZero();
  }

  @Test
  void sleepSwitchesRequestToRedirect() throws Exception {
    try (Response response = app.http.newCall(new Request.Builder().url(app.baseUrl + "/flow").build()).execute()) {
      String runId = response.header("X-Run-ID");
      assertThat(response.code()).isEqualTo(303);
      assertThat(response.header("Location"))
          .isEqualTo(orchestrator.baseUrl() + "/v1/http/runs/" + runId + "/output?token=tok.en-value");
      assertThat(response.body().string()).isEmpty();
      assertThat(response.header("X-Flow")).isNull();
      // The switch blocked until both ops were acknowledged: they are recorded already.
      List<JsonNode> ops = orchestrator.checkpointedOps();
      assertThat(ops).extracting(op -> op.path("op").asText()).containsExactly("StepRun", "Sleep");
      JsonNode sleep = ops.get(1);
      assertThat(sleep.path("id").asText()).isEqualTo(StepIds.hash("wait"));
      assertThat(sleep.path("name").asText()).isEqualTo("wait");
      assertThat(sleep.path("opts").path("duration").asText()).isEqualTo("1m");
    }
    assertThat(Handlers.count("flow.a")).isEqualTo(1);
    assertThat(Handlers.count("flow.b")).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"error", "flush", "continue", "wrap"})
  void suspensionCannotBeSwallowedWrappedOrOverwritten(String how) throws Exception {
    try (Response response = app.http.newCall(new Request.Builder().url(app.baseUrl + "/swallow?how=" + how).build())
        .execute()) {
      String body = response.body().string();
      assertThat(response.code()).isEqualTo(303);
      assertThat(response.header("Location")).contains("/v1/http/runs/" + response.header("X-Run-ID") + "/output");
      assertThat(response.header("X-Leak")).isNull();
      assertThat(body).doesNotContain("dev.stephttp", "Suspension", "Exception");
    }
    assertThat(orchestrator.checkpointedOps()).extracting(op -> op.path("op").asText())
        .containsExactly("StepRun", "Sleep");
    assertThat(Handlers.count("swallow.a")).isEqualTo(1);
    assertThat(Handlers.count("swallow.after")).isZero();
    assertThat(Handlers.count("swallow.b")).isZero();
  }

  @Test
  void redirectUsesRedirectBaseUrl() throws Exception {
    app.close();
    app = TestApp.start(TestApp.config(orchestrator).redirectBaseUrl("https://runs.example.com/").build(),
        Handlers.all());
    try (Response response = app.http.newCall(new Request.Builder().url(app.baseUrl + "/flow").build()).execute()) {
      assertThat(response.code()).isEqualTo(303);
      assertThat(response.header("Location")).startsWith("https://runs.example.com/v1/http/runs/");
    }
  }

  @Test
  void waitForEventSwitchesWithSafelyQuotedCondition() throws Exception {
    try (Response response = app.http.newCall(new Request.Builder().url(app.baseUrl + "/wait").build()).execute()) {
      assertThat(response.code()).isEqualTo(303);
    }
    List<JsonNode> ops = orchestrator.checkpointedOps();
    assertThat(ops).extracting(op -> op.path("op").asText()).containsExactly("StepRun", "WaitForEvent");
    JsonNode opts = ops.get(1).path("opts");
    assertThat(opts.path("event").asText()).isEqualTo("order/approved");
    assertThat(opts.path("timeout").asText()).isEqualTo("1h");
    assertThat(opts.path("if").asText()).isEqualTo("async.data.orderId == \"o-\\\"1\\\\\"");
  }

  @Test
  void failingStepWithRetriesSwitchesToAsync() throws Exception {
    try (Response response = app.http.newCall(
        new Request.Builder().url(app.baseUrl + "/fail?retries=2").build()).execute()) {
      assertThat(response.code()).isEqualTo(303);
      assertThat(response.body().string()).isEmpty();
    }
    List<JsonNode> ops = orchestrator.checkpointedOps();
    assertThat(ops).hasSize(1);
    JsonNode op = ops.get(0);
    assertThat(op.path("op").asText()).isEqualTo("StepError");
    assertThat(op.path("id").asText()).isEqualTo(StepIds.hash("charge"));
    assertThat(op.path("error").path("name").asText()).isEqualTo("IllegalStateException");
    assertThat(op.path("error").path("message").asText()).isEqualTo("card declined");
    assertThat(orchestrator.requestsTo(p -> p.equals("/v1/checkpoint")).get(0).json().path("retries").asInt())
        .isEqualTo(2);
  }

  @Test
  void failingStepWithoutRetriesFailsSynchronously() throws Exception {
    try (Response response = app.http.newCall(
        new Request.Builder().url(app.baseUrl + "/fail?retries=0").build()).execute()) {
      assertThat(response.code()).isEqualTo(402);
      assertThat(response.body().string()).isEqualTo("payment failed: card declined");
    }
    orchestrator.await(WAIT, o -> o.checkpointedOps().size() == 2);
    List<JsonNode> ops = orchestrator.checkpointedOps();
    assertThat(ops).extracting(op -> op.path("op").asText()).containsExactly("StepFailed", "RunComplete");
    assertThat(ops.get(0).path("error").path("message").asText()).isEqualTo("card declined");
    assertThat(ops.get(1).path("data").path("status").asInt()).isEqualTo(402);
  }

  @Test
  void nonRetriableFailureIsSynchronousEvenWithRetries() throws Exception {
    try (Response response = app.http.newCall(
        new Request.Builder().url(app.baseUrl + "/fail?retries=5&nonretriable").build()).execute()) {
      assertThat(response.code()).isEqualTo(402);
      assertThat(response.body().string()).isEqualTo("payment failed: card stolen");
    }
    assertThat(Handlers.count("fail.charge")).isEqualTo(1);
  }

  @Test
  void tokenAsyncResponseAnswersRunIdAndToken() throws Exception {
    try (Response response = app.http.newCall(
        new Request.Builder().url(app.baseUrl + "/flow?respond=token").build()).execute()) {
      assertThat(response.code()).isEqualTo(200);
      assertThat(response.header("Content-Type")).startsWith("application/json");
      JsonNode body = dev.stephttp.internal.wire.Json.parse(response.body().bytes());
      assertThat(body.path("run_id").asText()).isEqualTo(response.header("X-Run-ID"));
      assertThat(body.path("token").asText()).isEqualTo("tok.en-value");
    }
  }

  @Test
  void customAsyncResponseIsWrittenByTheApplication() throws Exception {
    try (Response response = app.http.newCall(
        new Request.Builder().url(app.baseUrl + "/flow?respond=custom").build()).execute()) {
      assertThat(response.code()).isEqualTo(202);
      assertThat(response.body().string()).isEqualTo("accepted " + response.header("X-Run-ID"));
    }
  }

  @Test
  void orchestratorErrorsAtTheSwitchAnswer503() throws Exception {
    orchestrator.createRunStatus = 503;
    try (Response response = app.http.newCall(new Request.Builder().url(app.baseUrl + "/flow").build()).execute()) {
      assertThat(response.code()).isEqualTo(503);
      assertThat(response.header("Retry-After")).isEqualTo("5");
      assertThat(response.header("Location")).isNull();
      JsonNode body = dev.stephttp.internal.wire.Json.parse(response.body().bytes());
      assertThat(body.path("errors").get(0).path("code").asText()).isEqualTo("orchestrator_unavailable");
    }
  }

  @Test
  void orchestratorDownAnswers503AndSyncRunsStillServe() throws Exception {
    String base = orchestrator.baseUrl();
    orchestrator.close();
    app.close();
    app = TestApp.start(TestApp.config(orchestrator).baseUrl(base).build(), Handlers.all());
    try (Response response = app.http.newCall(new Request.Builder().url(app.baseUrl + "/flow").build()).execute()) {
      assertThat(response.code()).isEqualTo(503);
    }
    try (Response response = app.http.newCall(new Request.Builder().url(app.baseUrl + "/sync")
        .post(RequestBody.create(new byte[0])).build()).execute()) {
      assertThat(response.code()).isEqualTo(201);
    }
    assertThat(StepHttp.awaitCheckpoints(WAIT)).isTrue();
  }

  @Test
  void sendEventIsAStepThroughTheEventApi() throws Exception {
    try (Response response = app.http.newCall(new Request.Builder().url(app.baseUrl + "/events").build()).execute()) {
      assertThat(response.code()).isEqualTo(200);
      assertThat(response.body().string()).isEqualTo("01JEVENT000000000000000000");
    }
    StandInOrchestrator.Recorded send = orchestrator.requestsTo(p -> p.startsWith("/e/")).get(0);
    assertThat(send.path()).isEqualTo("/e/test-event-key");
    assertThat(send.json().get(0).path("name").asText()).isEqualTo("order/created");
    assertThat(send.json().get(0).path("data").path("orderId").asText()).isEqualTo("o1");
    orchestrator.await(WAIT, o -> o.checkpointedOps().size() == 2);
    assertThat(orchestrator.checkpointedOps().get(0).path("data").get(0).asText())
        .isEqualTo("01JEVENT000000000000000000");
  }

  @ParameterizedTest
  @ValueSource(strings = {"application/json", "application/x-www-form-urlencoded"})
  void aBodyReadAfterTheFirstStepIsRecordedAndStillServed(String type) throws Exception {
    boolean form = type.startsWith("application/x-www-form");
    String sent = form ? "name=Ada+L%C3%B6v" : "{\"sku\":\"abc\"}";
    Request request = new Request.Builder().url(app.baseUrl + "/late-body?q=search")
        .post(RequestBody.create(sent, MediaType.get(type))).build();
    try (Response response = app.http.newCall(request).execute()) {
      assertThat(response.code()).isEqualTo(200);
      assertThat(response.body().string()).isEqualTo(form ? "name=Ada Löv q=search" : "body=" + sent);
    }
    orchestrator.await(WAIT, o -> !o.requestsTo(p -> p.equals("/v1/checkpoint")).isEmpty());
    JsonNode data = orchestrator.requestsTo(p -> p.equals("/v1/checkpoint")).get(0).json().path("event").path("data");
    assertThat(data.path("body").asText()).isEqualTo(sent);
    assertThat(data.path("query_params").asText()).isEqualTo("q=search");
  }

  @Test
  void aBodyAnAsyncServletsThreadReadIsRecordedAtTheFirstStep() throws Exception {
    String sent = "{\"sku\":\"abc\"}";
    Request request = new Request.Builder().url(app.baseUrl + "/async-body")
        .post(RequestBody.create(sent, MediaType.get("application/json"))).build();
    try (Response response = app.http.newCall(request).execute()) {
      assertThat(response.code()).isEqualTo(200);
      assertThat(response.body().string()).isEqualTo("body=" + sent);
    }
    orchestrator.await(WAIT, o -> !o.requestsTo(p -> p.equals("/v1/checkpoint")).isEmpty());
    JsonNode data = orchestrator.requestsTo(p -> p.equals("/v1/checkpoint")).get(0).json().path("event").path("data");
    assertThat(data.path("body").asText()).isEqualTo(sent);
  }

  @Test
  void formParametersAreServedFromTheCapturedBody() throws Exception {
    Request request = new Request.Builder().url(app.baseUrl + "/form?q=search")
        .post(RequestBody.create("name=Ada+L%C3%B6v", MediaType.get("application/x-www-form-urlencoded")))
        .build();
    try (Response response = app.http.newCall(request).execute()) {
      assertThat(response.body().string()).isEqualTo("name=Ada Löv q=search");
    }
    orchestrator.await(WAIT, o -> !o.requestsTo(p -> p.equals("/v1/checkpoint")).isEmpty());
    JsonNode data = orchestrator.requestsTo(p -> p.equals("/v1/checkpoint")).get(0).json().path("event").path("data");
    assertThat(data.path("body").asText()).isEqualTo("name=Ada+L%C3%B6v");
  }

  @Test
  void forwardDoesNotRunTheLogicTwice() throws Exception {
    try (Response response = app.http.newCall(new Request.Builder().url(app.baseUrl + "/forward")
        .post(RequestBody.create("x", MediaType.get("text/plain"))).build()).execute()) {
      assertThat(response.code()).isEqualTo(201);
    }
    assertThat(StepHttp.awaitCheckpoints(WAIT)).isTrue();
    assertThat(orchestrator.requestsTo(p -> p.equals("/v1/checkpoint"))).hasSize(1);
    assertThat(Handlers.count("sync.a")).isEqualTo(1);
  }

  @Test
  void omittedBodiesAreNotSentAndFunctionIdIsUsed() throws Exception {
    try (Response response = app.http.newCall(new Request.Builder().url(app.baseUrl + "/omit")
        .post(RequestBody.create("card=4111", MediaType.get("text/plain"))).build()).execute()) {
      assertThat(response.body().string()).isEqualTo("secret response");
    }
    orchestrator.await(WAIT, o -> o.checkpointedOps().size() == 2);
    JsonNode create = orchestrator.requestsTo(p -> p.equals("/v1/checkpoint")).get(0).json();
    assertThat(create.path("event").path("data").path("body").asText()).isEmpty();
    assertThat(create.path("event").path("data").path("fn").asText()).isEqualTo("omitting");
    JsonNode result = orchestrator.checkpointedOps().get(1).path("data");
    assertThat(result.path("status").asInt()).isEqualTo(200);
    assertThat(result.has("body")).isFalse();
  }

  @Test
  void configuredDomainIsTheOriginOfReentries() throws Exception {
    app.close();
    app = TestApp.start(TestApp.config(orchestrator).domain("https://api.example.com/").build(), Handlers.all());
    try (Response response = app.http.newCall(new Request.Builder().url(app.baseUrl + "/flow").build()).execute()) {
      assertThat(response.code()).isEqualTo(303);
    }
    JsonNode data = orchestrator.requestsTo(p -> p.equals("/v1/checkpoint")).get(0).json().path("event").path("data");
    assertThat(data.path("domain").asText()).isEqualTo("https://api.example.com");
    assertThat(data.path("path").asText()).isEqualTo("/flow");
  }

  @Test
  void forgedHostAndForwardedHeadersDoNotRedirectReentriesAwayFromTheConfiguredDomain() throws Exception {
    // The attacker's request: were the origin taken from it, the orchestrator would send this run's
    // signed re-entries to 127.0.0.2:18099, where they could be recorded and replayed against the app.
    try (Response response = app.http.newCall(forged(app.baseUrl + "/flow")).execute()) {
      assertThat(response.code()).isEqualTo(303);
    }
    JsonNode data = orchestrator.requestsTo(p -> p.equals("/v1/checkpoint")).get(0).json().path("event").path("data");
    assertThat(data.path("domain").asText()).isEqualTo(app.baseUrl);
  }

  @Test
  void trustedForwardedOriginIsTakenFromTheProxyHeadersElseFromTheRequest() throws Exception {
    app.close();
    app = TestApp.start(TestApp.config(orchestrator).trustForwardedOrigin(true).build(), Handlers.all());
    try (Response response = app.http.newCall(new Request.Builder().url(app.baseUrl + "/flow")
        .header("X-Forwarded-Proto", "https").header("X-Forwarded-Host", "api.example.com:8443, 10.0.0.1")
        .build()).execute()) {
      assertThat(response.code()).isEqualTo(303);
    }
    try (Response response = app.http.newCall(new Request.Builder().url(app.baseUrl + "/flow").build()).execute()) {
      assertThat(response.code()).isEqualTo(303);
    }
    List<StandInOrchestrator.Recorded> creates = orchestrator.requestsTo(p -> p.equals("/v1/checkpoint"));
    assertThat(creates).extracting(c -> c.json().path("event").path("data").path("domain").asText())
        .containsExactly("https://api.example.com:8443", app.baseUrl);
  }

  @Test
  void devModeWithoutDomainTakesTheOriginFromTheRequest() throws Exception {
    app.close();
    app = TestApp.start(TestApp.config(orchestrator).signingKey(null).dev(true).build(), Handlers.all());
    try (Response response = app.http.newCall(forged(app.baseUrl + "/flow")).execute()) {
      assertThat(response.code()).isEqualTo(303);
    }
    JsonNode data = orchestrator.requestsTo(p -> p.equals("/v1/checkpoint")).get(0).json().path("event").path("data");
    assertThat(data.path("domain").asText()).isEqualTo("https://127.0.0.2:18099");
  }

  private static Request forged(String url) {
    return new Request.Builder().url(url)
        .header("Host", "127.0.0.2:18099")
        .header("X-Forwarded-Proto", "https")
        .header("X-Forwarded-Host", "attacker.example")
        .build();
  }

  @Test
  void asyncServletsPassThroughAndCompleteTheRunWhenDone() throws Exception {
    try (Response response = app.http.newCall(new Request.Builder().url(app.baseUrl + "/async").build()).execute()) {
      assertThat(response.code()).isEqualTo(202);
      assertThat(response.body().string()).isEqualTo("finished asynchronously");
    }
    orchestrator.await(WAIT, o -> o.checkpointedOps().size() == 2);
    JsonNode complete = orchestrator.checkpointedOps().get(1);
    assertThat(complete.path("op").asText()).isEqualTo("RunComplete");
    assertThat(complete.path("data").path("status").asInt()).isEqualTo(202);
    assertThat(Handlers.count("async.step")).isEqualTo(1);
  }
}
