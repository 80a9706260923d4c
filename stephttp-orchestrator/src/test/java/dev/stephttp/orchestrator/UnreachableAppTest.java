package dev.stephttp.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stephttp.orchestrator.model.RunRecord;
import dev.stephttp.orchestrator.model.RunStatus;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression (chaos runs): a connection failure on re-entry used up the step's retries, so a
 * {@code retries(0)} run failed for good on one reset, and after an app restart re-entries
 * failed on the dead app's pooled connections. Not reaching the app has its own budget.
 */
class UnreachableAppTest {
  static final String KEY = "signkey-test-0123456789abcdef0123456789abcdef";
  static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;
  Orchestrator orch;

  @BeforeEach
  void start() {
    orch = Orchestrator.builder().port(0).database(dir.resolve("reach.db")).signingKey(KEY)
        .eventKey("ek").retryBackoff(Duration.ofMillis(50))
        .connectionRetries(5, Duration.ofMillis(20)).start();
  }

  @AfterEach
  void stop() {
    orch.close();
  }

  String create(String domain, String path, com.fasterxml.jackson.databind.node.ObjectNode... ops) {
    String id = Runs.newRunId();
    Http.Result r = Http.post(orch.baseUrl() + "/v1/checkpoint", KEY,
        Runs.create(id, domain, path, 0, ops).toString());
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return id;
  }

  RunRecord awaitEnd(String id) {
    Runs.await("run " + id + " finished", WAIT, () -> !Runs.run(orch, id).running());
    return Runs.run(orch, id);
  }

  static FakeApp.Handler sleeper() {
    return ctx -> {
      ctx.run("a", () -> 1);
      ctx.sleep("nap", "10ms");
      return new FakeApp.Response(200, Map.of("content-type", "text/plain"), "woke");
    };
  }

  @Test
  void resetConnectionsDoNotUseUpTheRetriesOfARunWithoutRetries() throws Exception {
    try (FakeApp app = new FakeApp().orchestrator(orch.baseUrl(), KEY).handle("/r", sleeper());
        ResettingProxy proxy = new ResettingProxy(URI.create(app.domain()).getPort(), 2)) {
      String id = create(proxy.url(), "/r", Runs.stepRun("a", 1), Runs.sleep("nap", "10ms"));

      RunRecord run = awaitEnd(id);

      assertThat(run.status()).as(run.output()).isEqualTo(RunStatus.COMPLETED);
      assertThat(run.output()).contains("woke");
      assertThat(proxy.accepted.get()).isGreaterThanOrEqualTo(3);
      assertThat(app.reentries.get()).isEqualTo(1);
    }
  }

  @Test
  void appRestartedOnTheSamePortBetweenReentriesIsReachedAgainWithoutRetries()
      throws Exception {
    // no connection budget at all: the dead pooled connection is replaced at once
    orch.close();
    orch = Orchestrator.builder().port(0).database(dir.resolve("reach.db")).signingKey(KEY)
        .eventKey("ek").retryBackoff(Duration.ofMillis(50))
        .connectionRetries(0, Duration.ofMillis(20)).start();
    FakeApp.Handler order = ctx -> {
      ctx.run("a", () -> 1);
      ctx.waitForEvent("approval", "order/approved", "1h", null);
      ctx.run("b", () -> 2);
      ctx.waitForEvent("shipping", "order/shipped", "1h", null);
      return new FakeApp.Response(200, Map.of("content-type", "text/plain"), "shipped");
    };
    FakeApp first = new FakeApp().orchestrator(orch.baseUrl(), KEY).handle("/r", order);
    int port = URI.create(first.domain()).getPort();
    String id;
    try {
      id = create(first.domain(), "/r", Runs.stepRun("a", 1),
          Runs.waitFor("approval", "order/approved", "1h", null));
      send("order/approved");
      Runs.await("the first app ran step b and waits for shipping", WAIT,
          () -> first.executions(id, "b") == 1 && Runs.counts(orch).get("pauses") == 1
              && Runs.counts(orch).get("work") == 1); // only the wait's timeout is left
    } finally {
      first.close(); // its connections in the orchestrator's pool are dead now
    }
    try (FakeApp second = new FakeApp(port).orchestrator(orch.baseUrl(), KEY)
        .handle("/r", order)) {
      send("order/shipped");

      RunRecord run = awaitEnd(id);

      assertThat(run.status()).as(run.output()).isEqualTo(RunStatus.COMPLETED);
      assertThat(run.output()).contains("shipped");
      assertThat(second.reentries.get()).isEqualTo(1);
    }
  }

  void send(String event) {
    Http.Result sent = Http.post(orch.baseUrl() + "/e/ek", null,
        "{\"name\":\"" + event + "\",\"data\":{}}");
    assertThat(sent.status()).as(sent.body()).isEqualTo(200);
  }

  @Test
  void appThatNeverAnswersFailsTheRunOnceTheConnectionBudgetIsSpent() throws Exception {
    int closedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1,
        java.net.InetAddress.getByName("127.0.0.1"))) {
      closedPort = s.getLocalPort();
    }
    String id = create("http://127.0.0.1:" + closedPort, "/r", Runs.stepRun("a", 1),
        Runs.sleep("nap", "1ms"));

    RunRecord run = awaitEnd(id);

    assertThat(run.status()).isEqualTo(RunStatus.FAILED);
    assertThat(run.output()).contains("AppUnreachable", "6 tries");
  }
}
