package dev.stephttp.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The orchestrator's shaded jar running as a child process on a free loopback port, with a
 * SQLite database in a given folder: what a user runs with {@code java -jar}.
 */
final class ChildOrchestrator implements AutoCloseable {
  static final String DEFAULT_JAR = "stephttp-orchestrator/target/stephttp-orchestrator.jar";
  private static final Pattern LISTENING = Pattern.compile("listening on (http://\\S+)");

  private final Process process;
  private final String baseUrl;
  private final long readyNanos;

  private ChildOrchestrator(Process process, String baseUrl, long readyNanos) {
    this.process = process;
    this.baseUrl = baseUrl;
    this.readyNanos = readyNanos;
  }

  /**
   * Starts {@code java [jvmArgs] -jar jar --port 0 --dev --db db [extra]} and waits (up to 60 s)
   * for the "listening on" line.
   */
  static ChildOrchestrator start(Path jar, Path db, List<String> jvmArgs, List<String> extra)
      throws IOException {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("orchestrator jar not found: " + jar.toAbsolutePath()
          + " (build with ./mvnw -B -pl benchmarks -am package -DskipTests, or pass --jar)");
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmArgs);
    cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
    cmd.add("-jar");
    cmd.add(jar.toAbsolutePath().toString());
    cmd.addAll(List.of("--port", "0", "--dev", "--db", db.toAbsolutePath().toString()));
    cmd.addAll(extra);
    long t0 = System.nanoTime();
    Process p = new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.PIPE)
        .start();
    // never leave an orchestrator behind when the driver is stopped (Ctrl-C, timeout)
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly, "orchestrator-reaper"));
    BufferedReader out = new BufferedReader(
        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> url = new CompletableFuture<>();
    Thread pump = new Thread(() -> {
      try {
        for (String line = out.readLine(); line != null; line = out.readLine()) {
          Matcher m = LISTENING.matcher(line);
          if (!url.isDone() && m.find()) {
            url.complete(m.group(1));
          } else if (!line.isBlank()) {
            System.err.println("[orchestrator] " + line);
          }
        }
      } catch (IOException ignored) {
        // the process ended
      }
      url.completeExceptionally(new IllegalStateException("orchestrator exited before listening"));
    }, "orchestrator-output");
    pump.setDaemon(true);
    pump.start();
    try {
      String base = url.get(60, TimeUnit.SECONDS);
      return new ChildOrchestrator(p, base, System.nanoTime() - t0);
    } catch (Exception e) {
      p.destroyForcibly();
      throw new IllegalStateException("orchestrator did not start: " + e.getMessage(), e);
    }
  }

  String baseUrl() {
    return baseUrl;
  }

  long pid() {
    return process.pid();
  }

  /** CPU time (user + system) the process has used so far, in seconds; NaN if unknown. */
  double cpuSeconds() {
    try {
      String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0; // USER_HZ = 100 on Linux
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /**
   * CPU time (user + system) the process's JIT compiler threads have used so far, in seconds;
   * NaN if unknown (Linux only). On two cores the compiler still competes with the requests well
   * after a short warm-up, so the orchestrator table reports its share of the measured window.
   */
  double jitCpuSeconds() {
    try (var tasks = Files.list(Path.of("/proc/" + process.pid() + "/task"))) {
      long ticks = 0;
      for (Path task : (Iterable<Path>) tasks::iterator) {
        String stat;
        try {
          stat = Files.readString(task.resolve("stat"));
        } catch (IOException gone) {
          continue; // the thread ended between listing and reading
        }
        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
        }
      }
      return ticks / 100.0; // USER_HZ = 100 on Linux
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /** Nanoseconds from process start to the "listening" line. */
  long readyNanos() {
    return readyNanos;
  }

  /** Heap used after a full GC, in MiB, read with {@code jcmd} (NaN if jcmd is unavailable). */
  double heapUsedAfterGcMiB() {
    try {
      jcmd("GC.run");
      String info = jcmd("GC.heap_info");
      Matcher m = Pattern.compile("used (\\d+)K").matcher(info);
      return m.find() ? Long.parseLong(m.group(1)) / 1024.0 : Double.NaN;
    } catch (IOException | InterruptedException e) {
      return Double.NaN;
    }
  }

  private String jcmd(String command) throws IOException, InterruptedException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), command)
        .redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(30, TimeUnit.SECONDS);
    return text;
  }

  /** SIGKILL: nothing is flushed or closed (an acknowledged write must survive this). */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy(); // SIGTERM: graceful stop
    if (!process.waitFor(15, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(15, TimeUnit.SECONDS);
    }
  }
}
