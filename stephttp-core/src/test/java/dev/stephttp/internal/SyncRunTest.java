package dev.stephttp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.f4b6a3.ulid.Ulid;
import dev.stephttp.Step;
import dev.stephttp.internal.wire.CreateRunRequest;
import dev.stephttp.internal.wire.GeneratorOpcode;
import dev.stephttp.internal.wire.HttpRequestData;
import dev.stephttp.internal.wire.Opcode;
import dev.stephttp.internal.wire.StepIds;
import dev.stephttp.internal.wire.TriggerEvent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The create-run request a sync-phase run builds around its first ops (docs/protocol.md §2.1). */
class SyncRunTest {
  static final HttpRequestData REQUEST = new HttpRequestData("https://api.example.com", "POST", "/orders", "",
      "10.0.0.1", "application/json", "a=1", "{\"sku\":\"x\"}");
  static final StepThreads THREADS = new StepThreads(1);
  static final GeneratorOpcode OP =
      new GeneratorOpcode(Opcode.STEP_RUN, StepIds.hash("a"), "a", null, null, null, "a", null, null);

  // No call is made: nothing is emitted.
  final CheckpointPipeline pipeline = new CheckpointPipeline(new OrchestratorClient(ClientSettings.resolve(
      new ClientSettings.Overrides("http://127.0.0.1:9", null, null, null, null, true), Map.of())),
      java.time.Duration.ofSeconds(1), java.time.Duration.ZERO);

  @AfterEach
  void close() {
    pipeline.close();
  }

  @Test
  void createRunRecordsTheRequestWithTheHandlersOptions() {
    long before = System.currentTimeMillis();
    SyncRun run = SyncRun.start(pipeline, THREADS, () -> REQUEST);
    run.execution().options().functionId("orders");
    run.execution().options().retries(5);
    assertThat(run.request()).isSameAs(REQUEST);

    CreateRunRequest create = run.createRun(List.of(OP));

    assertThat(Ulid.isValid(run.runId())).isTrue();
    assertThat(run.execution().runId()).isEqualTo(run.runId());
    assertThat(create.runId()).isEqualTo(run.runId());
    assertThat(create.steps()).containsExactly(OP);
    assertThat(create.requestVersion()).isEqualTo(2);
    assertThat(create.retries()).isEqualTo(5);
    assertThat(create.ts()).isGreaterThanOrEqualTo(before);
    TriggerEvent event = create.event();
    assertThat(event.name()).isEqualTo(TriggerEvent.HTTP_REQUEST);
    assertThat(event.ts()).isEqualTo(run.receivedAt()).isGreaterThanOrEqualTo(before);
    assertThat(event.data()).isEqualTo(new HttpRequestData("https://api.example.com", "POST", "/orders", "orders",
        "10.0.0.1", "application/json", "a=1", "{\"sku\":\"x\"}"));
  }

  @Test
  void anOmittedRequestBodyIsNotRecorded() {
    SyncRun run = SyncRun.start(pipeline, THREADS, () -> REQUEST);
    run.execution().options().omitRequestBody(true);
    run.request();

    assertThat(run.createRun(List.of(OP)).event().data().body()).isEmpty();
    assertThat(run.createRun(List.of(OP)).retries()).isEqualTo(RunOptions.DEFAULT_RETRIES);
  }

  @Test
  void theRequestIsReadOnceAtTheFirstOpOnTheHandlersThread() {
    AtomicInteger reads = new AtomicInteger();
    List<Thread> readers = new CopyOnWriteArrayList<>();
    SyncRun run = SyncRun.start(pipeline, THREADS, () -> {
      reads.incrementAndGet();
      readers.add(Thread.currentThread());
      return REQUEST;
    });
    try (Execution.Scope scope = run.execution().enter()) {
      assertThat(reads).hasValue(0); // a request that calls no step is never read
      Step.run("a", Integer.class, () -> 1);
      assertThat(reads).hasValue(1);
      Step.run("b", Integer.class, () -> 2);
    }
    assertThat(reads).hasValue(1);
    assertThat(readers).containsExactly(Thread.currentThread());
    assertThat(run.request()).isSameAs(REQUEST);
    assertThat(reads).hasValue(1);
  }

  @Test
  void runIdsAreDistinctUlidsOfTheirStartTime() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      long before = System.currentTimeMillis();
      SyncRun run = SyncRun.start(pipeline, THREADS, () -> REQUEST);
      long after = System.currentTimeMillis();
      assertThat(Ulid.isValid(run.runId())).isTrue();
      assertThat(Ulid.getTime(run.runId())).isBetween(before, after);
      ids.add(run.runId());
    }
    assertThat(ids).hasSize(10_000);
  }

  @Test
  void threadsThatAskAtOnceGetTheOneCheckpointStream() throws Exception {
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (int round = 0; round < 200; round++) {
        SyncRun run = SyncRun.start(pipeline, THREADS, () -> REQUEST);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<RunCheckpoints>> asked = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          asked.add(pool.submit(() -> {
            go.await();
            return run.checkpoints();
          }));
        }
        go.countDown();
        RunCheckpoints first = asked.get(0).get(10, TimeUnit.SECONDS);
        assertThat(first.runId()).isEqualTo(run.runId());
        for (Future<RunCheckpoints> f : asked) {
          assertThat(f.get(10, TimeUnit.SECONDS)).isSameAs(first);
        }
        assertThat(run.checkpoints()).isSameAs(first);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
