package dev.stephttp.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stephttp.orchestrator.engine.Settings;
import dev.stephttp.orchestrator.model.RunRecord;
import dev.stephttp.orchestrator.model.RunStatus;
import dev.stephttp.orchestrator.store.Reads;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression (chaos run, issue 9): a restarted orchestrator cleared the leases of re-entries the
 * previous process had sent and sent them again at once, so a step ran twice at the same moment
 * in one app process. A lease left by the previous process is now waited out.
 */
class ReentryLeaseRestartTest {
  static final String KEY = "signkey-test-0123456789abcdef0123456789abcdef";
  static final Duration TIMEOUT = Duration.ofSeconds(2);
  /** How long the app's first call runs: past the orchestrator's timeout, within the lease. */
  static final long STEP_MILLIS = 2_500;

  @TempDir Path dir;
  Orchestrator orch;
  RawApp app;
  final AtomicInteger inFlight = new AtomicInteger();
  final AtomicInteger maxInFlight = new AtomicInteger();
  final List<Long> receivedAt = new CopyOnWriteArrayList<>();

  Orchestrator start() {
    return Orchestrator.builder().port(0).database(dir.resolve("lease.db")).signingKey(KEY)
        .eventKey("ek").retryBackoff(Duration.ofMillis(20)).reentryTimeout(TIMEOUT)
        .connectionRetries(3, Duration.ofMillis(20)).start();
  }

  @AfterEach
  void stop() throws Exception {
    if (orch != null) {
      orch.close();
    }
    if (app != null) {
      app.close();
    }
  }

  @Test
  void restartedOrchestratorWaitsOutTheLeaseOfAReentryThePreviousOneSent() throws Exception {
    RawApp.Answer complete = RawApp.ops(206, "[" + Runs.complete(200, "once") + "]", Map.of());
    app = new RawApp().then((req, resp) -> {
      maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      receivedAt.add(System.currentTimeMillis());
      try {
        if (receivedAt.size() == 1) {
          Thread.sleep(STEP_MILLIS); // the step's work: it outlives the orchestrator's call
        }
        complete.answer(req, resp);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        inFlight.decrementAndGet();
      }
    });
    orch = start();
    String id = Runs.newRunId();
    Http.Result r = Http.post(orch.baseUrl() + "/v1/checkpoint", KEY,
        Runs.create(id, app.domain(), "/r", 0, Runs.stepRun("a", 1), Runs.sleep("nap", "1ms"))
            .toString());
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    Runs.await("the app received the re-entry", Duration.ofSeconds(10),
        () -> receivedAt.size() == 1);
    Map<Long, Long> leases = orch.store().read(Reads::leases);
    assertThat(leases).hasSize(1);
    long leaseEnd = leases.values().iterator().next();

    orch.close(); // its call is cut at the timeout while the app still runs the step
    orch = start();

    Runs.await("the run completed", Duration.ofSeconds(20),
        () -> !Runs.run(orch, id).running());
    RunRecord run = Runs.run(orch, id);
    assertThat(run.status()).as(run.output()).isEqualTo(RunStatus.COMPLETED);
    assertThat(receivedAt).hasSize(2);
    assertThat(receivedAt.get(1)).as("second call vs the first process's lease")
        .isGreaterThanOrEqualTo(leaseEnd);
    assertThat(maxInFlight.get()).as("calls the app ran at once").isEqualTo(1);
  }

  @Test
  void leaseOfAReentryCoversItsTimeoutAndAMargin() {
    Settings s = Orchestrator.builder().signingKey(KEY).reentryTimeout(TIMEOUT).settings();
    Settings dflt = Orchestrator.builder().signingKey(KEY).settings();

    assertThat(s.reentryLeaseMillis()).isEqualTo(3_000);
    assertThat(dflt.reentryTimeout()).isEqualTo(Duration.ofMinutes(5));
    assertThat(dflt.reentryLeaseMillis()).isEqualTo(330_000);
    assertThat(dflt.reentryConcurrencyPerOrigin()).isEqualTo(8);
    assertThat(dflt.reentryFanOutPerRun()).isEqualTo(4);
  }
}
