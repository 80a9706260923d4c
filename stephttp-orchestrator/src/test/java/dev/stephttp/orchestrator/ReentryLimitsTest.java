package dev.stephttp.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stephttp.orchestrator.model.RunRecord;
import dev.stephttp.orchestrator.model.RunStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 9: one app that never answered held re-entry threads for up to 2 hours each, and with
 * enough of its runs pending every other app's runs waited behind it. Each call is bounded by
 * {@code reentryTimeout}, and each callback origin gets at most
 * {@code reentryConcurrencyPerOrigin} calls at once.
 */
class ReentryLimitsTest {
  static final String KEY = "signkey-test-0123456789abcdef0123456789abcdef";
  static final Duration TIMEOUT = Duration.ofSeconds(3);

  Orchestrator orch;
  RawApp slow;
  RawApp fast;
  final CountDownLatch endOfTest = new CountDownLatch(1);
  final AtomicInteger slowInFlight = new AtomicInteger();
  final AtomicInteger slowMaxInFlight = new AtomicInteger();
  final Map<String, Long> slowReceivedAt = new ConcurrentHashMap<>();

  @BeforeEach
  void start() throws Exception {
    // two re-entry threads in all, one per origin: without the per-origin cap the slow app's
    // two runs take both threads until the timeout
    orch = Orchestrator.builder().port(0).inMemoryStore().signingKey(KEY).eventKey("ek")
        .retryBackoff(Duration.ofMillis(20)).reentryConcurrency(2)
        .reentryConcurrencyPerOrigin(1).reentryTimeout(TIMEOUT)
        .connectionRetries(0, Duration.ofMillis(20)).start();
    slow = new RawApp().then((req, resp) -> {
      slowReceivedAt.put(req.header("x-run-id"), System.nanoTime());
      slowMaxInFlight.accumulateAndGet(slowInFlight.incrementAndGet(), Math::max);
      try {
        endOfTest.await(30, TimeUnit.SECONDS); // never answers while the test runs
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        slowInFlight.decrementAndGet();
      }
      resp.setStatus(503);
    });
    fast = new RawApp().then(RawApp.ops(206, "[" + Runs.complete(200, "quick") + "]", Map.of()));
  }

  @AfterEach
  void stop() throws Exception {
    endOfTest.countDown();
    orch.close();
    slow.close();
    fast.close();
  }

  String create(String domain) {
    String id = Runs.newRunId();
    Http.Result r = Http.post(orch.baseUrl() + "/v1/checkpoint", KEY,
        Runs.create(id, domain, "/r", 0, Runs.stepRun("a", 1), Runs.sleep("nap", "1ms"))
            .toString());
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return id;
  }

  @Test
  void slowAppNeitherDelaysAnotherAppsRunsNorHoldsItsCallBeyondTheTimeout() {
    String slow1 = create(slow.domain());
    String slow2 = create(slow.domain());
    Runs.await("the slow app received a re-entry", Duration.ofSeconds(10),
        () -> !slowReceivedAt.isEmpty());
    // both slow runs woke from their sleep: their re-entries are due (without the cap, both
    // are sent at once)
    Runs.await("the slow app's runs are due", Duration.ofSeconds(10),
        () -> Runs.steps(orch, slow1).size() == 2 && Runs.steps(orch, slow2).size() == 2);

    long created = System.nanoTime();
    List<String> quick = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      quick.add(create(fast.domain()));
    }
    Runs.await("the fast app's runs completed", Duration.ofSeconds(20),
        () -> quick.stream().noneMatch(id -> Runs.run(orch, id).running()));
    Duration fastTook = Duration.ofNanos(System.nanoTime() - created);

    assertThat(fastTook).as("fast runs behind a slow app").isLessThan(Duration.ofMillis(1500));
    quick.forEach(id -> assertThat(Runs.run(orch, id).output()).contains("quick"));
    assertThat(slowMaxInFlight.get()).as("re-entries the slow app had at once").isEqualTo(1);

    String first = slowReceivedAt.containsKey(slow1) ? slow1 : slow2;
    Runs.await("the first slow re-entry was cut", Duration.ofSeconds(20),
        () -> !Runs.run(orch, first).running());
    Duration held = Duration.ofNanos(System.nanoTime() - slowReceivedAt.get(first));
    RunRecord cut = Runs.run(orch, first);
    assertThat(cut.status()).isEqualTo(RunStatus.FAILED);
    assertThat(cut.output()).contains("AppUnreachable", "timed out");
    assertThat(held).isGreaterThanOrEqualTo(TIMEOUT.minusMillis(200))
        .isLessThan(TIMEOUT.plusMillis(1500));
    Runs.await("the other slow run got its turn", Duration.ofSeconds(10),
        () -> slowReceivedAt.size() == 2);
  }
}
