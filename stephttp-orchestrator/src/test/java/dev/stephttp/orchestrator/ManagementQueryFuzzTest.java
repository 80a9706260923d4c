package dev.stephttp.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import dev.stephttp.orchestrator.management.ApiException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Any query string on the management API's read routes (filters, cursors, limits, time bounds,
 * unknown parameters) is answered with a 2xx or a precise 4xx in the documented error envelope,
 * never a 5xx, and leaves the store as it was. Over real HTTP against one SQLite-backed
 * orchestrator per class, with a signing key and rate limits off. A coverage-guided fuzz test
 * ({@code JAZZER_FUZZ=1} fuzzes; a normal run replays {@code ManagementQueryFuzzTestInputs/}).
 *
 * <p>Corpus layout: the first byte picks the route (its value modulo the number of routes, so
 * {@code 'a'} is {@code /runs}, {@code 'b'} a run, {@code 'c'} its trace, {@code 'd'} {@code
 * /events}, {@code 'e'} an event's runs, {@code 'f'} {@code /apps}, {@code 'g'} an app's functions,
 * {@code 'h'} a function's runs, {@code 'i'} {@code /stats/runs}, {@code 'j'} an event); the rest is
 * the query string, in which {@code $RC}, {@code $EC} and {@code $FC} stand for a real cursor of
 * {@code /runs}, {@code /events} and a function's runs.
 */
class ManagementQueryFuzzTest {
  @TempDir static Path dir;
  static Orchestrator orch;
  static Api api;
  static String[] routes;
  static Map<String, String> cursors;

  @BeforeAll
  static void start() {
    orch = Orchestrator.builder().port(0).database(dir.resolve("query.db")).signingKey(Api.KEY)
        .rateLimits(RateLimits.off()).retryBackoff(java.time.Duration.ofMillis(100)).start();
    api = Api.bearer(orch);
    String run = Api.completedRun(orch, "http://query.test", "/orders");
    Api.completedRun(orch, "http://query.test", "/orders");
    Api.sleepingRun(orch, "http://query.test", "/orders");
    String event = Api.ok(api.get("/runs/" + run)).get("trigger").get("eventIds").get(0).asText();
    String app = "/apps/http%3A%2F%2Fquery.test";
    String fn = app + "/functions/GET%20%2Forders";
    routes = new String[] {"/runs", "/runs/" + run, "/runs/" + run + "/trace", "/events",
        "/events/" + event + "/runs", "/apps", app + "/functions", fn + "/runs", "/stats/runs",
        "/events/" + event};
    cursors = Map.of("$RC", cursor("/runs?limit=1"), "$EC", cursor("/events?limit=1"),
        "$FC", cursor(fn + "/runs?limit=1"));
  }

  @AfterAll
  static void stop() {
    orch.close();
  }

  private static String cursor(String firstPage) {
    Http.Result r = api.get(firstPage);
    Api.ok(r);
    JsonNode c = r.json().get("page").get("cursor");
    assertThat(c.isTextual()).as("a first page of one names a next page: %s", r.body()).isTrue();
    return c.asText();
  }

  @FuzzTest(maxDuration = "20s")
  void anyQueryIsAnsweredWithDataOrAPreciseClientError(FuzzedDataProvider data) {
    String route = routes[Byte.toUnsignedInt(data.consumeByte()) % routes.length];
    String query = data.consumeRemainingAsString();
    for (Map.Entry<String, String> c : cursors.entrySet()) {
      query = query.replace(c.getKey(), c.getValue());
    }
    Map<String, Long> before = Runs.counts(orch);

    Http.Result r;
    try {
      r = api.get(route + "?" + query);
    } catch (IllegalArgumentException notAUrl) {
      return; // okhttp refuses to send it (no request reached the server)
    }

    String what = "GET " + route + "?" + query + " -> " + r.status() + " " + r.body();
    assertThat(r.status()).as(what).isLessThan(500);
    if (r.status() >= 400) {
      JsonNode errors = r.json().get("errors");
      assertThat(errors).as(what).isNotNull();
      assertThat(errors.isArray() && !errors.isEmpty()).as(what).isTrue();
      for (JsonNode e : errors) {
        assertThat(e.get("code").isTextual()).as(what).isTrue();
        assertThat(e.get("message").asText()).as(what).isNotBlank();
      }
      String first = errors.get(0).get("code").asText();
      assertThat(ApiException.status(first)).as(what).isEqualTo(r.status());
      assertThat(r.body()).as(what).doesNotContain("Exception").doesNotContain("dev.stephttp");
      assertThat(r.json().get("metadata").get("requestId").asText()).as(what)
          .isEqualTo(r.header("X-Request-ID"));
    } else {
      assertThat(r.status()).as(what).isEqualTo(200);
      assertThat(r.json().has("data")).as(what).isTrue();
    }
    assertThat(Runs.counts(orch)).as("the store after %s", what).isEqualTo(before);
  }
}
