package dev.stephttp.orchestrator;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The browser test fails at once, with an install hint, when an executable is missing. */
class DashboardBrowserTest {

  @Test
  void missingExecutableFailsWithWhatWasTriedAndHowToInstallIt() {
    assertThatThrownBy(() -> DashboardBrowser.find("Chromium", "STEPHTTP_NO_SUCH_VAR",
        "stephttp.no.such.property", List.of("stephttp-no-such-browser"),
        List.of("/nonexistent/chromium"), "apt-get install -y chromium"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("Chromium was not found")
        .hasMessageContaining("/nonexistent/chromium")
        .hasMessageContaining("apt-get install -y chromium");
  }
}
