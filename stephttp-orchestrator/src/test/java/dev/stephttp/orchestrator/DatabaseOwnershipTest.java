package dev.stephttp.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: two orchestrators started on one database file both dispatched every work item,
 * so every step ran twice. The first holds the file for its lifetime; a second refuses.
 */
class DatabaseOwnershipTest {
  static final String KEY = "signkey-test-0123456789abcdef0123456789abcdef";

  static Orchestrator start(Path db) {
    return Orchestrator.builder().port(0).database(db).signingKey(KEY).start();
  }

  @Test
  void secondOrchestratorOnTheSameFileRefusesToStartUntilTheFirstCloses(@TempDir Path dir) {
    Path db = dir.resolve("shared.db");
    Orchestrator first = start(db);
    try {
      assertThatThrownBy(() -> start(db))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(db.toAbsolutePath().toString())
          .hasMessageContaining("another orchestrator holds it");
      // the refused start left nothing behind: the first still serves
      assertThat(Http.get(first.baseUrl() + "/health").status()).isEqualTo(200);
    } finally {
      first.close();
    }
    try (Orchestrator next = start(db)) {
      assertThat(Http.get(next.baseUrl() + "/health").status()).isEqualTo(200);
    }
  }

  @Test
  void orchestratorsOnDifferentFilesAndInMemoryRunSideBySide(@TempDir Path dir) {
    try (Orchestrator a = start(dir.resolve("a.db"));
        Orchestrator b = start(dir.resolve("b.db"));
        Orchestrator c = Orchestrator.builder().port(0).inMemoryStore().signingKey(KEY).start();
        Orchestrator d = Orchestrator.builder().port(0).inMemoryStore().signingKey(KEY).start()) {
      assertThat(java.util.List.of(a, b, c, d)).extracting(Orchestrator::port).doesNotHaveDuplicates();
    }
  }

  @Test
  void cliSaysInOneLineThatAnotherOrchestratorHoldsTheDatabaseAndExitsWith2(@TempDir Path dir)
      throws Exception {
    Path db = dir.resolve("cli.db");
    try (Orchestrator held = start(db)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int code = Main.run(new String[] {"--port", "0", "--signing-key", KEY, "--db",
          db.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
          new PrintStream(err, true, StandardCharsets.UTF_8));

      assertThat(code).isEqualTo(2);
      assertThat(err.toString(StandardCharsets.UTF_8).lines().toList()).singleElement()
          .asString().contains(db.toAbsolutePath().toString(), "another orchestrator holds it");
      assertThat(held.port()).isPositive();
    }
  }
}
