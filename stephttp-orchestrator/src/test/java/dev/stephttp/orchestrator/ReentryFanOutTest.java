package dev.stephttp.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stephttp.internal.wire.StepIds;
import dev.stephttp.orchestrator.model.RunStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 11: the planned (parallel) steps of one run are re-entered side by side, at most {@code
 * reentryFanOutPerRun} at once, and a re-entry of the whole handler never overlaps another
 * re-entry of its run.
 */
@Timeout(60)
class ReentryFanOutTest {
  static final String KEY = "signkey-test-12345678";
  static final Duration WAIT = Duration.ofSeconds(30);
  static final String COMPLETE = "{\"id\":\"" + StepIds.COMPLETE_ID + "\",\"op\":\"RunComplete\","
      + "\"data\":{\"status\":200,\"headers\":{},\"body\":\"done\",\"version\":2}}";

  Orchestrator orch;
  RawApp app;
  final AtomicInteger planned = new AtomicInteger();
  final AtomicInteger whole = new AtomicInteger();
  final AtomicInteger maxPlanned = new AtomicInteger();
  final List<String> overlaps = new CopyOnWriteArrayList<>();

  void start(int fanOut, RawApp.Answer answer) throws Exception {
    orch = Orchestrator.builder().port(0).inMemoryStore().signingKey(KEY).eventKey("k")
        .retryBackoff(Duration.ofMillis(20)).reentryFanOutPerRun(fanOut).start();
    app = new RawApp().then(answer);
  }

  @AfterEach
  void stop() throws Exception {
    if (app != null) {
      app.close();
    }
    if (orch != null) {
      orch.close();
    }
  }

  /** Answers a planned step after {@code gate} opens (bounded), the whole handler with RunComplete. */
  RawApp.Answer gated(CountDownLatch gate, int boundSeconds) {
    return (req, resp) -> {
      String target = req.header("x-inngest-step-id");
      if (target == null) {
        if (whole.incrementAndGet() > 1 || planned.get() > 0) {
          overlaps.add("whole-handler re-entry beside another");
        }
        whole.decrementAndGet();
        RawApp.ops(206, "[" + COMPLETE + "]", Map.of()).answer(req, resp);
        return;
      }
      int n = planned.incrementAndGet();
      maxPlanned.accumulateAndGet(n, Math::max);
      if (whole.get() > 0) {
        overlaps.add("planned re-entry beside a whole-handler one");
      }
      gate.countDown();
      try {
        gate.await(boundSeconds, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      planned.decrementAndGet();
      String id = target.equals(StepIds.hash("p1")) ? "p1" : target.equals(StepIds.hash("p2")) ? "p2" : "p3";
      RawApp.ops(206, "[" + Runs.stepRun(id, id) + "]", Map.of()).answer(req, resp);
    };
  }

  String createPlanned(String... ids) {
    String id = Runs.newRunId();
    var ops = new com.fasterxml.jackson.databind.node.ObjectNode[ids.length];
    for (int i = 0; i < ids.length; i++) {
      ops[i] = FakeApp.op("StepPlanned", ids[i]);
    }
    Http.Result r = Http.post(orch.baseUrl() + "/v1/http/runs", "Bearer " + KEY,
        Runs.create(id, app.domain(), "/r", 0, ops).toString());
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return id;
  }

  void awaitCompleted(String id) {
    Runs.await("run " + id + " finished", WAIT, () -> !Runs.run(orch, id).running());
    assertThat(Runs.run(orch, id).status()).isEqualTo(RunStatus.COMPLETED);
  }

  @Test
  void plannedStepsOfOneRunRunSideBySideUpToTheFanOut() throws Exception {
    // Two planned re-entries must be in the app at once to open the gate: with one at a time
    // each waits out the bound and the maximum stays 1.
    start(2, gated(new CountDownLatch(2), 10));
    String id = createPlanned("p1", "p2", "p3");
    awaitCompleted(id);
    assertThat(maxPlanned.get()).isEqualTo(2);
    assertThat(overlaps).isEmpty();
    assertThat(app.received).extracting(r -> r.header("x-inngest-step-id")).hasSize(4)
        .containsExactlyInAnyOrder(StepIds.hash("p1"), StepIds.hash("p2"), StepIds.hash("p3"), null)
        .last().isNull();
    assertThat(app.received.get(0).header("x-inngest-force-step-plan")).isEqualTo("true");
    assertThat(Runs.steps(orch, id)).containsKeys(StepIds.hash("p1"), StepIds.hash("p2"), StepIds.hash("p3"));
  }

  @Test
  void aFanOutOfOneKeepsOneReentryPerRunInFlight() throws Exception {
    // The gate opens only if two planned re-entries overlap; each waits out its bound instead.
    start(1, gated(new CountDownLatch(2), 1));
    String id = createPlanned("p1", "p2");
    awaitCompleted(id);
    assertThat(maxPlanned.get()).isEqualTo(1);
    assertThat(overlaps).isEmpty();
  }

  @Test
  void theFanOutSettingIsValidated() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Orchestrator.builder().reentryFanOutPerRun(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reentryFanOutPerRun");
  }
}
