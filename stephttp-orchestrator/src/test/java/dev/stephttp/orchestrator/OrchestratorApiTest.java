package dev.stephttp.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The public surface: builder validation, start-up failures, CLI parsing. */
class OrchestratorApiTest {
  @TempDir Path dir;

  @Test
  void builderValidatesItsSettings() {
    assertThatThrownBy(() -> Orchestrator.builder().inMemoryStore().port(0).start())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("signingKey");
    assertThatThrownBy(() -> Orchestrator.builder().port(70000))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0..65535");
    assertThatThrownBy(() -> Orchestrator.builder().eventKey(""))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void busyPortFailsAndReleasesTheDatabase() {
    Path db = dir.resolve("busy.db");
    try (Orchestrator first = Orchestrator.builder().dev(true).port(0).database(db).start()) {
      assertThatThrownBy(() -> Orchestrator.builder().dev(true).port(first.port())
          .database(dir.resolve("other.db")).start()).isInstanceOf(RuntimeException.class);
      assertThat(Http.get(first.baseUrl() + "/health").status()).isEqualTo(200);
    }
    try (Orchestrator again = Orchestrator.builder().dev(true).port(0).database(db).start()) {
      assertThat(again.baseUrl()).startsWith("http://127.0.0.1:");
    }
  }

  @Test
  void cliPrintsHelpAndRejectsBadArguments() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
    PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
    assertThat(Main.run(new String[] {"--help"}, o, e)).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("--signing-key");
    assertThat(Main.run(new String[] {"--port"}, o, e)).isEqualTo(2);
    assertThat(Main.run(new String[] {"--bogus"}, o, e)).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown option --bogus");
  }
}
