package dev.stephttp.orchestrator;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.opentest4j.TestAbortedException;

/**
 * Finds the programs that some integration tests drive, before the test starts anything:
 * Chromium ({@code DashboardIT}), Node.js 20+ (Playwright's driver, Inngest's TypeScript SDK)
 * and npm ({@code InngestTsSdkIT}).
 *
 * <p>The README promises that {@code ./mvnw verify} passes with Java 17 alone, so a missing tool
 * skips the test: a JUnit assumption whose message names the install line, plus one
 * {@code WARNING} line on the console so that it shows in Maven's output. CI makes these tests
 * mandatory: with {@code STEPHTTP_REQUIRE_BROWSER_TESTS=1} in the environment (or
 * {@code -Dstephttp.requireBrowserTests=true}) a missing tool fails the test instead.
 *
 * <p>Each tool is looked up in its system property, then its environment variable, then on
 * {@code PATH}, then at fixed paths. A property or variable that is set but does not name an
 * executable counts as missing, without falling back: {@code -Dstephttp.chromium=none} is how a
 * build on a machine that has the tool checks the skip.
 */
final class ExternalTools {
  /** Switch (environment variable) that turns a missing tool into a failure; CI sets it. */
  static final String REQUIRE_ENV = "STEPHTTP_REQUIRE_BROWSER_TESTS";
  /** The same switch as a system property. */
  static final String REQUIRE_PROPERTY = "stephttp.requireBrowserTests";
  /** What a Debian or Ubuntu machine runs to get every tool. */
  static final String INSTALL = "apt-get install -y chromium nodejs npm";
  private static final String NODE_NOTE = "(Node.js must be 20 or later: Debian 12's own nodejs"
      + " is 18, take it from NodeSource or point -Dstephttp.node at a newer one)";

  /** A program a test needs. */
  enum Tool {
    CHROMIUM("Chromium", "stephttp.chromium", "CHROMIUM_PATH",
        List.of("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"),
        List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/snap/bin/chromium")),
    NODE("Node.js >= 20", "stephttp.node", "PLAYWRIGHT_NODEJS_PATH", List.of("node", "nodejs"),
        List.of("/usr/bin/node", "/usr/local/bin/node")),
    NPM("npm", "stephttp.npm", "NPM_PATH", List.of("npm"),
        List.of("/usr/bin/npm", "/usr/local/bin/npm"));

    final String label;
    final String property;
    final String envVar;
    final List<String> names;
    final List<String> fixed;

    Tool(String label, String property, String envVar, List<String> names, List<String> fixed) {
      this.label = label;
      this.property = property;
      this.envVar = envVar;
      this.names = names;
      this.fixed = fixed;
    }
  }

  private ExternalTools() {}

  /**
   * Resolves every tool the test needs, or skips the test (fails it when CI requires these
   * tests). Call it first, e.g. in {@code @BeforeAll}.
   */
  static Map<Tool, Path> require(String test, Tool... tools) {
    Map<Tool, Path> found = new EnumMap<>(Tool.class);
    List<String> problems = new ArrayList<>();
    for (Tool tool : tools) {
      try {
        Path path = find(tool, System.getProperty(tool.property), System.getenv(tool.envVar),
            System.getenv("PATH"), tool.fixed);
        if (tool == Tool.NODE) {
          checkNodeVersion(path);
        }
        found.put(tool, path);
      } catch (IllegalStateException e) {
        problems.add(e.getMessage());
      }
    }
    if (problems.isEmpty()) {
      return found;
    }
    boolean required = required(System.getenv(REQUIRE_ENV), System.getProperty(REQUIRE_PROPERTY));
    Throwable outcome = unavailable(test, Arrays.asList(tools), problems, required);
    if (outcome instanceof TestAbortedException) {
      System.err.println("WARNING: " + test + " " + outcome.getMessage());
      System.err.flush();
      throw (TestAbortedException) outcome;
    }
    throw (AssertionError) outcome;
  }

  /** Whether the CI switch is on ({@code 1}, {@code true} or {@code yes}). */
  static boolean required(String env, String property) {
    for (String v : new String[] {env, property}) {
      if (v != null && List.of("1", "true", "yes").contains(v.trim().toLowerCase())) {
        return true;
      }
    }
    return false;
  }

  /** The skip (an aborted assumption) or, under the CI switch, the failure. */
  static Throwable unavailable(String test, List<Tool> tools, List<String> problems,
      boolean required) {
    String needs = tools.stream().map(t -> t.label).collect(Collectors.joining(" and "));
    String install = "install with: " + INSTALL
        + (tools.contains(Tool.NODE) ? " " + NODE_NOTE : "");
    String missing = String.join("; ", problems);
    if (required) {
      return new AssertionError(test + " needs " + needs + " and " + REQUIRE_ENV + " makes it"
          + " mandatory — " + install + ". " + missing);
    }
    return new TestAbortedException("skipped: needs " + needs + " — " + install + ". " + missing
        + ". (" + REQUIRE_ENV + "=1 turns this skip into a failure, as in CI.)");
  }

  /**
   * The configured path (property, then environment variable), else the first executable on
   * PATH, else a fixed path; throws IllegalStateException naming what was tried.
   */
  static Path find(Tool tool, String property, String envValue, String pathVar,
      List<String> fixed) {
    String[][] configured = {{"-D" + tool.property, property}, {"$" + tool.envVar, envValue}};
    for (String[] c : configured) {
      if (c[1] != null && !c[1].isBlank()) {
        Path p = Paths.get(c[1].trim());
        if (executable(p)) {
          return p;
        }
        throw new IllegalStateException(tool.label + " not found: " + c[0] + "=" + c[1]
            + " is not an executable file");
      }
    }
    List<String> tried = new ArrayList<>();
    if (pathVar != null) {
      for (String dir : pathVar.split(File.pathSeparator)) {
        for (String name : tool.names) {
          Path candidate = Paths.get(dir.isEmpty() ? "." : dir, name);
          if (executable(candidate)) {
            return candidate.toAbsolutePath();
          }
        }
      }
      tried.add("PATH (" + String.join(", ", tool.names) + ")");
    }
    for (String f : fixed) {
      if (executable(Paths.get(f))) {
        return Paths.get(f);
      }
      tried.add(f);
    }
    throw new IllegalStateException(tool.label + " not found (tried -D" + tool.property + ", $"
        + tool.envVar + ", " + String.join(", ", tried) + ")");
  }

  /** Playwright 1.62's driver and Inngest's SDK declare {@code engines.node >= 20}. */
  static void checkNodeVersion(Path node) {
    String version;
    try {
      Process p = new ProcessBuilder(node.toString(), "--version").redirectErrorStream(true)
          .start();
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(node + " --version did not answer within 20 s");
      }
      version = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + node + " --version: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while checking the Node.js version", e);
    }
    Matcher m = Pattern.compile("v?(\\d+)\\.").matcher(version);
    if (!m.lookingAt() || Integer.parseInt(m.group(1)) < 20) {
      throw new IllegalStateException("Node.js at " + node + " is '" + version
          + "', 20 or later is needed");
    }
  }

  private static boolean executable(Path p) {
    return Files.isRegularFile(p) && Files.isExecutable(p);
  }
}
