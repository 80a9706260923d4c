package dev.stephttp.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stephttp.servlet.StepHttp;
import dev.stephttp.servlet.StepHttpConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Stream;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Faults between the app and the real orchestrator, injected by two {@link FaultProxy}s: one on
 * the app's calls to the orchestrator ({@code baseUrl} = the proxy), one on the orchestrator's
 * re-entries into the app ({@code domain} = the proxy). Cases run one after another: a fault
 * applies to every call through its proxy while it is injected.
 *
 * <p>A case tagged {@code known-defect} shows a defect not fixed yet (none today): the module's
 * build excludes that tag (see README.md), and such a case names its defect.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FaultInjectionIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** How long the app waits at the async switch before answering 503. */
  private static final Duration SWITCH_TIMEOUT = Duration.ofMillis(1500);
  /** What a sync user may wait, whatever the orchestrator does. */
  private static final Duration PROMPT = Duration.ofSeconds(2);
  private static final Duration SETTLE = Duration.ofSeconds(15);
  private static final List<String> SUMMARY = new ArrayList<>();

  OrchestratorFixture orchestrator;
  FaultProxy toOrchestrator;
  FaultProxy toApp;
  FaultyNetworkApp app;
  final OkHttpClient http = new OkHttpClient.Builder().followRedirects(false)
      .readTimeout(Duration.ofSeconds(20)).callTimeout(Duration.ofSeconds(30)).build();

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    orchestrator = OrchestratorFixture.start(dir);
    toOrchestrator = FaultProxy.start("app->orchestrator", orchestrator.port());
    app = FaultyNetworkApp.start(port -> {
      toApp = FaultProxy.start("orchestrator->app", port);
      return StepHttpConfig.builder()
          .baseUrl(toOrchestrator.url())
          .signingKey(orchestrator.signingKey())
          .dev(false)
          .domain(toApp.url())
          .asyncSwitchTimeout(SWITCH_TIMEOUT)
          .apiRetries(3, Duration.ofMillis(100))
          .build();
    });
  }

  @BeforeEach
  void count() {
    toOrchestrator.resetCounts();
    toApp.resetCounts();
  }

  @AfterEach
  void settle() {
    toOrchestrator.clear();
    toApp.clear();
    // What a case's app still sends to the orchestrator must not meet the next case's fault.
    assertThat(StepHttp.awaitCheckpoints(SETTLE)).as("the app's checkpoints settle").isTrue();
  }

  @AfterAll
  void stop() throws Exception {
    app.close();
    toApp.close();
    toOrchestrator.close();
    orchestrator.close();
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
    SUMMARY.forEach(line -> System.out.println("[fault-injection] " + line));
  }

  // ---------------------------------------------------------------- sync users

  /** What becomes of a sync run's record once its fault clears. */
  enum Record { RECORDED, RECORDED_OR_ABSENT }

  static Stream<Arguments> syncFaults() {
    return Stream.of(
        Arguments.of("delay", Fault.delay(Duration.ofMillis(2500)), Record.RECORDED),
        Arguments.of("reset", Fault.reset(), Record.RECORDED_OR_ABSENT),
        Arguments.of("blackhole", Fault.blackhole(), Record.RECORDED),
        Arguments.of("503", Fault.serverError(503), Record.RECORDED_OR_ABSENT),
        Arguments.of("429", Fault.tooManyRequests(Duration.ofSeconds(1)), Record.RECORDED_OR_ABSENT));
  }

  /**
   * The user's latency never includes the orchestrator's; afterwards a run is recorded when the
   * fault ends while the app still retries (a delay, a blackhole reset on healing). When every
   * attempt fails, a run that may exist (a reset or a 5xx can hide a created one) is ended by the
   * app once the fault clears, and one that certainly was not created (a 429) stays absent: never
   * left running.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("syncFaults")
  void syncUsersGetTheirOwnAnswerPromptlyWhateverTheOrchestratorDoes(String name, Fault fault, Record expected) {
    toOrchestrator.inject(fault);
    List<String> runIds = new ArrayList<>();
    long slowest = 0;
    for (int i = 0; i < 3; i++) {
      String caseName = "sync-" + name + "-" + i;
      Reply reply = get(app.url() + "/sync?case=" + caseName);
      assertThat(reply.status()).as("%s: %s", caseName, reply).isEqualTo(200);
      assertThat(reply.body()).isEqualTo("sync " + caseName);
      assertThat(reply.millis()).as("%s answered in %d ms", caseName, reply.millis()).isLessThan(PROMPT.toMillis());
      slowest = Math.max(slowest, reply.millis());
      runIds.add(reply.runId());
    }
    if (expected == Record.RECORDED_OR_ABSENT) {
      // The app keeps trying to end a run that may exist (a reset or a 5xx may hide a created run);
      // whether it does shows once the fault has cleared.
    } else {
      // A delay or a blackhole holds the three runs' create-run calls; the fault clears after that.
      Waits.until("the three create-run calls are held", SETTLE, () -> toOrchestrator.injected() >= 3);
    }
    toOrchestrator.clear();
    for (int i = 0; i < 3; i++) {
      String caseName = "sync-" + name + "-" + i;
      if (expected == Record.RECORDED) {
        JsonNode run = orchestrator.awaitStatus(runIds.get(i), "COMPLETED", SETTLE);
        assertThat(run.path("result").path("statusCode").asInt()).isEqualTo(200);
      } else {
        assertThat(StepHttp.awaitCheckpoints(SETTLE)).isTrue();
        JsonNode run = orchestrator.run(runIds.get(i));
        assertThat(run == null || run.path("status").asText().equals("COMPLETED"))
            .as("run of %s is recorded or absent, never left running: %s", caseName, run).isTrue();
      }
      assertThat(app.executions(caseName, "a")).as("step a of %s", caseName).isEqualTo(1);
      assertThat(app.executions(caseName, "b")).as("step b of %s", caseName).isEqualTo(1);
    }
    SUMMARY.add(String.format("sync, %s on every call: 3 x 200, slowest %d ms; %d of %d calls met the fault; runs %s",
        fault, slowest, toOrchestrator.injected(), toOrchestrator.requests(), expected));
  }

  /**
   * Regression (was a defect: a run left RUNNING after the user got its answer): when every answer of the orchestrator is lost after it did the work, the app
   * gives up on the create-run and drops the run's later ops (step b, the completion), but the
   * orchestrator created the run: it stays RUNNING forever, neither recorded nor dropped.
   */
  @Test
  void syncRunWhoseAnswersAreLostIsRecordedOrAbsentNeverLeftRunning() {
    toOrchestrator.inject(Fault.resetAfterForwarding());
    holdAfterStepAUntilTheCreateRunIsSent("sync-lost");
    Reply reply = get(app.url() + "/sync?case=sync-lost");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.millis()).isLessThan(PROMPT.toMillis());
    // The app keeps trying to end the run while the fault holds; it can once the fault clears.
    toOrchestrator.clear();
    assertThat(StepHttp.awaitCheckpoints(SETTLE)).isTrue();
    JsonNode run = orchestrator.run(reply.runId());
    assertThat(run == null || run.path("status").asText().equals("COMPLETED"))
        .as("the run is recorded or absent, but it is %s", run == null ? null : run.path("status")).isTrue();
  }

  // ---------------------------------------------------------------- the async switch

  @Test
  void delayShorterThanTheSwitchTimeoutRedirectsToARunThatCompletes() {
    toOrchestrator.inject(Fault.delay(Duration.ofMillis(300)));
    Reply reply = switchUnderFault("switch-delay-short", "delay 300 ms on every call");
    assertThat(reply.status()).isEqualTo(303);
  }

  /**
   * Regression (was a defect: a run left RUNNING after the user got its answer): the create-run arrives after the app answered 503 (the app's call is still in
   * flight); the run is created, sleeps, is re-entered and completes, running step b for a user who
   * was told to retry (and whose retry starts a second run that runs step a again).
   */
  @Test
  void delayLongerThanTheSwitchTimeoutAnswers503AndLeavesNothingRunning() {
    toOrchestrator.inject(Fault.delay(Duration.ofMillis(2500)));
    Reply reply = switchUnderFault("switch-delay-long", "delay 2500 ms on every call");
    assertThat(reply.status()).isEqualTo(503);
  }

  @Test
  void resetOnEveryCallAnswers503AndLeavesNothingRunning() {
    toOrchestrator.inject(Fault.reset());
    Reply reply = switchUnderFault("switch-reset", "reset on every call");
    assertThat(reply.status()).isEqualTo(503);
  }

  /**
   * Regression (was a defect: a run left RUNNING after the user got its answer): the blackholed create-run is still being retried after the app answered 503;
   * once the network heals the retry creates the run, which completes behind the user's back.
   */
  @Test
  void blackholeAnswers503AndLeavesNothingRunningOnceTheNetworkHeals() {
    toOrchestrator.inject(Fault.blackhole());
    Reply reply = switchUnderFault("switch-blackhole", "blackhole on every call");
    assertThat(reply.status()).isEqualTo(503);
  }

  @Test
  void serverErrorsOnEveryCallAnswer503AndLeaveNothingRunning() {
    toOrchestrator.inject(Fault.serverError(503));
    Reply reply = switchUnderFault("switch-503", "503 on every call");
    assertThat(reply.status()).isEqualTo(503);
  }

  @Test
  void tooManyRequestsOnEveryCallAnswer503AndLeaveNothingRunning() {
    toOrchestrator.inject(Fault.tooManyRequests(Duration.ofSeconds(1)));
    Reply reply = switchUnderFault("switch-429", "429 Retry-After 1 on every call");
    assertThat(reply.status()).isEqualTo(503);
  }

  @Test
  void aCreateRunWhoseAnswerIsLostOnceIsRetriedIntoOneRun() {
    toOrchestrator.inject(Fault.resetAfterForwarding(), first(1, FaultInjectionIT::isCreateRun));
    Reply reply = switchUnderFault("switch-create-answer-lost", "create-run answer lost once");
    assertThat(reply.status()).isEqualTo(303);
    assertThat(toOrchestrator.injected(Fault.Kind.RESET_AFTER_FORWARDING)).isEqualTo(1);
  }

  /**
   * Regression (was a defect: a run left RUNNING after the user got its answer): the orchestrator created the run, every answer is lost, the app answers 503 and
   * gives up; the run (step a recorded) stays RUNNING at the orchestrator forever.
   */
  @Test
  void answersLostOnEveryCallAnswer503AndLeaveNothingRunning() {
    toOrchestrator.inject(Fault.resetAfterForwarding());
    Reply reply = switchUnderFault("switch-answers-lost", "every answer lost after forwarding");
    assertThat(reply.status()).isEqualTo(503);
  }

  /**
   * Regression (was a defect: a run left RUNNING after the user got its answer): the run is created (step a recorded), then the checkpoint carrying the sleep
   * fails; the app answers 503, and the run stays RUNNING at the orchestrator forever.
   */
  @Test
  void serverErrorsOnlyOnTheSleepCheckpointAnswer503AndLeaveNothingRunning() {
    toOrchestrator.inject(Fault.serverError(503), r -> r.path().endsWith("/steps"));
    holdAfterStepAUntilTheCreateRunIsSent("switch-sleep-checkpoint-503");
    Reply reply = switchUnderFault("switch-sleep-checkpoint-503", "503 on the sleep's checkpoint only");
    assertThat(reply.status()).isEqualTo(503);
    assertThat(toOrchestrator.injected(Fault.Kind.STATUS)).isPositive();
  }

  /**
   * Sends {@code /switch} while the injected fault holds, clears it, and checks the invariant of the
   * async switch: a 303 to a run that exists and completes once, or a 503 with {@code Retry-After}
   * and the documented body after which nothing runs for the request; never two runs.
   */
  private Reply switchUnderFault(String caseName, String faultDescription) {
    Reply reply = get(app.url() + "/switch?case=" + caseName);
    int injected = toOrchestrator.injected();
    assertThat(reply.status()).as("%s: the user gets a redirect or a 503: %s", caseName, reply).isIn(303, 503);
    assertThat(reply.millis()).as("%s waited no longer than the switch timeout", caseName)
        .isLessThan(SWITCH_TIMEOUT.plusSeconds(1).toMillis());
    toOrchestrator.clear();
    String runId = reply.runId();
    String outcome;
    if (reply.status() == 303) {
      String location = reply.header("Location");
      assertThat(location).contains("/v1/http/runs/" + runId + "/output?token=");
      assertThat(orchestrator.run(runId)).as("the redirect names a run that exists").isNotNull();
      Reply output = get(location);
      assertThat(output.status()).as("the run's output: %s", output).isEqualTo(200);
      assertThat(output.body()).isEqualTo("done " + caseName);
      orchestrator.awaitStatus(runId, "COMPLETED", SETTLE);
      assertThat(app.executions(caseName, "a")).as("step a").isEqualTo(1);
      assertThat(app.executions(caseName, "b")).as("step b").isEqualTo(1);
      outcome = "303, run completed, each step once";
    } else {
      assertThat(reply.header("Retry-After")).as("Retry-After of %s", reply).isNotBlank();
      assertThat(errorCode(reply)).isEqualTo("orchestrator_unavailable");
      // Whatever the app still had in flight is sent (or dropped) before we look.
      assertThat(StepHttp.awaitCheckpoints(SETTLE)).as("the app's checkpoints settle").isTrue();
      JsonNode run = orchestrator.run(runId);
      assertThat(run == null || List.of("CANCELLED", "FAILED").contains(run.path("status").asText()))
          .as("%s: after a 503 nothing runs for the request, but the orchestrator has it %s (%d steps)",
              caseName, run == null ? null : run.path("status").asText(), run == null ? 0 : run.path("stepCount").asInt())
          .isTrue();
      assertThat(app.executions(caseName, "b")).as("step b never runs after a 503").isZero();
      outcome = "503 + Retry-After " + reply.header("Retry-After") + ", run at the orchestrator: "
          + (run == null ? "none" : run.path("status").asText());
    }
    assertThat(orchestrator.runsWithQuery("case=" + caseName)).as("runs of %s", caseName).hasSizeLessThanOrEqualTo(1);
    SUMMARY.add(String.format("switch, %s: answered in %d ms; %d faults injected; %s",
        faultDescription, reply.millis(), injected, outcome));
    return reply;
  }

  // ---------------------------------------------------------------- re-entries

  static Stream<Arguments> reentryFaults() {
    return Stream.of(
        Arguments.of("reset", Fault.reset(), 2),
        Arguments.of("503", Fault.serverError(503), 2),
        Arguments.of("blackhole", Fault.blackhole(), 1));
  }

  /** Faulty re-entries are retried by the orchestrator; the run completes, each step runs once. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("reentryFaults")
  void faultyReentriesDelayTheRunButItCompletesWithEachStepOnce(String name, Fault fault, int faults) {
    String caseName = "reentry-" + name;
    toApp.inject(fault, r -> r.header("X-Run-ID") != null && r.target().contains("case=" + caseName));
    Reply reply = get(app.url() + "/switch?case=" + caseName);
    assertThat(reply.status()).as("%s", reply).isEqualTo(303);
    Waits.until(faults + " re-entries of " + caseName + " met the fault", SETTLE, () -> toApp.injected() >= faults);
    int injected = toApp.injected();
    toApp.clear();
    Reply output = get(reply.header("Location"));
    assertThat(output.status()).as("the run's output: %s", output).isEqualTo(200);
    assertThat(output.body()).isEqualTo("done " + caseName);
    orchestrator.awaitStatus(reply.runId(), "COMPLETED", SETTLE);
    assertThat(app.executions(caseName, "a")).as("step a").isEqualTo(1);
    assertThat(app.executions(caseName, "b")).as("step b").isEqualTo(1);
    assertThat(orchestrator.runsWithQuery("case=" + caseName)).hasSize(1);
    SUMMARY.add(String.format("re-entry, %s: %d re-entries failed, then the run completed, each step once",
        fault, injected));
  }

  // ---------------------------------------------------------------- helpers

  /** Makes the run's create-run carry step a alone: later ops go in checkpoints of their own. */
  private void holdAfterStepAUntilTheCreateRunIsSent(String caseName) {
    AtomicInteger createRuns = new AtomicInteger();
    // A rule that never matches, newest so it sees every request first: it only counts.
    toOrchestrator.inject(Fault.pass(), r -> {
      if (isCreateRun(r) && r.header("Content-Length") != null) {
        createRuns.incrementAndGet();
      }
      return false;
    });
    app.afterFirstStep(caseName, () -> Waits.until("the proxy has read the create-run of " + caseName,
        Duration.ofSeconds(5), () -> createRuns.get() >= 1));
  }

  private static boolean isCreateRun(FaultProxy.Request r) {
    return r.method().equals("POST") && r.path().equals("/v1/checkpoint");
  }

  /** Accepts the first {@code n} requests that {@code which} accepts. */
  private static Predicate<FaultProxy.Request> first(int n, Predicate<FaultProxy.Request> which) {
    AtomicInteger left = new AtomicInteger(n);
    return r -> which.test(r) && left.getAndDecrement() > 0;
  }

  private static String errorCode(Reply reply) {
    try {
      return JSON.readTree(reply.body()).path("errors").path(0).path("code").asText();
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + reply, e);
    }
  }

  /** One response, read in full, and how long it took. */
  record Reply(int status, okhttp3.Headers headers, String body, long millis) {
    @Nullable String header(String name) {
      return headers.get(name);
    }

    String runId() {
      String id = headers.get("X-Run-ID");
      assertThat(id).as("X-Run-ID of %s", this).isNotNull();
      return id;
    }
  }

  private Reply get(String url) {
    long started = System.nanoTime();
    try (Response r = http.newCall(new Request.Builder().url(url).build()).execute()) {
      String body = r.body().string();
      return new Reply(r.code(), r.headers(), body, (System.nanoTime() - started) / 1_000_000);
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + url, e);
    }
  }
}
