package dev.stephttp.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stephttp.orchestrator.ExternalTools.Tool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

/**
 * Tests that need Chromium or Node.js skip with the install line on a machine without them, and
 * fail instead when CI requires them.
 */
class ExternalToolsTest {

  @Test
  void missingToolSkipsWithTheInstallLine() {
    Throwable t = ExternalTools.unavailable("DashboardIT", List.of(Tool.CHROMIUM, Tool.NODE),
        List.of("Chromium not found (tried PATH)"), false);
    assertThat(t).isInstanceOf(TestAbortedException.class)
        .hasMessageStartingWith("skipped: needs Chromium and Node.js >= 20 — install with: "
            + "apt-get install -y chromium nodejs npm")
        .hasMessageContaining("Chromium not found (tried PATH)")
        .hasMessageContaining("STEPHTTP_REQUIRE_BROWSER_TESTS=1");
  }

  @Test
  void missingToolFailsWhenCiRequiresTheTest() {
    Throwable t = ExternalTools.unavailable("InngestTsSdkIT", List.of(Tool.NODE, Tool.NPM),
        List.of("npm not found"), true);
    assertThat(t).isInstanceOf(AssertionError.class)
        .hasMessageStartingWith("InngestTsSdkIT needs Node.js >= 20 and npm")
        .hasMessageContaining("apt-get install -y chromium nodejs npm")
        .hasMessageContaining("npm not found");
  }

  @Test
  void ciSwitchAcceptsOneTrueOrYesFromEnvironmentOrProperty() {
    assertThat(ExternalTools.required("1", null)).isTrue();
    assertThat(ExternalTools.required(null, "true")).isTrue();
    assertThat(ExternalTools.required(" YES ", null)).isTrue();
    assertThat(ExternalTools.required(null, null)).isFalse();
    assertThat(ExternalTools.required("0", "false")).isFalse();
  }

  @Test
  void configuredPathThatIsNotExecutableCountsAsMissingWithoutFallingBackToPath() {
    assertThatThrownBy(() -> ExternalTools.find(Tool.CHROMIUM, "none", null, "/usr/bin:/bin",
        Tool.CHROMIUM.fixed))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Chromium not found: -Dstephttp.chromium=none is not an executable file");
  }

  @Test
  void missingToolNamesEverythingThatWasTried() {
    assertThatThrownBy(() -> ExternalTools.find(Tool.NPM, null, null, "/nonexistent-dir",
        List.of("/nonexistent/npm")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("npm not found")
        .hasMessageContaining("-Dstephttp.npm")
        .hasMessageContaining("PATH (npm)")
        .hasMessageContaining("/nonexistent/npm");
  }

  @Test
  void configuredExecutableIsUsedBeforePath() {
    // /bin/sh exists on every machine this builds on; it stands in for a configured tool
    assertThat(ExternalTools.find(Tool.NODE, null, "/bin/sh", "/usr/bin", List.of()).toString())
        .isEqualTo("/bin/sh");
  }

  @Test
  void toolIsFoundOnPathByName(@TempDir Path dir) throws Exception {
    Path npm = Files.createFile(dir.resolve("npm"));
    assertThat(npm.toFile().setExecutable(true)).isTrue();
    assertThat(ExternalTools.find(Tool.NPM, null, null, "/nonexistent-dir:" + dir, List.of()))
        .isEqualTo(npm.toAbsolutePath());
  }
}
