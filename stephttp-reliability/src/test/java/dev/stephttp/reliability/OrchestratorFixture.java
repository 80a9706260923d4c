package dev.stephttp.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stephttp.orchestrator.Orchestrator;
import dev.stephttp.orchestrator.RateLimits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * The real orchestrator (SQLite under a temporary folder, a real signing key, 100 ms retry backoff,
 * 2 s re-entry timeout so that a blackholed re-entry is retried soon, no API rate limits) and what
 * the suite asks its management API. Thread-safe.
 */
final class OrchestratorFixture implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Orchestrator orchestrator;
  private final String signingKey;
  private final OkHttpClient http = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(10)).build();

  private OrchestratorFixture(Orchestrator orchestrator, String signingKey) {
    this.orchestrator = orchestrator;
    this.signingKey = signingKey;
  }

  static OrchestratorFixture start(Path dir) {
    byte[] random = new byte[16];
    ThreadLocalRandom.current().nextBytes(random);
    String key = "signkey-test-" + HexFormat.of().formatHex(random);
    Orchestrator o = Orchestrator.builder().port(0).database(dir.resolve("runs.db")).signingKey(key)
        .eventKey("ek").retryBackoff(Duration.ofMillis(100)).reentryTimeout(Duration.ofSeconds(2))
        .rateLimits(RateLimits.off()).start();
    return new OrchestratorFixture(o, key);
  }

  String baseUrl() {
    return orchestrator.baseUrl();
  }

  int port() {
    return orchestrator.port();
  }

  String signingKey() {
    return signingKey;
  }

  /** {@code GET /api/v2/runs/{runId}}'s {@code data}, or null when the orchestrator has no such run. */
  @Nullable JsonNode run(String runId) {
    JsonNode answer = get("/api/v2/runs/" + runId, true);
    return answer == null ? null : answer.path("data");
  }

  /** Every run whose recorded request had exactly the query {@code query}, newest first. */
  List<JsonNode> runsWithQuery(String query) {
    List<JsonNode> found = new ArrayList<>();
    String cursor = null;
    do {
      JsonNode page = get("/api/v2/runs?limit=100" + (cursor == null ? ""
          : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8)), false);
      for (JsonNode run : page.path("data")) {
        if (query.equals(run.path("request").path("query").asText())) {
          found.add(run);
        }
      }
      cursor = page.path("page").path("cursor").isTextual() ? page.path("page").path("cursor").asText() : null;
    } while (cursor != null);
    return found;
  }

  /** Waits until the run exists with {@code status}; fails when it ends otherwise or time runs out. */
  JsonNode awaitStatus(String runId, String status, Duration timeout) {
    JsonNode[] last = new JsonNode[1];
    Waits.until("run " + runId + " is " + status + " (last seen: " + "%s)", timeout, () -> {
      last[0] = run(runId);
      if (last[0] == null) {
        return false;
      }
      String s = last[0].path("status").asText();
      if (!s.equals(status) && !s.equals("RUNNING") && !s.equals("QUEUED")) {
        throw new AssertionError("run " + runId + " ended " + s + ", expected " + status + ": " + last[0]);
      }
      return s.equals(status);
    }, () -> last[0]);
    return last[0];
  }

  private @Nullable JsonNode get(String path, boolean nullOn404) {
    Request request = new Request.Builder().url(baseUrl() + path)
        .header("Authorization", "Bearer " + signingKey).build();
    try (Response r = http.newCall(request).execute()) {
      String body = r.body().string();
      if (r.code() == 404 && nullOn404) {
        return null;
      }
      if (r.code() != 200) {
        throw new AssertionError("GET " + path + " answered " + r.code() + ": " + body);
      }
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + path, e);
    }
  }

  @Override
  public void close() {
    orchestrator.close();
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }
}
