package dev.stephttp.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance 2: the shaded jar runs as a separate process; sleeping and waiting runs are
 * acknowledged, the process is killed with SIGKILL, restarted on the same database, and every
 * run finishes with each acknowledged step executed exactly once.
 */
class CrashSafetyIT {
  static final String KEY = "signkey-test-00112233445566778899aabbccddeeff";
  static final Pattern LISTENING = Pattern.compile("listening on (http://\\S+)");
  static final int SLEEPERS = 10;
  static final int WAITERS = 10;

  @TempDir Path dir;
  final List<Process> processes = new ArrayList<>();
  FakeApp app;

  @AfterEach
  void cleanup() throws Exception {
    for (Process p : processes) {
      p.destroyForcibly();
    }
    if (app != null) {
      app.close();
    }
  }

  /** Starts the jar and returns its base URL (parsed from its first stdout line). */
  String startOrchestrator(Path db, List<String> log) throws Exception {
    String jar = System.getProperty("stephttp.orchestrator.jar");
    assertThat(jar).as("system property stephttp.orchestrator.jar").isNotNull();
    assertThat(Path.of(jar)).exists();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-jar", jar, "--port", "0",
        "--db", db.toString(), "--signing-key", KEY, "--event-key", "ek",
        "--retry-interval-ms", "100").redirectErrorStream(true);
    Process p = pb.start();
    processes.add(p);
    CompletableFuture<String> url = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(
          new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          log.add(line);
          Matcher m = LISTENING.matcher(line);
          if (m.find() && line.startsWith("stephttp orchestrator")) {
            url.complete(m.group(1));
          }
        }
        url.completeExceptionally(new AssertionError("process ended: " + log));
      } catch (Exception e) {
        url.completeExceptionally(e);
      }
    }, "orchestrator-log");
    reader.setDaemon(true);
    reader.start();
    return url.get(60, TimeUnit.SECONDS);
  }

  @Test
  void killedOrchestratorResumesEveryRunWithAcknowledgedStepsExecutedOnce() throws Exception {
    Path db = dir.resolve("crash.db");
    List<String> log = new CopyOnWriteArrayList<>();
    String base = startOrchestrator(db, log);
    app = new FakeApp().orchestrator(base, KEY);
    app.handle("/sleeper", ctx -> {
      ctx.run("before", () -> "x");
      ctx.sleep("nap", "4s");
      JsonNode after = ctx.run("after", () -> "after-" + ctx.runId);
      return new FakeApp.Response(200, Map.of("content-type", "text/plain"), after.asText());
    });
    app.handle("/waiter", ctx -> {
      ctx.run("before", () -> "x");
      JsonNode ev = ctx.waitForEvent("approval", "order/approved", "1h",
          "async.data.runId == \"" + ctx.runId + "\"");
      JsonNode after = ctx.run("after", () -> "after-" + ev.path("data").path("runId").asText());
      return new FakeApp.Response(200, Map.of("content-type", "text/plain"), after.asText());
    });

    Map<String, String> outputUrls = new java.util.LinkedHashMap<>();
    List<String> waiters = new ArrayList<>();
    for (int i = 0; i < SLEEPERS + WAITERS; i++) {
      String id = Runs.newRunId();
      boolean sleeper = i < SLEEPERS;
      // the sync phase ran "before" once in the user's request (counted as the client would)
      app.executions.computeIfAbsent(id + "/before", k -> new java.util.concurrent.atomic
          .AtomicInteger()).incrementAndGet();
      var body = sleeper
          ? Runs.create(id, app.domain(), "/sleeper", 0, Runs.stepRun("before", "x"),
              Runs.sleep("nap", "4s"))
          : Runs.create(id, app.domain(), "/waiter", 0, Runs.stepRun("before", "x"),
              Runs.waitFor("approval", "order/approved", "1h",
                  "async.data.runId == \"" + id + "\""));
      Http.Result r = Http.post(base + "/v1/checkpoint", KEY, body.toString());
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      outputUrls.put(id, "/v1/http/runs/" + id + "/output?token="
          + r.json().get("data").get("token").asText());
      if (!sleeper) {
        waiters.add(id);
      }
    }
    // Every run is acknowledged and none has been re-entered yet (sleeps are 4 s away).
    assertThat(app.reentries.get()).isZero();
    Process first = processes.get(0);
    first.destroyForcibly(); // SIGKILL
    assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(Files.exists(db)).isTrue();

    String base2 = startOrchestrator(db, new CopyOnWriteArrayList<>());
    app.orchestrator(base2, KEY);
    for (String id : waiters) {
      Http.Result e = Http.post(base2 + "/e/ek", null,
          "{\"name\":\"order/approved\",\"data\":{\"runId\":\"" + id + "\"}}");
      assertThat(e.status()).isEqualTo(200);
    }
    // Output tokens minted before the crash still work (the secret lives in the database).
    List<CompletableFuture<Http.Result>> outputs = new ArrayList<>();
    outputUrls.values().forEach(u -> outputs.add(Http.getAsync(base2 + u)));
    int i = 0;
    for (Map.Entry<String, String> run : outputUrls.entrySet()) {
      Http.Result out = outputs.get(i++).get(60, TimeUnit.SECONDS);
      assertThat(out.status()).as(out.body()).isEqualTo(200);
      assertThat(out.body()).isEqualTo("after-" + run.getKey());
      assertThat(app.executions(run.getKey(), "before")).as("before of " + run.getKey())
          .isEqualTo(1);
      assertThat(app.executions(run.getKey(), "after")).as("after of " + run.getKey())
          .isEqualTo(1);
    }

    Process second = processes.get(1);
    second.destroy(); // SIGTERM: graceful shutdown
    assertThat(second.waitFor(30, TimeUnit.SECONDS)).as("graceful exit on SIGTERM").isTrue();
  }
}
