package dev.stephttp.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stephttp.orchestrator.store.SqliteStore;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Acceptance 5: a blocked output client is answered by a push when the run finishes. */
class OutputPushTest {

  static String outputUrl(Orchestrator o, Http.Result created) {
    var d = created.json().get("data");
    return o.baseUrl() + "/v1/checkpoint/" + d.get("run_id").asText() + "/output?token="
        + d.get("token").asText();
  }

  @Test
  void waitingClientIsAnsweredWhenTheRunCompletesNotByPolling() throws Exception {
    try (Orchestrator o = Orchestrator.builder().dev(true).inMemoryStore().port(0)
        .outputMaxWait(Duration.ofMinutes(10)).start()) {
      String id = Runs.newRunId();
      // an async run parked on a 1 h sleep: nothing but our completion can end it
      Http.Result created = Http.post(o.baseUrl() + "/v1/checkpoint", "Bearer",
          Runs.create(id, "http://127.0.0.1:1", "/p", 0, Runs.sleep("nap", "1h")).toString());
      assertThat(created.status()).isEqualTo(200);

      CompletableFuture<Http.Result> blocked = Http.getAsync(outputUrl(o, created));
      Runs.await("the output request is parked", Duration.ofSeconds(10),
          () -> o.waiters().count() == 1);
      assertThat(blocked).isNotDone();

      SqliteStore store = (SqliteStore) o.store();
      long commitsBefore = store.commitStats()[0];
      long ackAt = System.nanoTime();
      Http.Result ack = Http.post(o.baseUrl() + "/v1/checkpoint/" + id + "/steps", "Bearer",
          "{\"run_id\":\"" + id + "\",\"steps\":[" + Runs.complete(200, "done") + "]}");
      assertThat(ack.status()).isEqualTo(200);
      Http.Result out = blocked.get(10, TimeUnit.SECONDS);
      long latencyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - ackAt);

      assertThat(out.status()).isEqualTo(200);
      assertThat(out.body()).isEqualTo("done");
      assertThat(o.waiters().count()).isZero();
      // woken by the completion's own commit: the store has nothing else to commit here, so a
      // wake-up that waited for a later commit would never come (issue 10's output latency)
      assertThat(store.commitStats()[0] - commitsBefore).isEqualTo(1);
      // Upstream polls every 2 s; a push answers right after the completing commit.
      assertThat(latencyMs).isLessThan(2000);
      System.out.println("output wake-up latency after completion ack: " + latencyMs + " ms");
    }
  }

  @Test
  void maxWaitAnswersStillRunningWithRetryAfter() {
    try (Orchestrator o = Orchestrator.builder().dev(true).inMemoryStore().port(0)
        .outputMaxWait(Duration.ofMillis(300)).start()) {
      String id = Runs.newRunId();
      Http.Result created = Http.post(o.baseUrl() + "/v1/checkpoint", "Bearer",
          Runs.create(id, "http://127.0.0.1:1", "/p", 0, Runs.sleep("nap", "1h")).toString());
      Http.Result out = Http.get(outputUrl(o, created));
      assertThat(out.status()).isEqualTo(200);
      assertThat(out.json().get("status").asText()).isEqualTo("running");
      assertThat(out.header("Retry-After")).isEqualTo("2");
      assertThat(o.waiters().count()).isZero();
    }
  }

  @Test
  void closingAnswersParkedClientsInsteadOfResettingThem() throws Exception {
    Orchestrator o = Orchestrator.builder().dev(true).inMemoryStore().port(0).start();
    CompletableFuture<Http.Result> blocked;
    try {
      String id = Runs.newRunId();
      Http.Result created = Http.post(o.baseUrl() + "/v1/checkpoint", "Bearer",
          Runs.create(id, "http://127.0.0.1:1", "/p", 0, Runs.sleep("nap", "1h")).toString());
      blocked = Http.getAsync(outputUrl(o, created));
      Runs.await("the output request is parked", Duration.ofSeconds(10),
          () -> o.waiters().count() == 1);
    } finally {
      o.close();
    }
    Http.Result out = blocked.get(10, TimeUnit.SECONDS);
    assertThat(out.status()).isEqualTo(200);
    assertThat(out.json().get("status").asText()).isEqualTo("running");
    assertThat(out.header("Retry-After")).isNotNull();
  }
}
