package dev.stephttp.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stephttp.LazyStep;
import dev.stephttp.RaceResult;
import dev.stephttp.RunContext;
import dev.stephttp.Step;
import dev.stephttp.StepResults;
import dev.stephttp.internal.wire.StepIds;
import dev.stephttp.orchestrator.model.RunStatus;
import dev.stephttp.servlet.FunctionOptions;
import dev.stephttp.servlet.StepHttp;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, parallel steps: {@code Step.all} and {@code Step.race} of the real Java library on
 * Jetty against the real orchestrator, over loopback with a real signing key.
 */
@Timeout(90)
class ParallelStepsEndToEndTest {
  static final String KEY = "signkey-test-0123456789abcdef0123456789abcdef";
  static final Map<String, AtomicInteger> CALLS = new ConcurrentHashMap<>();
  static final Map<String, CountDownLatch> LATCHES = new ConcurrentHashMap<>();
  static final Map<String, List<String>> TARGETS = new ConcurrentHashMap<>();

  @TempDir static Path dir;
  static Orchestrator orch;
  static LibraryApp app;
  static final OkHttpClient USER = new OkHttpClient.Builder()
      .callTimeout(Duration.ofSeconds(60)).readTimeout(Duration.ofSeconds(60)).build();

  @BeforeAll
  static void start() throws Exception {
    orch = Orchestrator.builder().port(0).database(dir.resolve("par.db")).signingKey(KEY)
        .eventKey("ek").retryBackoff(Duration.ofMillis(100)).start();
    app = LibraryApp.start(orch, KEY, Map.of("/together", ParallelStepsEndToEndTest::together,
        "/after-sleep", ParallelStepsEndToEndTest::afterSleep, "/flaky", ParallelStepsEndToEndTest::flaky,
        "/race", ParallelStepsEndToEndTest::race, "/nested", ParallelStepsEndToEndTest::nested));
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
    orch.close();
  }

  static int call(String key) {
    return CALLS.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
  }

  static int calls(String key) {
    AtomicInteger n = CALLS.get(key);
    return n == null ? 0 : n.get();
  }

  static void write(HttpServletResponse resp, String body) throws IOException {
    resp.setStatus(200);
    resp.setContentType("text/plain");
    resp.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
  }

  /** Both steps must be running at once to pass the latch; each sees the run as its context. */
  static void together(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String tag = req.getParameter("tag");
    CountDownLatch both = LATCHES.computeIfAbsent(tag, k -> new CountDownLatch(2));
    String runId = RunContext.current().orElseThrow().runId();
    LazyStep<String> a = Step.lazy("a", String.class, () -> meet(tag, "a", both, runId));
    LazyStep<String> b = Step.lazy("b", String.class, () -> meet(tag, "b", both, runId));
    StepResults r = Step.all(a, b);
    write(resp, r.get(a) + "+" + r.get(b));
  }

  static String meet(String tag, String step, CountDownLatch both, String runId) throws InterruptedException {
    call(tag + "/" + step);
    if (!RunContext.current().map(RunContext::runId).orElse("none").equals(runId)) {
      throw new IllegalStateException("step " + step + " does not see its run");
    }
    both.countDown();
    if (!both.await(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("step " + step + " never ran beside its sibling");
    }
    return step.toUpperCase(java.util.Locale.ROOT);
  }

  static void afterSleep(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String tag = req.getParameter("tag");
    if (req.getHeader("X-Run-ID") != null) {
      TARGETS.computeIfAbsent(tag, k -> new CopyOnWriteArrayList<>())
          .add(String.valueOf(req.getHeader("X-Inngest-Step-ID")));
    }
    Step.sleep("nap", Duration.ofMillis(200));
    List<LazyStep<Integer>> parts = List.of(1, 2, 3).stream().map(n -> Step.lazy("part-" + n, Integer.class, () -> {
      call(tag + "/part-" + n);
      return n * 10;
    })).toList();
    StepResults r = Step.all(parts);
    write(resp, "sum " + parts.stream().mapToInt(r::get).sum());
  }

  static void flaky(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    StepHttp.configure(FunctionOptions.builder().retries(2).build());
    String tag = req.getParameter("tag");
    LazyStep<String> ok = Step.lazy("ok", String.class, () -> {
      call(tag + "/ok");
      return "ok";
    });
    LazyStep<String> once = Step.lazy("fails-once", String.class, () -> {
      if (call(tag + "/fails-once") == 1) {
        throw new IllegalStateException("declined once");
      }
      return "recovered";
    });
    StepResults r = Step.all(ok, once);
    write(resp, r.get(ok) + " " + r.get(once));
  }

  static final Map<String, CountDownLatch> INTERRUPTED = new ConcurrentHashMap<>();

  static void race(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String tag = req.getParameter("tag");
    CountDownLatch interrupted = INTERRUPTED.computeIfAbsent(tag, k -> new CountDownLatch(1));
    CountDownLatch slowStarted = new CountDownLatch(1);
    LazyStep<String> slow = Step.lazy("slow", String.class, () -> {
      call(tag + "/slow");
      slowStarted.countDown();
      try {
        new CountDownLatch(1).await(30, TimeUnit.SECONDS); // never opened: only an interrupt ends it early
      } catch (InterruptedException e) {
        interrupted.countDown();
        throw e;
      }
      return "slow";
    });
    LazyStep<String> fast = Step.lazy("fast", String.class, () -> {
      call(tag + "/fast");
      slowStarted.await(10, TimeUnit.SECONDS); // so that the loser is running when the race ends
      return "fast";
    });
    RaceResult r = Step.race(slow, fast);
    write(resp, r.winner().id() + ":" + r.get(fast));
  }

  static void nested(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    StepResults r = Step.all(Step.lazy("outer", String.class, () -> Step.run("inner", String.class, () -> "x")));
    write(resp, "unreachable " + r);
  }

  static Response user(String pathAndQuery) throws IOException {
    return USER.newCall(new Request.Builder().url(app.url + pathAndQuery).build()).execute();
  }

  static void awaitCompleted(String runId) {
    Runs.await("run " + runId + " completed", Duration.ofSeconds(20), () ->
        Runs.run(orch, runId) != null && !Runs.run(orch, runId).running());
    assertThat(Runs.run(orch, runId).status()).isEqualTo(RunStatus.COMPLETED);
  }

  @Test
  void parallelStepsRunAtOnceInsideTheUsersRequest() throws IOException {
    String runId;
    try (Response r = user("/together?tag=t1")) {
      assertThat(r.priorResponse()).isNull(); // answered in the request, no async switch
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.body().string()).isEqualTo("A+B");
      runId = r.header("X-Run-ID");
    }
    assertThat(calls("t1/a")).isEqualTo(1);
    assertThat(calls("t1/b")).isEqualTo(1);
    awaitCompleted(runId);
    assertThat(Runs.steps(orch, runId)).containsKeys(StepIds.hash("a"), StepIds.hash("b"));
  }

  @Test
  void parallelStepsAfterASleepArePlannedAndEachRunsOnceInItsOwnReentry() throws IOException {
    try (Response r = user("/after-sleep?tag=s1")) {
      assertThat(r.priorResponse()).isNotNull();
      assertThat(r.priorResponse().code()).isIn(302, 303);
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.body().string()).isEqualTo("sum 60");
    }
    for (int n = 1; n <= 3; n++) {
      assertThat(calls("s1/part-" + n)).as("part-" + n).isEqualTo(1);
    }
    // discovery after the sleep plans the three, one re-entry runs each, a last discovery completes
    assertThat(TARGETS.get("s1")).hasSize(5).startsWith("null").endsWith("null")
        .containsExactlyInAnyOrder("null", StepIds.hash("part-1"), StepIds.hash("part-2"), StepIds.hash("part-3"),
            "null");
  }

  @Test
  void aParallelStepThatFailsOnceIsRetriedAndItsSiblingRunsOnce() throws IOException {
    try (Response r = user("/flaky?tag=f1")) {
      assertThat(r.priorResponse()).isNotNull(); // the retry made the request asynchronous
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.body().string()).isEqualTo("ok recovered");
    }
    assertThat(calls("f1/ok")).isEqualTo(1);
    assertThat(calls("f1/fails-once")).isEqualTo(2);
  }

  @Test
  void aRaceAnswersWithTheFirstToFinishAndInterruptsTheLoser() throws Exception {
    String runId;
    try (Response r = user("/race?tag=r1")) {
      assertThat(r.priorResponse()).isNull();
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.body().string()).isEqualTo("fast:fast");
      runId = r.header("X-Run-ID");
    }
    assertThat(INTERRUPTED.get("r1").await(10, TimeUnit.SECONDS)).as("the loser was interrupted").isTrue();
    awaitCompleted(runId);
    // only the winner is recorded
    assertThat(Runs.steps(orch, runId)).containsKey(StepIds.hash("fast")).doesNotContainKey(StepIds.hash("slow"));
  }

  @Test
  void aStepCalledInsideAParallelStepFailsTheHandler() throws IOException {
    try (Response r = user("/nested")) {
      assertThat(r.code()).isEqualTo(500);
      assertThat(r.body().string()).contains("handler_failed").doesNotContain("IllegalStateException");
    }
  }
}
