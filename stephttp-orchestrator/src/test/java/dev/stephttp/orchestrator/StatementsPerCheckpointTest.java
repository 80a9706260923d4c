package dev.stephttp.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stephttp.orchestrator.store.SqliteStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The write path's cost does not grow with the number of ops (issue 10, BENCHMARKS.md "the write
 * path"): a create-run and a checkpoint request each execute at most a fixed number of SQL
 * statements on the durable store, whether they carry one op or forty (12, 22 and 207 for 1, 3
 * and 40 ops before; 9 and 4 before step values and traces shared one table).
 */
class StatementsPerCheckpointTest {
  /**
   * The ceiling per request (each request here commits alone; under load a group commit sends
   * the same statements for all its requests). A create-run: the run lookup, then one multi-row
   * statement each for runs, step rows (values and traces), work, events, apps and functions
   * (and, once, the next work ID). A checkpoint that completes its run: runs, step rows and the
   * run's work.
   */
  static final int CREATE_RUN_MAX = 8;
  static final int CHECKPOINT_MAX = 3;

  @TempDir Path dir;

  @Test
  void aCheckpointExecutesAConstantNumberOfStatementsWhateverItsOps() throws Exception {
    try (Orchestrator o = Orchestrator.builder().port(0).dev(true)
        .database(dir.resolve("count.db")).start()) {
      SqliteStore store = (SqliteStore) o.store();
      List<Long> creates = new ArrayList<>();
      List<Long> checkpoints = new ArrayList<>();
      for (int ops : new int[] {1, 3, 40}) {
        String id = Runs.newRunId();
        long before = store.writeStatements();
        Http.Result c = Http.post(o.baseUrl() + "/v1/checkpoint", "Bearer",
            Runs.create(id, "http://127.0.0.1:1", "/count", 0, Runs.stepRun("first", 1))
                .toString());
        assertThat(c.status()).isEqualTo(200);
        long afterCreate = store.writeStatements();
        StringBuilder steps = new StringBuilder();
        for (int i = 0; i < ops; i++) {
          steps.append(Runs.stepRun("s" + i, i)).append(',');
        }
        steps.append(Runs.complete(200, "ok"));
        Http.Result s = Http.post(o.baseUrl() + "/v1/checkpoint/" + id + "/steps", "Bearer",
            "{\"run_id\":\"" + id + "\",\"steps\":[" + steps + "]}");
        assertThat(s.status()).isEqualTo(200);
        creates.add(afterCreate - before);
        checkpoints.add(store.writeStatements() - afterCreate);
        assertThat(Runs.steps(o, id)).hasSize(ops + 1);
        assertThat(Runs.run(o, id).status().name()).isEqualTo("COMPLETED");
      }
      System.out.printf("statements per create-run %s, per checkpoint request (1, 3, 40 ops"
          + " + RunComplete) %s%n", creates, checkpoints);
      assertThat(creates).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(CREATE_RUN_MAX));
      assertThat(checkpoints).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(CHECKPOINT_MAX));
    }
  }

  /** Rows go 64 to a statement, all sizes prepared once: 150 ops take three step statements. */
  @Test
  void aCheckpointOfMoreOpsThanAStatementTakesIsStoredWhole() throws Exception {
    try (Orchestrator o = Orchestrator.builder().port(0).dev(true)
        .database(dir.resolve("count.db")).start()) {
      SqliteStore store = (SqliteStore) o.store();
      String id = Runs.newRunId();
      assertThat(Http.post(o.baseUrl() + "/v1/checkpoint", "Bearer",
          Runs.create(id, "http://127.0.0.1:1", "/count", 0, Runs.stepRun("first", 1)).toString()).status())
          .isEqualTo(200);
      StringBuilder steps = new StringBuilder();
      for (int i = 0; i < 150; i++) {
        steps.append(Runs.stepRun("s" + i, i)).append(',');
      }
      steps.append(Runs.complete(200, "ok"));
      long before = store.writeStatements();
      assertThat(Http.post(o.baseUrl() + "/v1/checkpoint/" + id + "/steps", "Bearer",
          "{\"run_id\":\"" + id + "\",\"steps\":[" + steps + "]}").status()).isEqualTo(200);
      assertThat(store.writeStatements() - before).isEqualTo(CHECKPOINT_MAX + 2); // 151 step rows: 3 chunks
      assertThat(Runs.steps(o, id)).hasSize(151);
      assertThat(Runs.run(o, id).status().name()).isEqualTo("COMPLETED");
    }
  }

  /** The library's one-call run (its checkpoint linger): a create-run carrying every step and the completion. */
  @Test
  void aCreateRunCarryingTheWholeRunExecutesAConstantNumberOfStatements() throws Exception {
    try (Orchestrator o = Orchestrator.builder().port(0).dev(true)
        .database(dir.resolve("count.db")).start()) {
      SqliteStore store = (SqliteStore) o.store();
      List<Long> creates = new ArrayList<>();
      for (int ops : new int[] {1, 3, 40}) {
        String id = Runs.newRunId();
        List<ObjectNode> steps = new ArrayList<>();
        for (int i = 0; i < ops; i++) {
          steps.add(Runs.stepRun("s" + i, i));
        }
        steps.add(Runs.complete(200, "ok"));
        long before = store.writeStatements();
        Http.Result c = Http.post(o.baseUrl() + "/v1/checkpoint", "Bearer",
            Runs.create(id, "http://127.0.0.1:1", "/count", 0,
                steps.toArray(new ObjectNode[0])).toString());
        assertThat(c.status()).isEqualTo(200);
        creates.add(store.writeStatements() - before);
        assertThat(Runs.run(o, id).status().name()).isEqualTo("COMPLETED");
      }
      System.out.printf("statements per create-run carrying 1, 3, 40 ops + RunComplete %s%n", creates);
      assertThat(creates).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(CREATE_RUN_MAX));
    }
  }
}
