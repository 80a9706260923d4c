package dev.stephttp.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stephttp.internal.wire.Json;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How a finished sync request's checkpoints reach the orchestrator (docs/how-it-works.md,
 * "Checkpoint delivery"): durable responses, backpressure on a busy orchestrator, and dropping only
 * when it is down — each against a real app on Jetty and the stand-in orchestrator over loopback.
 */
class CheckpointDeliveryIT {
  StandInOrchestrator orchestrator;
  TestApp app;

  @BeforeEach
  void start() throws Exception {
    Handlers.COUNTS.clear();
    orchestrator = new StandInOrchestrator();
  }

  @AfterEach
  void stop() throws Exception {
    CountDownLatch hold = orchestrator.holdCreateRun;
    if (hold != null) {
      hold.countDown();
    }
    if (app != null) {
      app.close();
    }
    orchestrator.close();
  }

  /** An answer read in full. */
  record Reply(int code, okhttp3.Headers headers, byte[] body) {
    String header(String name) {
      return headers.get(name);
    }

    String errorCode() {
      return Json.parse(body).path("errors").get(0).path("code").asText();
    }
  }

  private CompletableFuture<Reply> get(String path) {
    return CompletableFuture.supplyAsync(() -> {
      try (Response r = app.http.newCall(new Request.Builder().url(app.baseUrl + path).build()).execute()) {
        return new Reply(r.code(), r.headers(), r.body().bytes());
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
  }

  @Test
  void durableResponseIsReleasedOnlyOnceTheRunAndItsCompletionAreAcknowledged() throws Exception {
    app = TestApp.start(TestApp.config(orchestrator).durableResponses(true).build(), Handlers.all());
    orchestrator.holdCreateRun = new CountDownLatch(1);
    orchestrator.createRunArrived = new CountDownLatch(1);
    CompletableFuture<Reply> reply = get("/sync");
    assertThat(orchestrator.createRunArrived.await(10, TimeUnit.SECONDS)).isTrue();
    // The handler has run both steps; the create-run is held, so the answer must be too.
    assertThat(reply).isNotDone();
    orchestrator.holdCreateRun.countDown();
    Reply response = reply.get(10, TimeUnit.SECONDS);
    assertThat(response.code()).isEqualTo(201);
    long answeredNanos = System.nanoTime();
    // The completion was acknowledged before the user got the answer: it is already recorded.
    StandInOrchestrator.Recorded complete = completion(response.header("X-Run-ID"));
    assertThat(complete).as("RunComplete recorded before the response was released").isNotNull();
    assertThat(complete.arrivedNanos()).isLessThan(answeredNanos);
    assertThat(complete.json().toString()).contains("\"status\":201");
  }

  @Test
  void durableResponseIsA503WhenTheOrchestratorCannotRecordTheRun() throws Exception {
    app = TestApp.start(TestApp.config(orchestrator).durableResponses(true)
        .asyncSwitchTimeout(Duration.ofSeconds(2)).build(), Handlers.all());
    orchestrator.createRunStatus = 500;
    Reply response = get("/sync").get(20, TimeUnit.SECONDS);
    assertThat(response.code()).isEqualTo(503);
    assertThat(response.header("Retry-After")).isEqualTo("5");
    assertThat(response.errorCode()).isEqualTo("orchestrator_unavailable");
    assertThat(StepHttp.checkpointStats().runsRefused()).isGreaterThanOrEqualTo(1);
    orchestrator.createRunStatus = 200; // lets the run be ended, so that the app stops at once
  }

  @Test
  void withoutDurableResponsesTheAnswerDoesNotWaitForTheOrchestrator() throws Exception {
    app = TestApp.start(TestApp.config(orchestrator).build(), Handlers.all());
    orchestrator.holdCreateRun = new CountDownLatch(1);
    Reply response = get("/sync").get(10, TimeUnit.SECONDS);
    assertThat(response.code()).isEqualTo(201); // while the create-run is still held
  }

  @Test
  void busyOrchestratorMakesTheStepWaitThenTheRequestIsAnswered503Busy() throws Exception {
    app = TestApp.start(TestApp.config(orchestrator).checkpointQueueCapacity(1)
        .checkpointBackpressureTimeout(Duration.ofMillis(300)).build(), Handlers.all());
    long refusedBefore = StepHttp.checkpointStats().runsRefused();
    orchestrator.holdCreateRun = new CountDownLatch(1);
    String runId;
    Reply response = get("/sync").get(10, TimeUnit.SECONDS);
    // the first step's create-run is held and fills the queue; the second step cannot be queued
    assertThat(response.code()).isEqualTo(503);
    assertThat(response.errorCode()).isEqualTo("orchestrator_busy");
    assertThat(response.header("Retry-After")).isEqualTo("5");
    runId = response.header("X-Run-ID");
    assertThat(StepHttp.checkpointStats().runsRefused()).isEqualTo(refusedBefore + 1);
    assertThat(StepHttp.checkpointStats().runsDropped()).isZero();
    // Once the orchestrator catches up, the run it already holds is ended with the 503 the user got.
    orchestrator.holdCreateRun.countDown();
    StandInOrchestrator.Recorded complete = awaitCompletion(runId);
    assertThat(complete.json().toString()).contains("\"status\":503").contains("OrchestratorBusy");
  }

  @Test
  void busyOrchestratorThatCatchesUpInTimeOnlyDelaysTheRequest() throws Exception {
    app = TestApp.start(TestApp.config(orchestrator).checkpointQueueCapacity(1)
        .checkpointBackpressureTimeout(Duration.ofSeconds(20)).build(), Handlers.all());
    orchestrator.holdCreateRun = new CountDownLatch(1);
    orchestrator.createRunArrived = new CountDownLatch(1);
    CompletableFuture<Reply> reply = get("/sync");
    assertThat(orchestrator.createRunArrived.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(reply).isNotDone(); // the second step waits for room in the queue
    orchestrator.holdCreateRun.countDown();
    Reply response = reply.get(20, TimeUnit.SECONDS);
    assertThat(response.code()).isEqualTo(201);
    assertThat(awaitCompletion(response.header("X-Run-ID")).json().toString()).contains("\"status\":201");
    assertThat(Handlers.count("sync.a")).isEqualTo(1);
  }

  @Test
  void downOrchestratorNeverDelaysTheUserAndTheDropIsCounted() throws Exception {
    String base = orchestrator.baseUrl();
    orchestrator.close();
    app = TestApp.start(TestApp.config(orchestrator).baseUrl(base).build(), Handlers.all());
    long droppedBefore = StepHttp.checkpointStats().runsDropped();
    Reply response = get("/sync").get(10, TimeUnit.SECONDS);
    assertThat(response.code()).isEqualTo(201);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (StepHttp.checkpointStats().runsDropped() == droppedBefore && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(StepHttp.checkpointStats().runsDropped()).isEqualTo(droppedBefore + 1);
  }

  private StandInOrchestrator.Recorded completion(String runId) {
    for (StandInOrchestrator.Recorded r : orchestrator.requests) {
      if ((r.path().equals("/v1/checkpoint/" + runId + "/steps") || r.path().equals("/v1/checkpoint"))
          && r.json().toString().contains("\"op\":\"RunComplete\"")) {
        return r;
      }
    }
    return null;
  }

  private StandInOrchestrator.Recorded awaitCompletion(String runId) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    StandInOrchestrator.Recorded r;
    while ((r = completion(runId)) == null) {
      assertThat(System.nanoTime()).as("RunComplete of " + runId + " within 10 s").isLessThan(deadline);
      Thread.sleep(10);
    }
    return r;
  }
}
