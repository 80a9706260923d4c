package dev.stephttp.orchestrator.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import dev.stephttp.orchestrator.model.AppRecord;
import dev.stephttp.orchestrator.model.BadRequest;
import dev.stephttp.orchestrator.model.ClientFamily;
import dev.stephttp.orchestrator.model.EventRecord;
import dev.stephttp.orchestrator.model.FunctionRecord;
import dev.stephttp.orchestrator.model.Pause;
import dev.stephttp.orchestrator.model.RunFilter;
import dev.stephttp.orchestrator.model.RunRecord;
import dev.stephttp.orchestrator.model.RunStatus;
import dev.stephttp.orchestrator.model.StepTrace;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The store's contract, on a database file and on a temporary database ({@code
 * Orchestrator.inMemory()}).
 */
class StoreContractTest {
  @TempDir static Path dir;
  static int n;

  static Stream<Store> stores() {
    return Stream.of(SqliteStore.temporary(),
        new SqliteStore(dir.resolve("contract-" + (n++) + ".db")));
  }

  static RunRecord run(String id) {
    return new RunRecord(id, RunStatus.RUNNING, "app", "fn", ClientFamily.TS, "{}", "GET",
        "http://x/y", null, new byte[0], 2, 0, false, 0, 1, 0, null);
  }

  @ParameterizedTest
  @MethodSource("stores")
  void failedWriteIsRolledBackAndOthersInTheBatchCommit(Store store) {
    try (store) {
      CompletableFuture<Object> bad = store.write(tx -> {
        tx.insertRun(run("R1"));
        tx.putStep("R1", "s", "{\"data\":1}");
        throw new BadRequest(409, "nope");
      });
      CompletableFuture<Object> good = store.write(tx -> {
        tx.insertRun(run("R2"));
        return null;
      });
      assertThatThrownBy(bad::join).isInstanceOf(CompletionException.class)
          .hasCauseInstanceOf(BadRequest.class);
      good.join();
      RunRecord r1 = store.read(tx -> tx.run("R1"));
      Map<String, String> s1 = store.read(tx -> tx.steps("R1"));
      RunRecord r2 = store.read(tx -> tx.run("R2"));
      assertThat(r1).isNull();
      assertThat(s1).isEmpty();
      assertThat(r2).isNotNull();
    }
  }

  @ParameterizedTest
  @MethodSource("stores")
  void secondSaveOfAStepIsIgnored(Store store) {
    try (store) {
      boolean[] saved = store.write(tx -> new boolean[] {
          tx.putStep("R", "s", "1"), tx.putStep("R", "s", "2")}).join();
      assertThat(saved).containsExactly(true, false);
      Map<String, String> steps = store.read(tx -> tx.steps("R"));
      assertThat(steps).containsExactly(Map.entry("s", "1"));
    }
  }

  @ParameterizedTest
  @MethodSource("stores")
  void pauseLookupUsesTheEqualityIndex(Store store) {
    try (store) {
      store.write(tx -> {
        for (int i = 0; i < 500; i++) {
          tx.insertPause(new Pause(0, "R" + i, "s", "order/approved", "x", "data.id",
              "s:o" + i, Long.MAX_VALUE, null));
        }
        tx.insertPause(new Pause(0, "any", "s", "order/approved", null, null, null,
            Long.MAX_VALUE, null));
        tx.insertPause(new Pause(0, "other", "s", "other/event", null, null, null,
            Long.MAX_VALUE, null));
        return null;
      }).join();
      List<Pause> c = store.read(tx -> tx.pauseCandidates("order/approved",
          path -> path.equals("data.id") ? "s:o42" : null));
      assertThat(c).extracting(Pause::runId).containsExactlyInAnyOrder("R42", "any");
      List<Pause> unindexed = store.read(tx -> tx.pauseCandidates("order/approved", p -> null));
      assertThat(unindexed).extracting(Pause::runId).containsExactly("any");
    }
  }

  @ParameterizedTest
  @MethodSource("stores")
  void aSignalHasOneWaitItResumesAndEventsNeverMatchSignalWaits(Store store) {
    try (store) {
      Pause first = store.write(tx -> tx.insertPause(Pause.forSignal("R1", "s", "sig-1", Long.MAX_VALUE))).join();
      assertThat(store.read(tx -> tx.signalPause("sig-1")).runId()).isEqualTo("R1");
      assertThat(store.<List<Pause>>read(tx -> tx.pauseCandidates("sig-1", path -> null))).isEmpty();
      assertThatThrownBy(() -> store.write(tx -> tx.insertPause(Pause.forSignal("R2", "s", "sig-1", 1L))).join())
          .hasCauseInstanceOf(StoreException.class);

      Pause second = store.write(tx -> {
        tx.releaseSignal(first.id());
        return tx.insertPause(Pause.forSignal("R2", "s", "sig-1", 1L));
      }).join();
      assertThat(store.read(tx -> tx.signalPause("sig-1")).id()).isEqualTo(second.id());
      Pause released = store.read(tx -> tx.pause(first.id()));
      assertThat(released.signal()).isNull(); // it only times out now
      assertThat(released.runId()).isEqualTo("R1");
    }
  }

  @Test
  void aSchemaVersion1DatabaseGainsSignalWaitsWhenOpened() throws Exception {
    Path file = dir.resolve("v1.db");
    try (SqliteStore store = new SqliteStore(file)) {
      store.write(tx -> tx.insertPause(new Pause(0, "R1", "s", "order/approved", null, null, null,
          Long.MAX_VALUE, null))).join();
    }
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file);
        java.sql.Statement s = c.createStatement()) {
      s.execute("DROP INDEX pauses_signal");
      s.execute("ALTER TABLE pauses DROP COLUMN signal");
      downToVersion2(s);
      s.execute("PRAGMA user_version = 1");
    }
    try (SqliteStore store = new SqliteStore(file)) {
      store.write(tx -> tx.insertPause(Pause.forSignal("R2", "s", "sig-1", Long.MAX_VALUE))).join();
      assertThat(store.read(tx -> tx.signalPause("sig-1")).runId()).isEqualTo("R2");
      assertThat(store.<List<Pause>>read(tx -> tx.pauseCandidates("order/approved", path -> null)))
          .extracting(Pause::runId).containsExactly("R1");
    }
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file);
        java.sql.ResultSet rs = c.createStatement().executeQuery("PRAGMA user_version")) {
      assertThat(rs.getInt(1)).isEqualTo(Schema.CURRENT);
    }
  }

  /** Turns a current database's step rows back into version 2's two tables (values dropped). */
  private static void downToVersion2(java.sql.Statement s) throws java.sql.SQLException {
    s.execute("ALTER TABLE step_trace DROP COLUMN value");
    s.execute("CREATE TABLE steps(run_id TEXT NOT NULL, step_id TEXT NOT NULL,"
        + " value TEXT NOT NULL, seq INTEGER PRIMARY KEY AUTOINCREMENT, UNIQUE(run_id, step_id))");
  }

  @Test
  void aSchemaVersion2DatabaseKeepsItsValuesAndTracesInOneTrail() throws Exception {
    Path file = dir.resolve("v2.db");
    try (SqliteStore store = new SqliteStore(file)) {
      store.write(tx -> {
        tx.insertRun(run("R1"));
        return null;
      }).join();
    }
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file);
        java.sql.Statement s = c.createStatement()) {
      downToVersion2(s);
      s.execute("INSERT INTO step_trace(run_id, step_key, step_id, name, op, status, attempts,"
          + " max_attempts, queued_at, started_at, ended_at, attempt_log) VALUES"
          + " ('R1', 'k0', 'a', 'A', 'RUN', 'COMPLETED', 1, 4, 10, 11, 12, '[]'),"
          + " ('R1', 'k1', 'w', 'w', 'SLEEP', 'WAITING', 1, 1, 13, 13, 0, '[]')");
      s.execute("INSERT INTO steps(run_id, step_id, value) VALUES ('R1', 'k1', '\"b\"'),"
          + " ('R1', 'k0', '{\"data\":1}'), ('R1', 'k2', '\"bare\"'), ('R9', 'k0', '9')");
      s.execute("PRAGMA user_version = 2");
    }
    try (SqliteStore store = new SqliteStore(file)) {
      Map<String, String> values = store.read(tx -> tx.steps("R1"));
      assertThat(values).containsExactly(Map.entry("k0", "{\"data\":1}"),
          Map.entry("k1", "\"b\""), Map.entry("k2", "\"bare\""));
      assertThat(store.<Map<String, String>>read(tx -> tx.steps("R9")))
          .containsExactly(Map.entry("k0", "9"));
      List<StepTrace> traces = store.read(tx -> tx.stepTraces("R1"));
      assertThat(traces).extracting(StepTrace::stepKey, StepTrace::status, StepTrace::maxAttempts)
          .containsExactly(tuple("k0", "COMPLETED", 4),
              tuple("k1", "WAITING", 1));
      assertThat(store.<StepTrace>read(tx -> tx.stepTrace("R1", "k2"))).isNull();
      assertThat(store.read(Reads::counts)).containsEntry("steps", 4L);
      boolean[] saved = store.write(tx -> {
        boolean again = tx.putStep("R1", "k0", "2");
        tx.putStepTrace(new StepTrace("R1", "k2", "c", "c", "RUN", "COMPLETED", 1, 1, 1, 1, 2,
            null, null, null, "[]"));
        return new boolean[] {again, tx.putStep("R1", "k3", "3"),
            tx.stepTrace("R1", "k1") != null, tx.stepTrace("R1", "k2") != null};
      }).join();
      assertThat(saved).containsExactly(false, true, true, true);
      assertThat(store.<Map<String, String>>read(tx -> tx.steps("R1")))
          .containsEntry("k0", "{\"data\":1}").containsEntry("k2", "\"bare\"")
          .containsEntry("k3", "3").hasSize(4);
      assertThat(store.<List<StepTrace>>read(tx -> tx.stepTraces("R1")))
          .extracting(StepTrace::stepKey).containsExactly("k0", "k1", "k2");
    }
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file);
        java.sql.Statement s = c.createStatement()) {
      try (java.sql.ResultSet rs = s.executeQuery("PRAGMA user_version")) {
        assertThat(rs.getInt(1)).isEqualTo(3);
      }
      try (java.sql.ResultSet rs = s.executeQuery(
          "SELECT count(*) FROM sqlite_master WHERE name = 'steps'")) {
        assertThat(rs.getInt(1)).isZero();
      }
    }
  }

  @ParameterizedTest
  @MethodSource("stores")
  void aStepKeepsItsFirstValueAndItsLastTraceWhateverTheirOrder(Store store) {
    try (store) {
      StepTrace waiting = new StepTrace("R", "k", "s", "s", "RUN", "WAITING", 1, 3, 1, 1, 0,
          "{}", "RETRY", "{}", "[]");
      store.write(tx -> {
        tx.insertRun(run("R"));
        tx.putStepTrace(waiting);
        return null;
      }).join();
      store.write(tx -> tx.putStep("R", "k", "1")).join();
      store.write(tx -> {
        tx.putStepTrace(waiting.withStatus("COMPLETED", 5));
        return tx.putStep("R", "k", "2");
      }).join();
      store.write(tx -> tx.putStep("R", "v", "3")).join(); // a value first, traced later
      store.write(tx -> {
        tx.putStepTrace(waiting.withStatus("CANCELLED", 6));
        tx.putStepTrace(new StepTrace("R", "v", "v", "v", "RUN", "COMPLETED", 1, 1, 1, 1, 2, null,
            null, null, "[]"));
        return null;
      }).join();
      assertThat(store.<Map<String, String>>read(tx -> tx.steps("R")))
          .containsExactly(Map.entry("k", "1"), Map.entry("v", "3"));
      assertThat(store.<List<StepTrace>>read(tx -> tx.stepTraces("R")))
          .extracting(StepTrace::stepKey, StepTrace::status)
          .containsExactly(tuple("k", "CANCELLED"),
              tuple("v", "COMPLETED"));
      assertThat(store.<StepTrace>read(tx -> tx.stepTrace("R", "k")).waitReason()).isNull();
    }
  }

  @ParameterizedTest
  @MethodSource("stores")
  void eventsWithTheSameDedupKeyAreStoredOnce(Store store) {
    try (store) {
      boolean[] stored = store.write(tx -> new boolean[] {
          tx.insertEvent("E1", "k", "n", "{}", 1), tx.insertEvent("E2", "k", "n", "{}", 1),
          tx.insertEvent("E3", null, "n", "{}", 1), tx.insertEvent("E4", null, "n", "{}", 1)})
          .join();
      assertThat(stored).containsExactly(true, false, true, true);
    }
  }

  @ParameterizedTest
  @MethodSource("stores")
  void secretIsStable(Store store) {
    try (store) {
      assertThat(store.secret("x")).hasSize(32).isEqualTo(store.secret("x"));
    }
  }

  static RunRecord run(String id, String app, String fn, RunStatus status, long createdAt) {
    return new RunRecord(id, status, "u", "f", ClientFamily.TS, "{}", "GET", "http://x/y", null,
        new byte[0], 2, 0, false, 0, createdAt, status.terminal() ? createdAt + 5 : 0, null, app,
        fn, createdAt, null, "E" + id);
  }

  @ParameterizedTest
  @MethodSource("stores")
  void runQueriesFilterSortPageAndCountAlike(Store store) {
    try (store) {
      store.write(tx -> {
        for (int i = 0; i < 10; i++) {
          tx.insertRun(run("R" + i, i % 2 == 0 ? "a" : "b", "f", i < 3 ? RunStatus.RUNNING
              : RunStatus.COMPLETED, 100 + i / 2));
        }
        tx.putStepTrace(new StepTrace("R0", "k1", "s1", "s1", "SLEEP", "WAITING", 1, 1, 1, 1, 0,
            null, "SLEEP", "{}", "[]"));
        tx.putStepTrace(new StepTrace("R0", "k0", "s0", "s0", "RUN", "COMPLETED", 1, 1, 1, 1, 2,
            null, null, null, "[]"));
        tx.putStepTrace(new StepTrace("R0", "k1", "s1", "s1", "SLEEP", "WAITING", 1, 1, 1, 1, 0,
            null, "SLEEP", "{\"until\":5}", "[]"));
        return null;
      }).join();
      RunFilter all = RunFilter.all();
      List<RunRecord> first = store.read(tx -> tx.runs(all, 4));
      assertThat(first).extracting(RunRecord::id).containsExactly("R9", "R8", "R7", "R6");
      RunRecord last = first.get(3);
      List<RunRecord> next = store.read(tx -> tx.runs(all.after(last.createdAt(), last.id()), 4));
      assertThat(next).extracting(RunRecord::id).containsExactly("R5", "R4", "R3", "R2");
      RunFilter appA = new RunFilter(java.util.Set.of(RunStatus.RUNNING), java.util.Set.of("a"),
          java.util.Set.of(), RunFilter.TimeField.QUEUED_AT, 100L, 102L, false, null, null, null,
          null);
      assertThat(store.<List<RunRecord>>read(tx -> tx.runs(appA, 10))).extracting(RunRecord::id)
          .containsExactly("R0", "R2");
      Map<RunStatus, Long> counts = store.read(tx -> tx.countRuns(all));
      assertThat(counts).containsEntry(RunStatus.RUNNING, 3L)
          .containsEntry(RunStatus.COMPLETED, 7L);
      assertThat(store.<Map<String, Long>>read(tx -> tx.countWaits(all))).containsEntry("SLEEP", 1L);
      List<StepTrace> traces = store.read(tx -> tx.stepTraces("R0"));
      assertThat(traces).extracting(StepTrace::stepKey).containsExactly("k1", "k0");
      assertThat(traces.get(0).waitJson()).contains("until");
      RunFilter triggered = new RunFilter(java.util.Set.of(), java.util.Set.of(),
          java.util.Set.of(), RunFilter.TimeField.QUEUED_AT, null, null, true, "ER4", null, null,
          null);
      assertThat(store.<List<RunRecord>>read(tx -> tx.runs(triggered, 10))).extracting(RunRecord::id)
          .containsExactly("R4");
    }
  }

  @ParameterizedTest
  @MethodSource("stores")
  void catalogAndApiEventsBehaveAlike(Store store) {
    try (store) {
      store.write(tx -> {
        tx.touchFunction(new FunctionRecord("app2", "f1", "f1", 4, 10, 10));
        tx.touchFunction(new FunctionRecord("app1", "f2", "f2", 4, 20, 20));
        tx.touchFunction(new FunctionRecord("app1", "f1", "f1", 2, 30, 30));
        tx.touchFunction(new FunctionRecord("app1", "f1", "f1", 3, 40, 25));
        assertThat(tx.insertEventRecord(new EventRecord("E1", "n", "{}", 1, "k", "k", "fp")))
            .isTrue();
        assertThat(tx.insertEventRecord(new EventRecord("E2", "n", "{}", 2, "k", "k", "fp")))
            .isFalse();
        tx.linkResumed("E1", "R1", "s", 3);
        return null;
      }).join();
      assertThat(store.<List<AppRecord>>read(tx -> tx.apps(null, 10))).extracting(AppRecord::id)
          .containsExactly("app1", "app2");
      AppRecord app1 = store.read(tx -> tx.app("app1"));
      assertThat(app1.functionCount()).isEqualTo(2);
      assertThat(app1.createdAt()).isEqualTo(20);
      assertThat(app1.lastSeenAt()).isEqualTo(30);
      FunctionRecord f1 = store.read(tx -> tx.function("app1", "f1"));
      assertThat(f1.retries()).isEqualTo(3);
      assertThat(f1.createdAt()).isEqualTo(30);
      assertThat(store.<List<FunctionRecord>>read(tx -> tx.functions("app1", "f1", 10))).extracting(FunctionRecord::id)
          .containsExactly("f2");
      assertThat(store.read(tx -> tx.eventByApiKey("k")).id()).isEqualTo("E1");
      store.write(tx -> {
        tx.clearApiKey("E1");
        return null;
      }).join();
      assertThat(store.<EventRecord>read(tx -> tx.eventByApiKey("k"))).isNull();
      assertThat(store.read(tx -> tx.event("E1")).idempotencyKey()).isEqualTo("k");
    }
  }

  @Test
  void sqliteSurvivesReopenAndGroupCommitsConcurrentWrites() throws Exception {
    Path file = dir.resolve("group.db");
    int writes = 400;
    long[] stats;
    long t0 = System.nanoTime();
    try (SqliteStore store = new SqliteStore(file)) {
      ExecutorService pool = Executors.newFixedThreadPool(16);
      List<CompletableFuture<Object>> all = new ArrayList<>();
      for (int i = 0; i < writes; i++) {
        String id = "G" + i;
        all.add(CompletableFuture.supplyAsync(() -> store.write(tx -> {
          tx.insertRun(run(id));
          return null;
        }).join(), pool));
      }
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
      pool.shutdown();
      stats = store.commitStats();
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    System.out.printf("group commit: %d writes in %d commits, %d ms%n", stats[1], stats[0], ms);
    assertThat(stats[1]).isEqualTo(writes);
    assertThat(stats[0]).isLessThan(writes); // several requests shared a transaction
    try (SqliteStore again = new SqliteStore(file)) {
      Map<String, Long> counts = again.read(Reads::counts);
      assertThat(counts.get("runs")).isEqualTo(writes);
    }
  }

  @Test
  void temporaryStoreDeletesItsDatabaseOnClose() throws Exception {
    Path db;
    try (SqliteStore store = SqliteStore.temporary()) {
      store.write(tx -> {
        tx.insertRun(run("T1"));
        return null;
      }).join();
      assertThat(store.<RunRecord>read(tx -> tx.run("T1"))).isNotNull();
      db = store.file();
      assertThat(db).exists();
    }
    assertThat(db.getParent()).doesNotExist();
  }

  /**
   * Statement journals and sorts stay in memory on both connections: with SQLite's default, the
   * writer created, wrote and unlinked a temporary file for about every group commit.
   */
  @Test
  void temporaryDataStaysInMemory() {
    try (SqliteStore store = new SqliteStore(dir.resolve("temp-store.db"), true)) {
      String pragma = "PRAGMA temp_store";
      int memory = 2;
      List<Integer> writer = store.write(tx -> ((SqlTx) tx).query(pragma, rs -> rs.getInt(1)))
          .join();
      List<Integer> reader = store.read(tx -> ((SqlTx) tx).query(pragma, rs -> rs.getInt(1)));
      assertThat(writer).containsExactly(memory);
      assertThat(reader).containsExactly(memory);
    }
  }
}
