package dev.stephttp.reliability;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A JVM child process the chaos suite starts, SIGKILLs and starts again: its output is appended to
 * a log file (one per role, across restarts), and {@link #start} returns once a line matches the
 * ready pattern. A shutdown hook kills it if the test JVM ends first.
 */
final class ChildProcess {
  private final Process process;
  private final Thread reaper;

  private ChildProcess(Process process, Thread reaper) {
    this.process = process;
    this.reaper = reaper;
  }

  /**
   * Starts {@code command}, appending its output to {@code log}, and waits until a line matches
   * {@code ready}; fails with the reason if the process exits first or {@code timeout} passes.
   */
  static ChildProcess start(String role, List<String> command, Path log, Pattern ready, Duration timeout)
      throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    Thread reaper = new Thread(p::destroyForcibly, role + "-reaper");
    Runtime.getRuntime().addShutdownHook(reaper);
    CompletableFuture<Void> listening = new CompletableFuture<>();
    Thread pump = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
          Writer out = Files.newBufferedWriter(log, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
              StandardOpenOption.APPEND)) {
        out.write("---- " + role + " pid " + p.pid() + " started at " + System.currentTimeMillis() + "\n");
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          out.write(line);
          out.write('\n');
          out.flush();
          if (!listening.isDone() && ready.matcher(line).find()) {
            listening.complete(null);
          }
        }
      } catch (IOException e) {
        // the process ended
      }
      listening.completeExceptionally(new IllegalStateException(role + " exited before it was ready (see " + log + ")"));
    }, role + "-output");
    pump.setDaemon(true);
    pump.start();
    try {
      listening.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
      Runtime.getRuntime().removeShutdownHook(reaper);
      throw new IllegalStateException(role + " did not start: " + e.getMessage(), e);
    }
    return new ChildProcess(p, reaper);
  }

  long pid() {
    return process.pid();
  }

  /** SIGKILL, and waits until the process is gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
    forget();
  }

  /** SIGTERM, SIGKILL after 10 s. */
  void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    forget();
  }

  private void forget() {
    try {
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: the hook runs anyway
    }
  }
}
