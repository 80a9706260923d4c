package dev.stephttp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.stephttp.internal.wire.CreateRunRequest;
import dev.stephttp.internal.wire.CreateRunResponse;
import dev.stephttp.internal.wire.GeneratorOpcode;
import dev.stephttp.internal.wire.Opcode;
import dev.stephttp.internal.wire.StepIds;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The background checkpoint pipeline against a real HTTP server on loopback. */
class CheckpointPipelineTest {
  static final String CLOSED_RUN = "01J9Z3K6W8T6M2V2Q4R5S7X8Y9";
  HttpServer server;
  final CountDownLatch release = new CountDownLatch(1);
  final AtomicInteger createRuns = new AtomicInteger();
  final AtomicInteger stepCalls = new AtomicInteger();
  /** The bodies of the create-run calls answered, in order. */
  final List<String> created = new CopyOnWriteArrayList<>();
  CheckpointPipeline pipeline;

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/", ex -> {
      String path = ex.getRequestURI().getPath();
      String request = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      String body = "";
      if (path.equals("/v1/checkpoint") && request.contains(CLOSED_RUN)) {
        ex.close(); // no answer at all: the connection ends
        return;
      }
      if (path.equals("/v1/checkpoint")) {
        createRuns.incrementAndGet();
        try {
          release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        created.add(request);
        body = "{\"data\":{\"fn_id\":\"f\",\"app_id\":\"a\",\"run_id\":\"r\",\"token\":\"t\",\"realtime_token\":\"rt\"}}";
      } else {
        stepCalls.incrementAndGet();
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, bytes.length == 0 ? -1 : bytes.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    });
    server.start();
    ClientSettings settings = ClientSettings.resolve(new ClientSettings.Overrides(
            "http://127.0.0.1:" + server.getAddress().getPort(), null, null, null, null, true), Map.of())
        .withApiRetries(1, Duration.ZERO)
        .withCheckpointing(2, 2);
    pipeline = new CheckpointPipeline(new OrchestratorClient(settings), Duration.ofMillis(300), Duration.ZERO);
  }

  /**
   * Replaces the pipeline by one whose runs' first ops linger {@code linger}, lets the stand-in
   * answer create-runs at once, and opens a run on it.
   */
  RunCheckpoints lingeringRun(Duration linger) {
    pipeline.close();
    pipeline = new CheckpointPipeline(new OrchestratorClient(pipeline.client().settings()), Duration.ofMillis(300),
        linger);
    release.countDown();
    return open("01J9Z3K6W8T6M0V2Q4R5S7X8Y9");
  }

  @AfterEach
  void stop() {
    release.countDown();
    pipeline.close();
    server.stop(0);
  }

  static GeneratorOpcode op(String id) {
    return new GeneratorOpcode(Opcode.STEP_RUN, StepIds.hash(id), id, null, null, null, id, null, null);
  }

  RunCheckpoints open(String runId) {
    return pipeline.open(runId, ops -> new CreateRunRequest(runId, null, null, ops, 2, 3, 0L));
  }

  @Test
  void durableCompletesOnceEverythingEmittedIsAcknowledged() throws Exception {
    RunCheckpoints run = open("01J9Z3K6W8T6M0V2Q4R5S7X8Y9");
    run.emit(op("a"));
    run.emit(op("b"));
    CompletableFuture<CreateRunResponse> durable = run.durable();
    assertThat(pipeline.awaitIdle(Duration.ofMillis(50))).isFalse();
    assertThat(durable).isNotDone();
    release.countDown();
    assertThat(durable.get(5, TimeUnit.SECONDS).token()).isEqualTo("t");
    assertThat(pipeline.awaitIdle(Duration.ofSeconds(5))).isTrue();
    assertThat(createRuns.get()).isEqualTo(1);
    assertThat(stepCalls.get()).isBetween(0, 1);
  }

  @Test
  void fullQueueWithALiveOrchestratorWaitsThenRefusesTheOpWithoutDroppingTheRun() throws Exception {
    RunCheckpoints run = open("01J9Z3K6W8T6M0V2Q4R5S7X8Y9");
    assertThat(run.emit(op("a"))).isTrue();
    assertThat(run.emit(op("b"))).isTrue();
    long t0 = System.nanoTime();
    // capacity 2, the create-run call is held: the orchestrator is busy, not down
    assertThat(run.emit(op("c"))).isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    assertThat(run.lostOps()).isFalse();
    assertThat(pipeline.runsDropped()).isZero();
    CompletableFuture<CreateRunResponse> durable = run.durable();
    release.countDown();
    assertThat(durable.get(5, TimeUnit.SECONDS).token()).isEqualTo("t");
    assertThat(pipeline.awaitIdle(Duration.ofSeconds(5))).isTrue();
    assertThat(pipeline.queued()).isZero();
  }

  @Test
  void fullQueueWaitsForRoomAndQueuesOnceTheOrchestratorCatchesUp() throws Exception {
    pipeline.close();
    pipeline = new CheckpointPipeline(new OrchestratorClient(pipeline.client().settings()), Duration.ofSeconds(20),
        Duration.ZERO);
    RunCheckpoints run = open("01J9Z3K6W8T6M0V2Q4R5S7X8Y9");
    run.emit(op("a"));
    run.emit(op("b"));
    CompletableFuture<Boolean> third = CompletableFuture.supplyAsync(() -> run.emit(op("c")));
    awaitCondition(() -> createRuns.get() == 1);
    assertThat(third).isNotDone(); // still waiting for room: the queue holds a and b
    release.countDown();
    assertThat(third.get(10, TimeUnit.SECONDS)).isTrue();
    assertThat(run.durable().get(10, TimeUnit.SECONDS).token()).isEqualTo("t");
    assertThat(pipeline.runsDropped()).isZero();
  }

  @Test
  void fullQueueWithAnUnreachableOrchestratorDropsTheRunAtOnceAndCountsIt() throws Exception {
    // One call that gets no answer (the server closes the connection) marks the orchestrator down.
    RunCheckpoints failing = open(CLOSED_RUN);
    failing.emit(op("x"));
    awaitCondition(() -> failing.lostOps() && !pipeline.client().reachable());
    RunCheckpoints held = open("01J9Z3K6W8T6M0V2Q4R5S7X8Y9");
    held.emit(op("a"));
    held.emit(op("b")); // the queue (2) is full again, its create-run held
    RunCheckpoints third = open("01J9Z3K6W8T6M1V2Q4R5S7X8Y9");
    long t0 = System.nanoTime();
    assertThat(third.emit(op("c"))).isTrue(); // the request goes on; its run is not recorded
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(300));
    assertThat(third.lostOps()).isTrue();
    assertThat(third.durable()).isCompletedExceptionally();
    assertThat(pipeline.runsDropped()).isEqualTo(2); // the closed run and this one
    release.countDown();
    assertThat(held.durable().get(5, TimeUnit.SECONDS).token()).isEqualTo("t");
    assertThat(pipeline.client().reachable()).isTrue();
  }

  @Test
  void aRunThatEndsWithinTheLingerIsRecordedInOneCall() throws Exception {
    RunCheckpoints run = lingeringRun(Duration.ofSeconds(30)); // only the end of the request can send it
    run.emit(op("a"));
    run.emit(op("b"));
    assertThat(pipeline.awaitIdle(Duration.ofMillis(100))).isFalse(); // lingering, nothing sent
    assertThat(createRuns.get()).isZero();
    run.finish(new GeneratorOpcode(Opcode.RUN_COMPLETE, StepIds.COMPLETE_ID, null, null, null, null, null,
        null, null), false);
    assertThat(pipeline.awaitIdle(Duration.ofSeconds(5))).isTrue();
    assertThat(created).hasSize(1);
    assertThat(created.get(0)).contains("\"displayName\":\"a\"", "\"displayName\":\"b\"",
        "\"op\":\"RunComplete\"");
    assertThat(stepCalls.get()).isZero();
    assertThat(run.durable()).isCompleted();
  }

  @Test
  void theLingerPassingSendsTheFirstOpsAndLaterOpsGoAtOnce() throws Exception {
    RunCheckpoints run = lingeringRun(Duration.ofMillis(50));
    run.emit(op("a"));
    awaitCondition(() -> created.size() == 1); // the request has not ended: the timer sent it
    assertThat(created.get(0)).contains("\"displayName\":\"a\"");
    run.emit(op("b"));
    awaitCondition(() -> stepCalls.get() == 1); // after the create-run, no lingering
    assertThat(pipeline.awaitIdle(Duration.ofSeconds(5))).isTrue();
    assertThat(createRuns.get()).isEqualTo(1);
  }

  @Test
  void waitingForDurabilityEndsTheLinger() throws Exception {
    RunCheckpoints run = lingeringRun(Duration.ofSeconds(30));
    run.emit(op("a"));
    run.emit(op("sleep"));
    // The async switch waits for its ops: they go now, in one create-run, not after 30 s.
    assertThat(run.durable().get(5, TimeUnit.SECONDS).token()).isEqualTo("t");
    assertThat(created).hasSize(1);
    assertThat(created.get(0)).contains("\"displayName\":\"a\"", "\"displayName\":\"sleep\"");
  }

  @Test
  void closingSendsRunsStillLingering() throws Exception {
    RunCheckpoints run = lingeringRun(Duration.ofMillis(200));
    run.emit(op("a"));
    pipeline.close();
    assertThat(created).hasSize(1);
    assertThat(run.durable()).isCompleted();
  }

  @Test
  void aNegativeLingerIsRefused() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new CheckpointPipeline(pipeline.client(),
        Duration.ofSeconds(1), Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("linger");
  }

  private static void awaitCondition(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition within 10 s").isLessThan(deadline);
      Thread.sleep(10);
    }
  }
}
