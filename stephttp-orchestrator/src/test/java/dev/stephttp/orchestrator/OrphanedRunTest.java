package dev.stephttp.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stephttp.orchestrator.model.RunRecord;
import dev.stephttp.orchestrator.model.RunStatus;
import dev.stephttp.orchestrator.model.WorkItem;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression (chaos runs): when the app died in the middle of a user's request, after its first
 * step was checkpointed, nothing ever completed the run and it stayed RUNNING for ever.
 */
class OrphanedRunTest {
  static final String KEY = "signkey-test-0123456789abcdef0123456789abcdef";
  static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;
  Orchestrator orch;
  FakeApp app;

  @BeforeEach
  void start() throws Exception {
    orch = Orchestrator.builder().port(0).database(dir.resolve("orphans.db")).signingKey(KEY)
        .retryBackoff(Duration.ofMillis(50)).connectionRetries(1, Duration.ofMillis(20))
        .orphanTimeout(Duration.ofSeconds(1)).start();
    app = new FakeApp().orchestrator(orch.baseUrl(), KEY).handle("/pay", ctx -> {
      ctx.run("a", () -> 1);
      return new FakeApp.Response(200, Map.of("content-type", "text/plain"), "recovered");
    });
  }

  @AfterEach
  void stop() throws Exception {
    app.close();
    orch.close();
  }

  /** The user's request checkpoints its first step, as the library does, and then reports no more. */
  String firstStepCheckpointed() {
    String id = Runs.newRunId();
    Http.Result r = Http.post(orch.baseUrl() + "/v1/checkpoint", KEY,
        Runs.create(id, app.domain(), "/pay", 0, Runs.stepRun("a", 1)).toString());
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return id;
  }

  RunRecord awaitEnd(String id) {
    Runs.await("run " + id + " finished", WAIT, () -> !Runs.run(orch, id).running());
    return Runs.run(orch, id);
  }

  @Test
  void runOfAnAppThatDiedMidRequestFailsWithAppStoppedReporting() throws Exception {
    String id = firstStepCheckpointed();
    app.close(); // the app process is gone

    RunRecord run = awaitEnd(id);

    assertThat(run.status()).isEqualTo(RunStatus.FAILED);
    assertThat(run.output()).contains("app_stopped_reporting");
    assertThat(Runs.counts(orch).get("work")).isZero();
  }

  @Test
  void runWhoseRequestWasLostIsRecoveredByAReentryWhenTheAppIsBack() {
    String id = firstStepCheckpointed();

    RunRecord run = awaitEnd(id);

    assertThat(run.status()).as(run.output()).isEqualTo(RunStatus.COMPLETED);
    assertThat(run.output()).contains("recovered");
    assertThat(app.reentries.get()).isEqualTo(1);
    assertThat(app.executions(id, "a")).isZero(); // replayed from the checkpoint
  }

  @Test
  void requestThatKeepsReportingIsNeverReentered() {
    String id = firstStepCheckpointed();
    List<WorkItem> armed = orch.store().read(tx -> tx.workForRun(id));
    assertThat(armed).singleElement().extracting(WorkItem::kind)
        .isEqualTo(WorkItem.Kind.WATCHDOG);
    Http.Result more = Http.post(orch.baseUrl() + "/v1/checkpoint/" + id + "/steps", KEY,
        "{\"run_id\":\"" + id + "\",\"steps\":[" + Runs.stepRun("b", 2) + "]}");
    assertThat(more.status()).isEqualTo(200);

    Runs.await("the watchdog looked and found progress", WAIT, () -> {
      List<WorkItem> now = orch.store().read(tx -> tx.workForRun(id));
      return now.size() == 1 && now.get(0).id() != armed.get(0).id();
    });
    Http.Result done = Http.post(orch.baseUrl() + "/v1/checkpoint/" + id + "/steps", KEY,
        "{\"run_id\":\"" + id + "\",\"steps\":[" + Runs.complete(200, "done") + "]}");
    assertThat(done.status()).isEqualTo(200);

    assertThat(awaitEnd(id).status()).isEqualTo(RunStatus.COMPLETED);
    assertThat(app.reentries.get()).isZero();
    assertThat(Runs.counts(orch).get("work")).isZero();
  }
}
