package dev.stephttp.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stephttp.orchestrator.Orchestrator;
import dev.stephttp.orchestrator.RateLimits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * The real embedded orchestrator of one test class (SQLite in a temporary folder, a real signing
 * key, event key {@code ek}, 100 ms retry backoff), and what the suite asks it through the
 * management API. Thread-safe.
 */
public final class OrchestratorFixture implements AutoCloseable {
  /** The event key of every orchestrator and app of the suite. */
  public static final String EVENT_KEY = "ek";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Orchestrator orchestrator;
  private final String signingKey;

  private OrchestratorFixture(Orchestrator orchestrator, String signingKey) {
    this.orchestrator = orchestrator;
    this.signingKey = signingKey;
  }

  /** Starts an orchestrator on 127.0.0.1 and a free port, storing its runs under {@code dir}. */
  public static OrchestratorFixture start(Path dir) {
    byte[] random = new byte[16];
    ThreadLocalRandom.current().nextBytes(random);
    String key = "signkey-test-" + HexFormat.of().formatHex(random);
    // The suite polls the management API while runs finish; its rate limits are tested elsewhere.
    Orchestrator o = Orchestrator.builder().port(0).database(dir.resolve("runs.db")).signingKey(key)
        .eventKey(EVENT_KEY).retryBackoff(Duration.ofMillis(100)).rateLimits(RateLimits.off()).start();
    return new OrchestratorFixture(o, key);
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String baseUrl() {
    return orchestrator.baseUrl();
  }

  /** The signing key shared with the apps (never dev mode: re-entries are signed). */
  public String signingKey() {
    return signingKey;
  }

  /**
   * The run as {@code GET /api/v2/runs/{runId}} shows it ({@code data}), or null while it is
   * unknown (or the API asks to slow down).
   */
  public JsonNode run(String runId) {
    Http.Reply r = Http.get(baseUrl() + "/api/v2/runs/" + runId, signingKey);
    if (r.status() == 404 || r.status() == 429) {
      return null;
    }
    assertThat(r.status()).as("GET /api/v2/runs/%s: %s", runId, r).isEqualTo(200);
    try {
      return JSON.readTree(r.body()).path("data");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits (up to 15 s) until the run exists and {@code condition} holds for it; returns it. */
  public JsonNode awaitRun(String runId, String what, Predicate<JsonNode> condition) {
    JsonNode[] last = new JsonNode[1];
    Waits.until("run " + runId + " " + what, Duration.ofSeconds(15), () -> {
      last[0] = run(runId);
      return last[0] != null && condition.test(last[0]);
    });
    return last[0];
  }

  /** Waits until the run has reached {@code status} (COMPLETED, FAILED, ...) and returns it. */
  public JsonNode awaitStatus(String runId, String status) {
    return awaitRun(runId, "is " + status + " (it stays RUNNING or ends otherwise)",
        run -> {
          String s = run.path("status").asText();
          if (!s.equals("RUNNING") && !s.equals("QUEUED") && !s.equals(status)) {
            throw new AssertionError("run " + runId + " ended " + s + ", expected " + status + ": " + run);
          }
          return s.equals(status);
        });
  }

  /** Sends an event through the event API ({@code POST /e/{eventKey}}). */
  public void sendEvent(String json) {
    Http.Reply r = Http.post(baseUrl() + "/e/" + EVENT_KEY, "application/json", json);
    assertThat(r.status()).as("event %s: %s", json, r).isEqualTo(200);
  }

  @Override
  public void close() {
    orchestrator.close();
  }
}
