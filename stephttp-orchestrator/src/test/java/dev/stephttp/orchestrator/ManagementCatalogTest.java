package dev.stephttp.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Apps, functions, events and stats (§8.12–8.21), in-memory store. */
@Timeout(60)
class ManagementCatalogTest {
  static Orchestrator orch;
  static Api api;

  @BeforeAll
  static void start() {
    orch = Orchestrator.builder().port(0).inMemoryStore().signingKey(Api.KEY)
        .rateLimits(RateLimits.off()).start();
    api = Api.bearer(orch);
  }

  @AfterAll
  static void stop() {
    orch.close();
  }

  static String create(String domain, String method, String path, String fn) {
    String id = Runs.newRunId();
    com.fasterxml.jackson.databind.node.ObjectNode body =
        Runs.create(id, domain, path, 2, Runs.stepRun("a", 1), Runs.complete(200, "ok"));
    ((com.fasterxml.jackson.databind.node.ObjectNode) body.get("event").get("data"))
        .put("method", method).put("fn", fn);
    assertThat(Http.post(orch.baseUrl() + "/v1/checkpoint", Api.KEY, body.toString()).status())
        .isEqualTo(200);
    return id;
  }

  @Test
  void encodedAppAndFunctionIdsRoundTripThroughEveryRoute() {
    String runId = create("https://api.example.com", "POST", "/users/7", "POST /users/{id}");
    String app = "/apps/https%3A%2F%2Fapi.example.com";
    String fn = app + "/functions/POST%20%2Fusers%2F%7Bid%7D";
    JsonNode a = Api.ok(api.get(app));
    assertThat(a.get("id").asText()).isEqualTo("https://api.example.com");
    assertThat(a.get("method").asText()).isEqualTo("API");
    assertThat(a.get("functionCount").asInt()).isEqualTo(1);
    JsonNode fns = Api.ok(api.get(app + "/functions"));
    assertThat(fns).hasSize(1);
    assertThat(fns.get(0).get("id").asText()).isEqualTo("POST /users/{id}");
    JsonNode f = Api.ok(api.get(fn));
    assertThat(f.get("configuration").get("retries").get("value").asInt()).isEqualTo(2);
    assertThat(f.get("triggers")).isEmpty();
    JsonNode runs = Api.ok(api.get(fn + "/runs"));
    assertThat(runs).extracting(r -> r.get("id").asText()).containsExactly(runId);
    Api.error(api.get("/apps/nope.example"), 404, "app_not_found");
    Api.error(api.get("/apps/nope.example/functions"), 404, "app_not_found");
    Api.error(api.get(app + "/functions/GET%20%2Fnone"), 404, "function_not_found");
    Api.error(api.get(app + "/functions/GET%20%2Fnone/runs"), 404, "function_not_found");
    JsonNode apps = Api.ok(api.get("/apps"));
    assertThat(apps).extracting(x -> x.get("id").asText()).contains("https://api.example.com");
    assertThat(Api.ok(api.get("/apps?archived=true"))).isEmpty();
    Api.error(api.get("/apps?archived=maybe&limit=101"), 400, "invalid_boolean",
        "limit_out_of_range");
  }

  @Test
  void appsPageByIdWithoutGaps() {
    for (int i = 0; i < 5; i++) {
      create("http://pager" + i + ".test", "GET", "/x", "");
    }
    java.util.List<String> seen = new java.util.ArrayList<>();
    String cursor = null;
    do {
      Http.Result r = api.get("/apps?limit=2" + (cursor == null ? "" : "&cursor=" + cursor));
      Api.ok(r).forEach(x -> seen.add(x.get("id").asText()));
      JsonNode page = r.json().get("page");
      cursor = page.get("cursor").isNull() ? null : page.get("cursor").asText();
    } while (cursor != null);
    assertThat(seen).doesNotHaveDuplicates().isSorted();
    assertThat(seen).contains("http://pager0.test", "http://pager4.test");
  }

  @Test
  void sendEventIsIdempotentAndResumesWaits() {
    String wait = Runs.newRunId();
    com.fasterxml.jackson.databind.node.ObjectNode op = FakeApp.op("WaitForEvent", "approval");
    op.putObject("opts").put("event", "order/approved").put("timeout", "1h");
    assertThat(Http.post(orch.baseUrl() + "/v1/checkpoint", Api.KEY,
        Runs.create(wait, "http://127.0.0.1:1", "/w", 0, op).toString()).status())
        .isEqualTo(200);
    JsonNode waiting = Api.ok(api.get("/runs/" + wait));
    assertThat(waiting.get("waits").get(0).get("reason").asText()).isEqualTo("WAIT_FOR_EVENT");
    assertThat(waiting.get("waits").get(0).get("eventName").asText())
        .isEqualTo("order/approved");
    String body = "{\"name\":\"order/approved\",\"data\":{\"o\":1},\"id\":\"k-1\"}";
    Http.Result first = api.post("/events", body);
    String eventId = Api.ok(first).get("eventId").asText();
    assertThat(first.header("Idempotent-Replayed")).isNull();
    Http.Result replay = api.post("/events", body);
    assertThat(Api.ok(replay).get("eventId").asText()).isEqualTo(eventId);
    assertThat(replay.header("Idempotent-Replayed")).isEqualTo("true");
    Api.error(api.post("/events", "{\"name\":\"order/approved\",\"id\":\"k-1\"}"), 409,
        "idempotency_conflict");
    Api.error(api.post("/events", "{\"name\":\"a\",\"id\":\"x\"}",
        b -> b.header("Idempotency-Key", "y")), 400, "idempotency_key_mismatch");
    Runs.await("the wait is resumed", Duration.ofSeconds(10), () ->
        Api.ok(api.get("/events/" + eventId + "/runs?relation=RESUMED")).size() == 1);
    JsonNode resumed = Api.ok(api.get("/events/" + eventId + "/runs?relation=resumed"));
    assertThat(resumed.get(0).get("id").asText()).isEqualTo(wait);
    assertThat(Api.ok(api.get("/events/" + eventId + "/runs"))).isEmpty();
    JsonNode event = Api.ok(api.get("/events/" + eventId));
    assertThat(event.get("data").get("o").asInt()).isEqualTo(1);
    assertThat(event.get("idempotencyKey").asText()).isEqualTo("k-1");
    assertThat(event.get("receivedAt").asText()).endsWith("Z");
    Http.Result tagged = api.get("/events/" + eventId);
    assertThat(api.get("/events/" + eventId, b -> b.header("If-None-Match",
        tagged.header("ETag"))).status()).isEqualTo(304);
    Api.error(api.get("/events/" + Runs.newRunId()), 404, "event_not_found");
    Api.error(api.get("/events/bad/runs?relation=x"), 400, "invalid_event_id",
        "invalid_relation");
    Http.Result dep = api.post("/events", "{\"name\":\"u/x\",\"user\":{}}");
    Api.ok(dep);
    assertThat(dep.header("Deprecation")).isEqualTo("true");
  }

  @Test
  void sendEventValidationCollectsEveryBodyError() {
    Api.error(api.post("/events", "{\"name\":\"inngest/x\",\"data\":[1],\"user\":3,\"id\":\"\","
        + "\"ts\":5}"), 400, "event_name_reserved", "invalid_event_data", "invalid_event_user",
        "invalid_idempotency_key", "ts_out_of_range");
    Api.error(api.post("/events", "{}"), 400, "event_name_required");
    Api.error(api.post("/events", "{\"name\":\"" + "n".repeat(513) + "\"}"), 400,
        "event_name_too_long");
    Api.error(api.post("/events", "{\"name\":1,\"ts\":\"x\"}"), 400, "invalid_field_type",
        "invalid_field_type");
    Api.error(api.post("/events", ""), 400, "invalid_json");
  }

  @Test
  void eventsListAndTriggeredRuns() {
    String runId = create("http://events.test", "GET", "/t", "");
    JsonNode run = Api.ok(api.get("/runs/" + runId));
    String trigger = run.get("trigger").get("eventIds").get(0).asText();
    JsonNode triggered = Api.ok(api.get("/events/" + trigger + "/runs"));
    assertThat(triggered).extracting(r -> r.get("id").asText()).containsExactly(runId);
    JsonNode internal = Api.ok(api.get("/events?name=inngest/http.request&limit=100"));
    assertThat(internal).extracting(e -> e.get("id").asText()).contains(trigger);
    assertThat(internal.get(0).get("data").isNull()).isTrue();
    assertThat(Api.ok(api.get("/events?includeInternal=false&name=inngest/http.request")))
        .isEmpty();
    Api.error(api.get("/events?order=sideways&includeData=2"), 400, "invalid_order",
        "invalid_boolean");
  }

  @Test
  void statsCountTheWindowAndActiveRuns() {
    create("http://stats.test", "GET", "/s", "");
    create("http://stats.test", "GET", "/s", "");
    Api.sleepingRun(orch, "http://stats.test", "/z");
    // The window is [from, until) and until defaults to the request's millisecond: a run created in
    // that same millisecond falls outside it (this test was flaky on a fast machine).
    String until = java.time.Instant.now().plusSeconds(60).toString();
    Http.Result r = api.get("/stats/runs?appId=http://stats.test&until=" + until);
    JsonNode data = Api.ok(r);
    assertThat(data.get("window").get("total").asInt()).isEqualTo(3);
    assertThat(data.get("window").get("byStatus").get("COMPLETED").asInt()).isEqualTo(2);
    assertThat(data.get("window").get("byStatus").get("CANCELLED").asInt()).isZero();
    assertThat(data.get("active").get("total").asInt()).isEqualTo(1);
    assertThat(data.get("active").get("byWaitReason").get("SLEEP").asInt()).isEqualTo(1);
    assertThat(data.get("groups")).isEmpty();
    assertThat(r.json().get("metadata").get("timeRange").get("from").asText()).endsWith("Z");
    Api.error(api.get("/stats/runs?from=2025-01-01T00:00:00Z&until=2025-03-01T00:00:00Z"), 400,
        "time_range_too_large");
    Api.error(api.get("/stats/runs?functionId=x&timeField=x"), 400, "app_id_required",
        "invalid_time_field");
  }
}
