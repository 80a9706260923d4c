package dev.stephttp.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stephttp.RunContext;
import dev.stephttp.Step;
import dev.stephttp.StepFailedException;
import dev.stephttp.internal.wire.StepIds;
import dev.stephttp.orchestrator.model.RunStatus;
import dev.stephttp.servlet.FunctionOptions;
import dev.stephttp.servlet.StepHttp;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression (chaos run: 10 requests, 13 executions of the compensating step): with
 * {@code retries(0)} a sync-phase {@code StepFailed} scheduled a discovery re-entry, so the
 * orchestrator re-ran the endpoint while the user's request was still running it.
 */
class CaughtStepFailureTest {
  static final String KEY = JavaLibraryEndToEndTest.KEY;

  @TempDir Path dir;
  Orchestrator orch;
  LibraryApp app;
  final Map<String, AtomicInteger> executions = new ConcurrentHashMap<>();

  @BeforeEach
  void start() throws Exception {
    orch = Orchestrator.builder().port(0).database(dir.resolve("caught.db")).signingKey(KEY)
        .eventKey("ek").retryBackoff(Duration.ofMillis(50)).start();
    app = LibraryApp.start(orch, KEY, Map.of("/pay", this::pay));
  }

  @AfterEach
  void stop() throws Exception {
    app.close();
    orch.close();
  }

  void count(String key) {
    executions.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
  }

  int executions(String key) {
    AtomicInteger n = executions.get(key);
    return n == null ? 0 : n.get();
  }

  void pay(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    StepHttp.configure(FunctionOptions.builder().retries(0).build());
    String tag = req.getParameter("tag");
    count(tag + "/handler");
    String runId = RunContext.current().orElseThrow().runId();
    String outcome;
    try {
      outcome = Step.run("charge", String.class, () -> {
        count(tag + "/charge");
        throw new IllegalStateException("card declined");
      });
    } catch (StepFailedException e) {
      outcome = Step.run("refund", String.class, () -> {
        count(tag + "/refund");
        // A compensation that takes a moment: it is still running once the orchestrator has
        // recorded the failed charge (which is when the re-entry used to be scheduled).
        Runs.await("the failed charge is recorded", Duration.ofSeconds(10),
            () -> Runs.steps(orch, runId).containsKey(StepIds.hash("charge")));
        return "refunded";
      });
    }
    resp.setStatus(200);
    resp.setContentType("text/plain");
    resp.getWriter().write(outcome);
  }

  @Test
  void caughtFailureWithoutRetriesRunsEveryStepOncePerRequest() throws Exception {
    ExecutorService users = Executors.newFixedThreadPool(10);
    try {
      List<CompletableFuture<String>> runIds = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        String tag = "t" + i;
        runIds.add(CompletableFuture.supplyAsync(() -> {
          Request get = new Request.Builder().url(app.url + "/pay?tag=" + tag).build();
          try (Response r = JavaLibraryEndToEndTest.USER.newCall(get).execute()) {
            assertThat(r.code()).isEqualTo(200);
            assertThat(r.body().string()).isEqualTo("refunded");
            return r.header("X-Run-ID");
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }, users));
      }
      for (CompletableFuture<String> f : runIds) {
        String runId = f.get(60, TimeUnit.SECONDS);
        Runs.await("run " + runId + " finished", Duration.ofSeconds(20),
            () -> Runs.run(orch, runId) != null && !Runs.run(orch, runId).running());
        assertThat(Runs.run(orch, runId).status()).isEqualTo(RunStatus.COMPLETED);
      }
    } finally {
      users.shutdownNow();
    }
    for (int i = 0; i < 10; i++) {
      String tag = "t" + i;
      assertThat(executions(tag + "/charge")).as(tag + " charge").isEqualTo(1);
      assertThat(executions(tag + "/refund")).as(tag + " refund").isEqualTo(1);
      assertThat(executions(tag + "/handler")).as(tag + " handler runs").isEqualTo(1);
    }
  }
}
