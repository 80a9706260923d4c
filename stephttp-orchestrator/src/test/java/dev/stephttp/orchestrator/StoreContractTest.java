package dev.stephttp.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

/** The same contract for the SQLite and the in-memory store. */
class StoreContractTest {
  @TempDir static Path dir;
  static int n;

  static Stream<Store> stores() {
    return Stream.of(new MemoryStore(), new SqliteStore(dir.resolve("contract-" + (n++) + ".db")));
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
              "s:o" + i, Long.MAX_VALUE));
        }
        tx.insertPause(new Pause(0, "any", "s", "order/approved", null, null, null,
            Long.MAX_VALUE));
        tx.insertPause(new Pause(0, "other", "s", "other/event", null, null, null,
            Long.MAX_VALUE));
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
      Map<String, Long> counts = again.read(Tx::counts);
      assertThat(counts.get("runs")).isEqualTo(writes);
    }
  }
}
