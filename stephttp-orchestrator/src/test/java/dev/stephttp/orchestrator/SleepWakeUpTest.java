package dev.stephttp.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stephttp.orchestrator.model.RunStatus;
import dev.stephttp.orchestrator.store.SqliteStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10's "sleep due → re-entry" path, by its mechanism rather than its timing (BENCHMARKS.md,
 * "Issue 10: the write path (after)"): on a durable store that nothing else writes to, a due
 * sleep reaches the app after exactly two commits of its own, the timer's (the sleep's step
 * stored, the re-entry scheduled) and the re-entry's lease. A re-entry that became visible to
 * the scheduler only with a later, unrelated commit (a work insert held back past its group
 * commit, an after-commit notification run by the next group) would never arrive here, and an
 * extra commit on the way would show in the count.
 */
class SleepWakeUpTest {
  @TempDir Path dir;

  @Test
  void aDueSleepIsReEnteredAfterItsTimerAndLeaseCommitsAlone() throws Exception {
    AtomicLong commitsAtArrival = new AtomicLong(-1);
    try (RawApp app = new RawApp();
        Orchestrator o = Orchestrator.builder().port(0).dev(true)
            .database(dir.resolve("sleep.db")).start()) {
      SqliteStore store = (SqliteStore) o.store();
      RawApp.Answer complete = RawApp.ops(206, "[" + Runs.complete(200, "woke") + "]", Map.of());
      app.then((req, resp) -> {
        commitsAtArrival.compareAndSet(-1, store.commitStats()[0]);
        complete.answer(req, resp);
      });
      String id = Runs.newRunId();
      long sent = System.currentTimeMillis();
      Http.Result created = Http.post(o.baseUrl() + "/v1/checkpoint", "Bearer",
          Runs.create(id, app.domain(), "/nap", 0, Runs.sleep("nap", "1s")).toString());
      assertThat(created.status()).isEqualTo(200);
      long commitsAfterCreate = store.commitStats()[0];

      Runs.await("the re-entry after the sleep", Duration.ofSeconds(30),
          () -> commitsAtArrival.get() >= 0);
      long arrived = System.currentTimeMillis();
      assertThat(arrived - sent).as("re-entered only once the sleep was due")
          .isGreaterThanOrEqualTo(1000);
      assertThat(commitsAtArrival.get() - commitsAfterCreate)
          .as("commits between the create-run's answer and the re-entry's arrival")
          .isEqualTo(2);
      Runs.await("the run completes", Duration.ofSeconds(30),
          () -> Runs.run(o, id).status() == RunStatus.COMPLETED);
      assertThat(app.received).hasSize(1);
    }
  }
}
