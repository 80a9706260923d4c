package dev.stephttp.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stephttp.orchestrator.store.SqliteStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A quick load: concurrent clients each create a run with one step and complete it (two
 * durable checkpoints per run, SQLite with synchronous=FULL). Prints runs/s and the
 * group-commit ratio; asserts only correctness.
 */
class QuickLoadTest {
  static final int RUNS = 400;
  static final int CLIENTS = 16;

  @TempDir Path dir;

  @Test
  void concurrentSyncRunsAreAllRecorded() throws Exception {
    try (Orchestrator o = Orchestrator.builder().port(0).dev(true)
        .database(dir.resolve("load.db")).start()) {
      ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
      long t0 = System.nanoTime();
      List<Future<Integer>> results = new ArrayList<>();
      for (int i = 0; i < RUNS; i++) {
        results.add(pool.submit(() -> {
          String id = Runs.newRunId();
          Http.Result c = Http.post(o.baseUrl() + "/v1/checkpoint", "Bearer",
              Runs.create(id, "http://127.0.0.1:1", "/load", 0, Runs.stepRun("a", 1)).toString());
          Http.Result s = Http.post(o.baseUrl() + "/v1/checkpoint/" + id + "/steps", "Bearer",
              "{\"run_id\":\"" + id + "\",\"steps\":[" + Runs.complete(200, "ok") + "]}");
          return c.status() * 1000 + s.status();
        }));
      }
      for (Future<Integer> f : results) {
        assertThat(f.get()).isEqualTo(200_200);
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      pool.shutdown();
      long[] stats = ((SqliteStore) o.store()).commitStats();
      Map<String, Long> counts = Runs.counts(o);
      assertThat(counts.get("runs")).isEqualTo(RUNS);
      assertThat(counts.get("steps")).isEqualTo(RUNS);
      System.out.printf("quick load: %d runs (%d checkpoints) in %.2f s = %.0f runs/s;"
          + " %d writes in %d commits%n", RUNS, 2 * RUNS, secs, RUNS / secs, stats[1], stats[0]);
    }
  }
}
