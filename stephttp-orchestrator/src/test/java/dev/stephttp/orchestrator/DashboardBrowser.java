package dev.stephttp.orchestrator;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Playwright;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts Playwright on the system Node.js and launches Debian's Chromium, as DEPENDENCIES.md
 * prescribes (no driver-bundle, no browser download). Both executables are resolved at test time
 * and a missing one fails the test at once with a message that says how to install it.
 */
final class DashboardBrowser {
  static final List<String> CHROMIUM_ARGS = List.of("--headless", "--no-sandbox", "--disable-gpu",
      "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync");

  private DashboardBrowser() {}

  /** Playwright driven by the system node; never downloads browsers. */
  static Playwright playwright() {
    Path node = find("node", "PLAYWRIGHT_NODEJS_PATH", "playwright.nodejs.path",
        List.of("node", "nodejs"), List.of("/usr/bin/node", "/usr/local/bin/node"),
        "apt-get install -y nodejs (Node 18 or later)");
    requireNode20(node);
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("PLAYWRIGHT_NODEJS_PATH", node.toString());
    env.put("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
    return Playwright.create(new Playwright.CreateOptions().setEnv(env));
  }

  /** Debian's Chromium, headless, with a bounded launch timeout. */
  static Browser launch(Playwright pw) {
    Path chromium = find("Chromium", "CHROMIUM_PATH", "stephttp.chromium",
        List.of("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"),
        List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/snap/bin/chromium"),
        "apt-get update && apt-get install -y chromium");
    return pw.chromium().launch(new BrowserType.LaunchOptions()
        .setExecutablePath(chromium)
        .setHeadless(true)
        .setArgs(CHROMIUM_ARGS)
        .setTimeout(60_000));
  }

  /** Playwright 1.62's driver declares {@code engines.node >= 20}; Debian bookworm ships 18. */
  static void requireNode20(Path node) {
    String version;
    try {
      Process p = new ProcessBuilder(node.toString(), "--version").redirectErrorStream(true).start();
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(node + " --version did not answer within 20 s");
      }
      version = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new AssertionError("cannot run " + node + " --version: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while checking the Node.js version", e);
    }
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("v?(\\d+)\\.").matcher(version);
    if (!m.lookingAt() || Integer.parseInt(m.group(1)) < 20) {
      throw new AssertionError("Playwright 1.62 needs Node.js 20 or later, but " + node + " is '"
          + version + "'. Install Node 20+ or point PLAYWRIGHT_NODEJS_PATH at one.");
    }
  }

  /**
   * Looks at the system property, then the environment variable, then PATH, then fixed paths;
   * throws an AssertionError naming everything it tried.
   */
  static Path find(String what, String envVar, String property, List<String> names,
      List<String> fixed, String install) {
    List<String> tried = new ArrayList<>();
    for (String configured : new String[] {System.getProperty(property), System.getenv(envVar)}) {
      if (configured != null && !configured.isBlank()) {
        if (executable(Paths.get(configured))) {
          return Paths.get(configured);
        }
        tried.add(configured);
      }
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        for (String name : names) {
          Path candidate = Paths.get(dir.isEmpty() ? "." : dir, name);
          if (executable(candidate)) {
            return candidate.toAbsolutePath();
          }
        }
      }
      tried.add("PATH (" + String.join(", ", names) + ")");
    }
    for (String f : fixed) {
      if (executable(Paths.get(f))) {
        return Paths.get(f);
      }
      tried.add(f);
    }
    throw new AssertionError(what + " was not found; the dashboard browser test needs it. Tried -D"
        + property + ", $" + envVar + ", " + String.join(", ", tried) + ". Install it with: "
        + install);
  }

  private static boolean executable(Path p) {
    return Files.isRegularFile(p) && Files.isExecutable(p);
  }
}
