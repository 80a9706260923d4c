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
  HttpServer server;
  final CountDownLatch release = new CountDownLatch(1);
  final AtomicInteger createRuns = new AtomicInteger();
  final AtomicInteger stepCalls = new AtomicInteger();
  CheckpointPipeline pipeline;

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/", ex -> {
      String path = ex.getRequestURI().getPath();
      ex.getRequestBody().readAllBytes();
      String body = "";
      if (path.equals("/v1/checkpoint")) {
        createRuns.incrementAndGet();
        try {
          release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
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
    pipeline = new CheckpointPipeline(new OrchestratorClient(settings));
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

  static CreateRunRequest create(List<GeneratorOpcode> ops) {
    return new CreateRunRequest("01J9Z3K6W8T6M0V2Q4R5S7X8Y9", null, null, ops, 2, 3, 0L);
  }

  @Test
  void durableCompletesOnceEverythingEmittedIsAcknowledged() throws Exception {
    RunCheckpoints run = pipeline.open("01J9Z3K6W8T6M0V2Q4R5S7X8Y9", CheckpointPipelineTest::create);
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
  void fullQueueDropsTheRunInsteadOfBlockingTheHandler() throws Exception {
    RunCheckpoints run = pipeline.open("01J9Z3K6W8T6M0V2Q4R5S7X8Y9", CheckpointPipelineTest::create);
    run.emit(op("a"));
    run.emit(op("b"));
    long t0 = System.nanoTime();
    run.emit(op("c")); // capacity 2: waits briefly, then gives up on this run's checkpoints
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    CompletableFuture<CreateRunResponse> durable = run.durable();
    assertThat(durable).isCompletedExceptionally();
    release.countDown();
    assertThat(pipeline.awaitIdle(Duration.ofSeconds(5))).isTrue();
    assertThat(pipeline.queued()).isZero();
    try {
      durable.get();
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(OrchestratorException.class).hasMessageContaining("queue is full");
    }
  }
}
