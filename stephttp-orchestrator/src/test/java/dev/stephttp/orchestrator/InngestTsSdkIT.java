package dev.stephttp.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stephttp.internal.wire.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The orchestrator serves Inngest's own TypeScript SDK (npm {@code inngest}, pinned in
 * src/test/inngest-ts/package-lock.json): a durable endpoint on Node, in cloud mode (hashed bearer
 * key, signed re-entries verified by the SDK), through a sleep, a waitForEvent with a CEL
 * condition, and back to the caller blocked on the output URL. Needs Node.js 20+ and npm
 * ({@link ExternalTools}: skipped without them, except in CI).
 */
class InngestTsSdkIT {
  static final String KEY = "signkey-test-0123456789abcdef0123456789abcdef";
  static Path app;
  static Path node;
  static Path npm;

  final OkHttpClient http = new OkHttpClient.Builder().followRedirects(false)
      .callTimeout(90, TimeUnit.SECONDS).readTimeout(90, TimeUnit.SECONDS).build();

  @BeforeAll
  static void installSdk() throws Exception {
    Map<ExternalTools.Tool, Path> tools = ExternalTools.require("InngestTsSdkIT",
        ExternalTools.Tool.NODE, ExternalTools.Tool.NPM);
    node = tools.get(ExternalTools.Tool.NODE);
    npm = tools.get(ExternalTools.Tool.NPM);
    Path fixture = Path.of("src/test/inngest-ts");
    app = Path.of(System.getProperty("stephttp.build.dir", "target")).resolve("inngest-ts");
    Files.createDirectories(app);
    for (String f : List.of("package.json", "package-lock.json", "app.mjs", "stream-client.mjs",
        "signal-client.mjs")) {
      Files.copy(fixture.resolve(f), app.resolve(f), StandardCopyOption.REPLACE_EXISTING);
    }
    if (!Files.isDirectory(app.resolve("node_modules/inngest"))) {
      run(Duration.ofMinutes(5), npm.toString(), "ci", "--no-audit", "--no-fund",
          "--ignore-scripts");
    }
  }


  private static void run(Duration timeout, String... command) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).directory(app.toFile())
        .redirectErrorStream(true).redirectOutput(app.resolve("npm.log").toFile());
    withNodeOnPath(pb);
    Process p = pb.start();
    if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout);
    }
    assertThat(p.exitValue()).as(String.join(" ", command) + ": " + Files.readString(app.resolve("npm.log")))
        .isZero();
  }

  /** npm's launcher runs {@code #!/usr/bin/env node}: the node found must come first on PATH. */
  private static Map<String, String> withNodeOnPath(ProcessBuilder pb) {
    Map<String, String> env = pb.environment();
    String path = env.get("PATH");
    env.put("PATH", node.getParent() + (path == null ? "" : java.io.File.pathSeparator + path));
    return env;
  }

  /**
   * Issue 11: {@code Promise.all} of three {@code step.run}s. The SDK plans the three in one
   * checkpoint (StepPlanned), the orchestrator re-enters once per step and then once more to
   * finish; each step runs once and the caller gets the combined answer.
   */
  @Test
  void tsPromiseAllOfThreeStepsRunsEachOnceAndAnswersTheCombinedResult() throws Exception {
    try (Orchestrator orch = Orchestrator.builder().port(0).inMemoryStore().signingKey(KEY).eventKey("ek").start()) {
      Process node = startApp(orch);
      try {
        String base = "http://127.0.0.1:" + readPort(node);
        // parallel steps turn the TS SDK's run asynchronous
        assertThat(awaitOutput(asyncSwitch(orch, base + "/parallel?tag=p1")).get(60, TimeUnit.SECONDS))
            .isEqualTo("200 {\"sum\":60,\"runs\":[1,1,1]}");
      } finally {
        stop(node);
      }
    }
  }

  /**
   * Issue 11: {@code step.waitForSignal} turns the run asynchronous; the SDK's own
   * {@code inngest.sendSignal} (signal-client.mjs) resumes it through {@code POST /v1/signals},
   * the handler gets {@code {signal, data}}, and a second signal finds nothing waiting (404, which
   * the SDK reports as no run).
   */
  @Test
  void tsWaitForSignalIsResumedByTheSdksSendSignal() throws Exception {
    try (Orchestrator orch = Orchestrator.builder().port(0).inMemoryStore().signingKey(KEY).eventKey("ek").start()) {
      Process node = startApp(orch);
      try {
        String base = "http://127.0.0.1:" + readPort(node);
        CompletableFuture<String> answer = awaitOutput(asyncSwitch(orch, base + "/signal?sig=ts-sig-1"));
        Runs.await("the SDK's signal wait to be registered", Duration.ofSeconds(60),
            () -> orch.store().read(tx -> tx.signalPause("ts-sig-1")) != null);
        String runId = orch.store().read(tx -> tx.signalPause("ts-sig-1")).runId();
        assertThat(sendSignal(orch, "ts-sig-1", "{\"by\":\"ts\"}")).isEqualTo("{\"runId\":\"" + runId + "\"}");
        assertThat(answer.get(60, TimeUnit.SECONDS))
            .isEqualTo("200 {\"got\":{\"signal\":\"ts-sig-1\",\"data\":{\"by\":\"ts\"}}}");
        assertThat(sendSignal(orch, "ts-sig-1", "{}")).isEqualTo("{\"runId\":null}");
      } finally {
        stop(node);
      }
    }
  }

  private static String sendSignal(Orchestrator orch, String signal, String data) throws Exception {
    String out = nodeScript(orch, "signal-client.mjs", signal, data);
    return out.substring(out.lastIndexOf('\n') + 1);
  }

  /**
   * Runs one of the fixture's client scripts to its end (60 s at most) with the orchestrator's URL
   * and key in its environment; returns its output, after checking it exited with 0.
   */
  private static String nodeScript(Orchestrator orch, String... scriptAndArgs) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(node.toString()));
    command.addAll(List.of(scriptAndArgs));
    ProcessBuilder pb = new ProcessBuilder(command).directory(app.toFile()).redirectErrorStream(true);
    Map<String, String> env = withNodeOnPath(pb);
    env.put("ORCH", orch.baseUrl());
    env.put("KEY", KEY);
    Process p = pb.start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(scriptAndArgs[0] + " did not finish within 60 s");
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  /** The caller's request: the SDK turns the run asynchronous and answers 302 to the output URL. */
  private String asyncSwitch(Orchestrator orch, String url) throws IOException {
    try (Response r = http.newCall(new Request.Builder().url(url).build()).execute()) {
      assertThat(r.code()).isEqualTo(302); // docs/protocol.md §3.1
      String location = r.header("Location");
      assertThat(location).startsWith(orch.baseUrl() + "/v1/http/runs/").contains("/output?token=");
      return location;
    }
  }

  /** The caller blocked on the output URL: "status body" once the run has finished. */
  private CompletableFuture<String> awaitOutput(String location) {
    return CompletableFuture.supplyAsync(() -> {
      try (Response r = http.newCall(new Request.Builder().url(location).build()).execute()) {
        return r.code() + " " + r.body().string();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
  }

  @Test
  void tsDurableEndpointSleepsWaitsAndAnswersTheBlockedCaller() throws Exception {
    try (Orchestrator orch = Orchestrator.builder().port(0).inMemoryStore().signingKey(KEY).eventKey("ek").start()) {
      Process node = startApp(orch);
      try {
        String base = "http://127.0.0.1:" + readPort(node);
        CompletableFuture<String> answer = awaitOutput(asyncSwitch(orch, base + "/orders?name=ada"));
        // After the sleep the SDK reports its waitForEvent; send events once the wait exists.
        Runs.await("the SDK's wait to be registered", Duration.ofSeconds(60),
            () -> orch.store().read(tx -> tx.counts()).get("pauses") > 0);
        sendEvent(orch, "{\"name\":\"ts/approved\",\"data\":{\"name\":\"bob\",\"by\":\"mallory\"}}");
        sendEvent(orch, "{\"name\":\"ts/approved\",\"data\":{\"name\":\"ada\",\"by\":\"ops\"}}");
        assertThat(answer.get(60, TimeUnit.SECONDS)).isEqualTo("200 {\"a\":\"A:ada\",\"b\":\"B\",\"by\":\"ops\"}");
      } finally {
        stop(node);
      }
    }
  }

  private Process startApp(Orchestrator orch) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(node.toString(), "app.mjs").directory(app.toFile())
        .redirectErrorStream(true);
    Map<String, String> env = withNodeOnPath(pb);
    env.put("ORCH", orch.baseUrl());
    env.put("KEY", KEY);
    env.remove("INNGEST_DEV");
    return pb.start();
  }

  private static void stop(Process node) throws InterruptedException {
    node.destroy();
    if (!node.waitFor(10, TimeUnit.SECONDS)) {
      node.destroyForcibly();
    }
  }

  /**
   * Issue 11: a TS endpoint that streams with {@code stream.push} across a {@code step.sleep},
   * consumed by the SDK's own {@code fetchWithStream} (stream-client.mjs): the sync phase's chunk
   * on the caller's connection, the re-entry's chunk through this orchestrator's realtime relay,
   * and the final response rebuilt from {@code inngest.response}.
   */
  @Test
  void tsStreamAcrossASleepIsReadByFetchWithStreamThroughTheRelay() throws Exception {
    try (Orchestrator orch = Orchestrator.builder().port(0).inMemoryStore().signingKey(KEY).eventKey("ek").start()) {
      Process node = startApp(orch);
      try {
        String base = "http://127.0.0.1:" + readPort(node);
        String out = nodeScript(orch, "stream-client.mjs", base + "/stream");
        JsonNode seen = Json.parse(out.substring(out.lastIndexOf('\n') + 1).getBytes(StandardCharsets.UTF_8));
        assertThat(seen.get("status").asInt()).as(out).isEqualTo(201);
        assertThat(seen.get("body").asText()).isEqualTo("{\"a\":\"a\",\"b\":\"b\"}");
        assertThat(seen.get("ts").asText()).isEqualTo("yes");
        List<String> data = new java.util.ArrayList<>();
        seen.get("events").forEach(e -> {
          if (e.get("type").asText().equals("data")) {
            data.add(e.get("data").toString());
          }
        });
        assertThat(data).as(out).containsExactly("\"hello\"", "{\"word\":\"world\"}");
      } finally {
        stop(node);
      }
    }
  }

  private void sendEvent(Orchestrator orch, String json) throws IOException {
    try (Response r = http.newCall(new Request.Builder().url(orch.baseUrl() + "/e/ek")
        .post(RequestBody.create(json, MediaType.get("application/json"))).build()).execute()) {
      assertThat(r.code()).isEqualTo(200);
    }
  }

  private static int readPort(Process node) throws Exception {
    BufferedReader out = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<Integer> port = CompletableFuture.supplyAsync(() -> {
      StringBuilder seen = new StringBuilder();
      try {
        for (String line; (line = out.readLine()) != null; ) {
          if (line.startsWith("PORT ")) {
            return Integer.parseInt(line.substring(5).trim());
          }
          seen.append(line).append('\n');
        }
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      throw new IllegalStateException("node exited before listening:\n" + seen);
    });
    int p = port.get(30, TimeUnit.SECONDS);
    // keep draining the app's output so that it never blocks on a full pipe
    Thread drain = new Thread(() -> {
      try {
        while (out.readLine() != null) {
          // discard
        }
      } catch (IOException ignored) {
        // the process ended
      }
    }, "node-output");
    drain.setDaemon(true);
    drain.start();
    return p;
  }
}
