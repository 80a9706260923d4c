package dev.stephttp.orchestrator;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Playwright;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts Playwright on the system Node.js and launches the system's Chromium, as DEPENDENCIES.md
 * prescribes (no driver-bundle, no browser download). The browser tests find both first with
 * {@link ExternalTools#require}, which skips them (or fails them in CI) when one is missing.
 */
final class DashboardBrowser {
  static final List<String> CHROMIUM_ARGS = List.of("--headless", "--no-sandbox", "--disable-gpu",
      "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync");

  /** Playwright and a headless Chromium, both to be closed by the caller. */
  record Session(Playwright playwright, Browser browser) implements AutoCloseable {
    @Override
    public void close() {
      try {
        browser.close();
      } finally {
        playwright.close();
      }
    }
  }

  private DashboardBrowser() {}

  /** Finds the tools (or skips the test) and starts Playwright with a headless Chromium. */
  static Session start(String test) {
    Map<ExternalTools.Tool, Path> tools = ExternalTools.require(test,
        ExternalTools.Tool.CHROMIUM, ExternalTools.Tool.NODE);
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("PLAYWRIGHT_NODEJS_PATH", tools.get(ExternalTools.Tool.NODE).toString());
    env.put("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
    Playwright pw = Playwright.create(new Playwright.CreateOptions().setEnv(env));
    try {
      Browser browser = pw.chromium().launch(new BrowserType.LaunchOptions()
          .setExecutablePath(tools.get(ExternalTools.Tool.CHROMIUM))
          .setHeadless(true)
          .setArgs(CHROMIUM_ARGS)
          .setTimeout(60_000));
      return new Session(pw, browser);
    } catch (RuntimeException e) {
      pw.close();
      throw e;
    }
  }
}
