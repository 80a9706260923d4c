package dev.stephttp.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stephttp.Step;
import dev.stephttp.WaitForEvent;
import dev.stephttp.orchestrator.model.RunRecord;
import dev.stephttp.orchestrator.model.RunStatus;
import dev.stephttp.servlet.FunctionOptions;
import dev.stephttp.servlet.StepHttp;
import dev.stephttp.servlet.StepHttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance 1: the real Java library ({@link StepHttpFilter}) in an app on Jetty, talking to
 * the orchestrator over real sockets; the end user follows the redirect and blocks.
 */
class JavaLibraryEndToEndTest {
  static final String KEY = "signkey-test-0123456789abcdef0123456789abcdef";
  static final Map<String, AtomicInteger> RUNS = new ConcurrentHashMap<>();

  @TempDir static Path dir;
  static Orchestrator orch;
  static LibraryApp app;
  static String appUrl;
  static final OkHttpClient USER = new OkHttpClient.Builder()
      .callTimeout(Duration.ofSeconds(60)).readTimeout(Duration.ofSeconds(60)).build();

  @BeforeAll
  static void start() throws Exception {
    orch = Orchestrator.builder().port(0).database(dir.resolve("e2e.db")).signingKey(KEY)
        .eventKey("ek").retryBackoff(Duration.ofMillis(100)).start();
    app = LibraryApp.start(orch, KEY, Map.of("/greet", JavaLibraryEndToEndTest::greet, "/order", JavaLibraryEndToEndTest::order,
        "/flaky", JavaLibraryEndToEndTest::flaky, "/broken", JavaLibraryEndToEndTest::broken,
        "/approve", JavaLibraryEndToEndTest::approve));
    appUrl = app.url;
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
    orch.close();
  }

  static void count(String key) {
    RUNS.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
  }

  static int count0(String key) {
    AtomicInteger n = RUNS.get(key);
    return n == null ? 0 : n.get();
  }

  static void write(HttpServletResponse resp, int status, String body) throws IOException {
    resp.setStatus(status);
    resp.setContentType("text/plain");
    resp.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
  }

  static void greet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String tag = req.getParameter("tag");
    String v = Step.run("a", String.class, () -> {
      count(tag + "/a");
      return "hello";
    });
    write(resp, 200, v + " " + tag);
  }

  static void order(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String tag = req.getParameter("tag");
    String id = Step.run("create", String.class, () -> {
      count(tag + "/create");
      return "ord-" + tag;
    });
    Step.sleep("cool-off", Duration.ofMillis(500));
    String tracking = Step.run("ship", String.class, () -> {
      count(tag + "/ship");
      return "trk-" + id;
    });
    resp.setHeader("X-Order", id);
    write(resp, 201, "shipped " + tracking);
  }

  static void flaky(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    StepHttp.configure(FunctionOptions.builder().retries(2).build());
    String tag = req.getParameter("tag");
    String v = Step.run("charge", String.class, () -> {
      count(tag + "/charge");
      if (count0(tag + "/charge") == 1) {
        throw new IllegalStateException("declined once");
      }
      return "charged";
    });
    write(resp, 200, v);
  }

  static void broken(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    StepHttp.configure(FunctionOptions.builder().retries(1).build());
    String tag = req.getParameter("tag");
    Step.run("charge", String.class, () -> {
      count(tag + "/charge");
      throw new IllegalStateException("card declined");
    });
    write(resp, 200, "unreachable");
  }

  @SuppressWarnings("rawtypes")
  static void approve(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String order = req.getParameter("order");
    Duration timeout = Duration.ofMillis(Long.parseLong(req.getParameter("timeoutMs")));
    Optional<Map> ev = Step.waitForEvent("approval", WaitForEvent.named("order/approved")
        .timeout(timeout).where("data.orderId", order), Map.class);
    write(resp, 200, ev.map(e -> "approved " + ((Map<?, ?>) e.get("data")).get("by"))
        .orElse("no approval"));
  }

  static Response user(String pathAndQuery) throws IOException {
    return USER.newCall(new Request.Builder().url(appUrl + pathAndQuery).build()).execute();
  }

  @Test
  void syncRunIsRecordedCompletedWithItsSteps() throws IOException {
    String runId;
    try (Response r = user("/greet?tag=s1")) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.body().string()).isEqualTo("hello s1");
      runId = r.header("X-Run-ID");
    }
    assertThat(count0("s1/a")).isEqualTo(1);
    assertThat(runId).isNotNull();
    // checkpoints may be pipelined by the client: wait for the completion to be recorded
    Runs.await("run " + runId + " completed", Duration.ofSeconds(10), () ->
        Runs.run(orch, runId) != null && !Runs.run(orch, runId).running());
    RunRecord run = Runs.run(orch, runId);
    assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
    assertThat(Runs.steps(orch, run.id()))
        .containsKey(dev.stephttp.internal.wire.StepIds.hash("a"));
  }

  @Test
  void sleepRedirectsAndTheFollowedRedirectReturnsTheFinalResponse() throws IOException {
    try (Response r = user("/order?tag=o1")) {
      assertThat(r.priorResponse()).isNotNull();
      assertThat(r.priorResponse().code()).isIn(302, 303);
      assertThat(r.code()).isEqualTo(201);
      assertThat(r.header("X-Order")).isEqualTo("ord-o1");
      assertThat(r.body().string()).isEqualTo("shipped trk-ord-o1");
    }
    assertThat(count0("o1/create")).isEqualTo(1);
    assertThat(count0("o1/ship")).isEqualTo(1);
  }

  @Test
  void stepFailingOnceWithRetriesIsRecovered() throws IOException {
    try (Response r = user("/flaky?tag=f1")) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.body().string()).isEqualTo("charged");
    }
    assertThat(count0("f1/charge")).isEqualTo(2);
  }

  @Test
  void alwaysFailingStepFailsTheRunAndTheOutputReportsIt() throws IOException {
    try (Response r = user("/broken?tag=b1")) {
      assertThat(r.code()).isGreaterThanOrEqualTo(500);
      assertThat(r.body().string()).contains("card declined");
    }
    assertThat(count0("b1/charge")).isEqualTo(2);
  }

  @Test
  void waitForEventIsResolvedOnlyByAMatchingEvent() throws Exception {
    java.util.concurrent.CompletableFuture<String> pending =
        java.util.concurrent.CompletableFuture.supplyAsync(() -> {
          try (Response r = user("/approve?order=w1&timeoutMs=60000")) {
            return r.code() + " " + r.body().string();
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
    Runs.await("the wait is registered", Duration.ofSeconds(10),
        () -> orch.store().read(tx -> tx.counts()).get("pauses") > 0);
    Http.Result miss = Http.post(orch.baseUrl() + "/e/ek", null,
        "{\"name\":\"order/approved\",\"data\":{\"orderId\":\"other\",\"by\":\"mallory\"}}");
    assertThat(miss.status()).isEqualTo(200);
    assertThat(pending).isNotDone();
    Http.Result hit = Http.post(orch.baseUrl() + "/e/ek", null,
        "{\"name\":\"order/approved\",\"data\":{\"orderId\":\"w1\",\"by\":\"alice\"}}");
    assertThat(hit.status()).isEqualTo(200);
    assertThat(pending.get(30, java.util.concurrent.TimeUnit.SECONDS))
        .isEqualTo("200 approved alice");
  }

  @Test
  void waitForEventTimeoutYieldsEmpty() throws IOException {
    try (Response r = user("/approve?order=t1&timeoutMs=300")) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.body().string()).isEqualTo("no approval");
    }
  }
}
