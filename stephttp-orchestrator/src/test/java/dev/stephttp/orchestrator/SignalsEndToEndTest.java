package dev.stephttp.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stephttp.SignalConflict;
import dev.stephttp.Step;
import dev.stephttp.internal.wire.StepIds;
import dev.stephttp.orchestrator.model.Pause;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 item 2: {@code Step.waitForSignal} in a Java app behind the real filter, resumed by
 * {@code POST /v1/signals} and {@code POST /api/v2/signals} on the real orchestrator (docs/protocol.md
 * §10.3): resume, timeout, the conflict modes, a signal nobody waits for and bad bodies.
 */
class SignalsEndToEndTest {
  static final String KEY = "signkey-test-0123456789abcdef0123456789abcdef";

  @TempDir static Path dir;
  static Orchestrator orch;
  static LibraryApp app;
  static final OkHttpClient USER = new OkHttpClient.Builder()
      .callTimeout(Duration.ofSeconds(60)).readTimeout(Duration.ofSeconds(60)).build();

  @BeforeAll
  static void start() throws Exception {
    orch = Orchestrator.builder().port(0).database(dir.resolve("signals.db")).signingKey(KEY)
        .eventKey("ek").retryBackoff(Duration.ofMillis(100)).start();
    app = LibraryApp.start(orch, KEY, Map.of("/await", SignalsEndToEndTest::await));
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
    orch.close();
  }

  @SuppressWarnings("rawtypes")
  static void await(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String signal = req.getParameter("sig");
    Duration timeout = Duration.ofMillis(Long.parseLong(req.getParameter("timeoutMs")));
    SignalConflict mode = "replace".equals(req.getParameter("mode")) ? SignalConflict.REPLACE
        : SignalConflict.FAIL;
    Optional<Map> got = Step.waitForSignal("approval", signal, timeout, mode, Map.class);
    byte[] body = got.map(m -> "approved by " + m.get("by")).orElse("timed out")
        .getBytes(StandardCharsets.UTF_8);
    resp.setStatus(200);
    resp.getOutputStream().write(body);
  }

  /** The end user's request, followed through the async switch until the run's answer. */
  static CompletableFuture<String> user(String query) {
    return CompletableFuture.supplyAsync(() -> {
      Request r = new Request.Builder().url(app.url + "/await?" + query).build();
      try (Response resp = USER.newCall(r).execute()) {
        return resp.code() + " " + resp.body().string();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  static Pause waitingFor(String signal) {
    return orch.store().read(tx -> tx.signalPause(signal));
  }

  static Pause awaitWait(String signal, String notRun) {
    Runs.await("a wait for " + signal, Duration.ofSeconds(20),
        () -> waitingFor(signal) != null && !waitingFor(signal).runId().equals(notRun));
    return waitingFor(signal);
  }

  static Http.Result signal(String body) {
    return Http.post(orch.baseUrl() + "/v1/signals", KEY, body);
  }

  @Test
  void aSignalResumesTheWaitWithItsDataOnceAndARepeatFindsNothing() throws Exception {
    CompletableFuture<String> pending = user("sig=resume-1&timeoutMs=60000");
    Pause wait = awaitWait("resume-1", null);
    assertThat(pending).isNotDone();

    Http.Result sent = signal("{\"signal\":\"resume-1\",\"data\":{\"by\":\"alice\"}}");
    assertThat(sent.status()).as(sent.body()).isEqualTo(200);
    assertThat(sent.json().path("data").path("run_id").asText()).isEqualTo(wait.runId());
    assertThat(sent.json().path("metadata").has("fetched_at")).isTrue();
    assertThat(pending.get(30, TimeUnit.SECONDS)).isEqualTo("200 approved by alice");
    assertThat(Runs.steps(orch, wait.runId()).get(StepIds.hash("approval")))
        .isEqualTo("{\"data\":{\"signal\":\"resume-1\",\"data\":{\"by\":\"alice\"}}}");

    Http.Result again = signal("{\"signal\":\"resume-1\",\"data\":{\"by\":\"mallory\"}}");
    assertThat(again.status()).isEqualTo(404);
    assertThat(again.json().path("error").asText()).contains("resume-1");
    assertThat(again.json().path("status").asInt()).isEqualTo(404);
  }

  @Test
  void signalsSentAtOnceResumeTheWaitOnce() throws Exception {
    CompletableFuture<String> pending = user("sig=race-1&timeoutMs=60000");
    awaitWait("race-1", null);
    List<CompletableFuture<Integer>> sends = IntStream.range(0, 8)
        .mapToObj(i -> CompletableFuture.supplyAsync(
            () -> signal("{\"signal\":\"race-1\",\"data\":{\"by\":\"sender-" + i + "\"}}").status()))
        .toList();
    List<Integer> statuses = sends.stream().map(CompletableFuture::join).toList();
    assertThat(statuses).containsOnly(200, 404);
    assertThat(statuses).filteredOn(s -> s == 200).hasSize(1);
    assertThat(pending.get(30, TimeUnit.SECONDS)).startsWith("200 approved by sender-");
  }

  @Test
  void aWaitThatTimesOutYieldsEmptyAndIsGone() throws Exception {
    assertThat(user("sig=late-1&timeoutMs=300").get(30, TimeUnit.SECONDS))
        .isEqualTo("200 timed out");
    assertThat(waitingFor("late-1")).isNull();
    assertThat(signal("{\"signal\":\"late-1\"}").status()).isEqualTo(404);
  }

  @Test
  void inFailModeASecondWaitForTheSameSignalFailsItsRunAndTheFirstStillResumes()
      throws Exception {
    CompletableFuture<String> first = user("sig=taken-1&timeoutMs=60000");
    Pause wait = awaitWait("taken-1", null);
    String second = user("sig=taken-1&timeoutMs=60000").get(30, TimeUnit.SECONDS);
    assertThat(second).startsWith("5").contains("Signal conflict");
    assertThat(waitingFor("taken-1").runId()).isEqualTo(wait.runId());

    Http.Result sent = Api.bearer(orch).post("/signals",
        "{\"signal\":\"taken-1\",\"data\":{\"by\":\"api\"}}");
    assertThat(Api.ok(sent).path("runId").asText()).isEqualTo(wait.runId());
    assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo("200 approved by api");
  }

  @Test
  void inReplaceModeTheNewWaitTakesTheSignalAndTheOldOneOnlyTimesOut() throws Exception {
    CompletableFuture<String> old = user("sig=moved-1&timeoutMs=4000");
    Pause oldWait = awaitWait("moved-1", null);
    CompletableFuture<String> replacing = user("sig=moved-1&timeoutMs=60000&mode=replace");
    Pause newWait = awaitWait("moved-1", oldWait.runId());

    Http.Result sent = signal("{\"signal\":\"moved-1\",\"data\":{\"by\":\"bob\"}}");
    assertThat(sent.json().path("data").path("run_id").asText()).isEqualTo(newWait.runId());
    assertThat(replacing.get(30, TimeUnit.SECONDS)).isEqualTo("200 approved by bob");
    assertThat(old).isNotDone();
    Pause stillWaiting = orch.store().read(tx -> tx.pause(oldWait.id()));
    assertThat(stillWaiting).isNotNull();
    assertThat(stillWaiting.signal()).isNull();
    assertThat(old.get(30, TimeUnit.SECONDS)).isEqualTo("200 timed out");
  }

  @Test
  void badSignalRequestsAreRefusedWithTheDocumentedBodies() {
    String url = orch.baseUrl() + "/v1/signals";
    assertThat(Http.post(url, null, "{\"signal\":\"x\"}").status()).isEqualTo(401);
    assertThat(Http.post(url, "Bearer wrong-key", "{\"signal\":\"x\"}").status()).isEqualTo(401);
    assertThat(Http.get(url, KEY).status()).isEqualTo(405);
    for (String body : new String[] {"", "not json", "[]", "{}", "{\"signal\":7}",
        "{\"signal\":\"  \"}", "{\"signal\":null}", "{\"signal\":\"" + "s".repeat(513) + "\"}"}) {
      Http.Result r = signal(body);
      assertThat(r.status()).as(body).isEqualTo(400);
      JsonNode json = r.json();
      assertThat(json.path("error").asText()).as(body).startsWith("Invalid request body");
      assertThat(json.path("status").asInt()).isEqualTo(400);
    }
    assertThat(signal("{\"signal\":\"nobody-waits\",\"data\":1}").status()).isEqualTo(404);

    Api api = Api.bearer(orch);
    Api.error(api.post("/signals", "{\"data\":{}}"), 400, "signal_required");
    Api.error(api.post("/signals", "{\"signal\":[1]}"), 400, "invalid_field_type");
    Api.error(api.post("/signals", "{\"signal\":\"" + "s".repeat(513) + "\"}"), 400,
        "signal_too_long");
    assertThat(api.post("/signals", "[]").status()).isEqualTo(400);
    Api.error(api.post("/signals", "{\"signal\":\"nobody-waits\"}"), 404, "signal_not_found");
  }
}
