package dev.stephttp.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Runs endpoints (§8.7–8.9) over real sockets against the SQLite store. */
@Timeout(60)
class ManagementRunsTest {
  @TempDir static Path dir;
  static Orchestrator orch;
  static Api api;

  @BeforeAll
  static void start() {
    orch = Orchestrator.builder().port(0).database(dir.resolve("runs.db")).signingKey(Api.KEY)
        .rateLimits(RateLimits.off())
        .start();
    api = Api.bearer(orch);
  }

  @AfterAll
  static void stop() {
    orch.close();
  }

  @Test
  void completedRunHasTheDocumentedShape() {
    String id = Api.completedRun(orch, "http://shape.test", "/orders");
    JsonNode run = Api.ok(api.get("/runs/" + id.toLowerCase()));
    assertThat(run.get("id").asText()).isEqualTo(id);
    assertThat(run.get("status").asText()).isEqualTo("COMPLETED");
    assertThat(run.get("function").get("id").asText()).isEqualTo("GET /orders");
    assertThat(run.get("app").get("id").asText()).isEqualTo("http://shape.test");
    assertThat(run.get("queuedAt").asText()).endsWith("Z");
    assertThat(run.get("durationMs").isIntegralNumber()).isTrue();
    assertThat(run.get("trigger").get("eventIds")).hasSize(1);
    assertThat(run.get("trigger").get("eventName").asText()).isEqualTo("inngest/http.request");
    assertThat(run.get("output").isNull()).isTrue();
    assertThat(run.get("outputSizeBytes").asInt()).isPositive();
    assertThat(run.get("request").get("method").asText()).isEqualTo("GET");
    assertThat(run.get("request").get("path").asText()).isEqualTo("/orders");
    assertThat(run.get("request").get("body").isNull()).isTrue();
    assertThat(run.get("result").get("statusCode").asInt()).isEqualTo(201);
    assertThat(run.get("result").get("body").isNull()).isTrue();
    assertThat(run.get("error").isNull()).isTrue();
    assertThat(run.get("waits").isArray()).isTrue();
    assertThat(run.get("stepCount").asInt()).isEqualTo(1);
    assertThat(run.get("originalRunId").isNull()).isTrue();
    JsonNode withOutput = Api.ok(api.get("/runs/" + id + "?includeOutput=true"));
    assertThat(withOutput.get("output").get("data").get("status").asInt()).isEqualTo(201);
    assertThat(withOutput.get("result").get("body").asText()).isEqualTo("made");
  }

  @Test
  void sleepingRunShowsItsWaitAndTraceSteps() {
    String id = Api.sleepingRun(orch, "http://sleep.test", "/nap");
    JsonNode run = Api.ok(api.get("/runs/" + id));
    assertThat(run.get("status").asText()).isEqualTo("RUNNING");
    assertThat(run.get("waits")).hasSize(1);
    assertThat(run.get("waits").get(0).get("reason").asText()).isEqualTo("SLEEP");
    assertThat(run.get("waits").get(0).get("stepId").asText()).isEqualTo("nap");
    assertThat(run.get("waits").get(0).get("until").asText()).endsWith("Z");
    JsonNode trace = Api.ok(api.get("/runs/" + id + "/trace?includeOutput=true"));
    JsonNode root = trace.get("rootSpan");
    assertThat(trace.get("runId").asText()).isEqualTo(id);
    assertThat(root.get("spanType").asText()).isEqualTo("RUN");
    assertThat(root.get("status").asText()).isEqualTo("RUNNING");
    assertThat(root.get("children")).hasSize(2);
    JsonNode a = root.get("children").get(0);
    assertThat(a.get("stepOp").asText()).isEqualTo("RUN");
    assertThat(a.get("status").asText()).isEqualTo("COMPLETED");
    assertThat(a.get("attempts").asInt()).isEqualTo(1);
    assertThat(a.get("output").get("data").asInt()).isEqualTo(1);
    assertThat(a.get("children")).hasSize(1);
    assertThat(a.get("children").get(0).get("spanType").asText()).isEqualTo("ATTEMPT");
    JsonNode nap = root.get("children").get(1);
    assertThat(nap.get("stepOp").asText()).isEqualTo("SLEEP");
    assertThat(nap.get("status").asText()).isEqualTo("WAITING");
    assertThat(nap.get("wait").get("reason").asText()).isEqualTo("SLEEP");
    Api.ok(api.get("/runs?status=RUNNING&appId=http://sleep.test"));
  }

  @Test
  void unknownAndMalformedRunIds() {
    Api.error(api.get("/runs/" + Runs.newRunId()), 404, "run_not_found");
    Api.error(api.get("/runs/not-a-ulid/trace"), 400, "invalid_run_id");
    Api.error(api.get("/runs/not-a-ulid?includeOutput=maybe&maxOutputBytes=5"), 400,
        "invalid_run_id", "invalid_boolean", "max_output_bytes_out_of_range");
    Api.error(api.get("/runs/" + Runs.newRunId() + "?maxOutputBytes=x"), 400,
        "invalid_integer");
  }

  @Test
  void listValidationReportsEveryErrorInDocumentedOrder() {
    JsonNode first = Api.error(api.get("/runs?limit=500&status=DONE&functionId=f&from=yesterday"
        + "&timeField=nope&order=up&isDeferred=x&includeOutput=x&maxOutputBytes=1&cursor=zz"),
        400, "invalid_status", "app_id_required", "invalid_timestamp", "invalid_time_field",
        "invalid_order", "invalid_boolean", "invalid_boolean", "max_output_bytes_out_of_range",
        "invalid_cursor", "limit_out_of_range");
    assertThat(first.get("field").asText()).isEqualTo("status");
    Api.error(api.get("/runs?limit=0"), 400, "limit_out_of_range");
    Api.error(api.get("/runs?limit=1.5"), 400, "invalid_integer");
    Api.error(api.get("/runs?from=2025-01-02T00:00:00Z&until=2025-01-01T00:00:00Z"), 400,
        "time_range_invalid");
    Api.error(api.get("/runs?from=2025-01-02T00:00:00"), 400, "invalid_timestamp");
    StringBuilder many = new StringBuilder("/runs?limit=1");
    for (int i = 0; i < 51; i++) {
      many.append("&appId=a").append(i);
    }
    Api.error(api.get(many.toString()), 400, "too_many_values");
  }

  @Test
  void paginationHasNoDuplicatesOrGapsUnderConcurrentInserts() throws Exception {
    String domain = "http://page.test";
    Set<String> existing = new HashSet<>();
    for (int i = 0; i < 23; i++) {
      existing.add(Api.completedRun(orch, domain, "/p"));
    }
    AtomicBoolean stop = new AtomicBoolean();
    CompletableFuture<Integer> inserter = CompletableFuture.supplyAsync(() -> {
      int n = 0;
      while (!stop.get() && n < 200) {
        Api.completedRun(orch, domain, "/p");
        n++;
      }
      return n;
    });
    List<String> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      Http.Result r = api.get("/runs?appId=" + domain + "&limit=5"
          + (cursor == null ? "" : "&cursor=" + cursor));
      JsonNode body = r.json();
      Api.ok(r);
      JsonNode page = body.get("page");
      assertThat(page.get("limit").asInt()).isEqualTo(5);
      body.get("data").forEach(run -> seen.add(run.get("id").asText()));
      cursor = page.get("cursor").isNull() ? null : page.get("cursor").asText();
      assertThat(page.get("hasMore").asBoolean()).isEqualTo(cursor != null);
      pages++;
    } while (cursor != null && pages < 200);
    stop.set(true);
    inserter.get();
    assertThat(seen).doesNotHaveDuplicates();
    assertThat(seen).containsAll(existing);
  }

  @Test
  void exactlyLimitItemsHaveNoCursorAndCursorIsBoundToItsFilters() {
    String domain = "http://exact.test";
    for (int i = 0; i < 3; i++) {
      Api.completedRun(orch, domain, "/x");
    }
    Http.Result r = api.get("/runs?appId=" + domain + "&limit=3");
    Api.ok(r);
    assertThat(r.json().get("page").get("hasMore").asBoolean()).isFalse();
    assertThat(r.json().get("page").get("cursor").isNull()).isTrue();
    Http.Result two = api.get("/runs?appId=" + domain + "&limit=2");
    assertThat(two.status()).as(two.body()).isEqualTo(200);
    String cursor = two.json().get("page").get("cursor").asText();
    assertThat(two.json().get("page").get("hasMore").asBoolean()).isTrue();
    Api.error(api.get("/runs?appId=http://other.test&limit=2&cursor=" + cursor), 400,
        "invalid_cursor");
    Api.error(api.get("/runs?appId=" + domain + "&order=ASC&limit=2&cursor=" + cursor), 400,
        "invalid_cursor");
    Http.Result empty = api.get("/runs?appId=http://nothing.test");
    assertThat(Api.ok(empty)).isEmpty();
    assertThat(api.get("/runs?appId=" + domain + "&isDeferred=true").json().get("data"))
        .isEmpty();
  }

  @Test
  void terminalRunsCarryAnEtagAndAnswer304() {
    String id = Api.completedRun(orch, "http://etag.test", "/e");
    Http.Result r = api.get("/runs/" + id);
    String etag = r.header("ETag");
    assertThat(etag).startsWith("W/\"" + id + ".");
    Http.Result again = api.get("/runs/" + id, b -> b.header("If-None-Match", etag));
    assertThat(again.status()).isEqualTo(304);
    assertThat(again.bodyBytes()).isEmpty();
    assertThat(again.header("ETag")).isEqualTo(etag);
    assertThat(again.header("X-Request-ID")).isNotNull();
    Http.Result other = api.get("/runs/" + id + "?includeOutput=true",
        b -> b.header("If-None-Match", etag));
    assertThat(other.status()).isEqualTo(200);
    String running = Api.sleepingRun(orch, "http://etag.test", "/s");
    Http.Result live = api.get("/runs/" + running, b -> b.header("If-None-Match", "*"));
    assertThat(live.status()).isEqualTo(200);
    assertThat(live.header("ETag")).isNull();
    assertThat(api.get("/runs/" + id + "/trace").header("ETag")).contains(id);
  }
}
