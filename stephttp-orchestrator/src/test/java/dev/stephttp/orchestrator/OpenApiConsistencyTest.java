package dev.stephttp.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stephttp.orchestrator.engine.Engine;
import dev.stephttp.orchestrator.engine.StreamCounts;
import dev.stephttp.orchestrator.management.ApiRoute;
import dev.stephttp.orchestrator.management.ApiRoutes;
import dev.stephttp.orchestrator.management.CatalogApi;
import dev.stephttp.orchestrator.management.EventsApi;
import dev.stephttp.orchestrator.management.RunsApi;
import dev.stephttp.orchestrator.management.SystemApi;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Acceptance 4 (docs/management-api.md §9): the served document matches the router. */
@Timeout(60)
class OpenApiConsistencyTest {
  static Orchestrator orch;
  static JsonNode doc;
  static Http.Result served;

  @BeforeAll
  static void start() {
    orch = Orchestrator.builder().port(0).inMemoryStore().signingKey(Api.KEY)
        .rateLimits(RateLimits.off()).start();
    served = Http.execute(new Request.Builder().url(orch.baseUrl() + "/api/v2/openapi.json")
        .build());
    doc = served.json();
  }

  @AfterAll
  static void stop() {
    orch.close();
  }

  static Set<String> documented() {
    Set<String> out = new HashSet<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = doc.get("paths").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> p = it.next();
      p.getValue().fieldNames().forEachRemaining(m -> out.add(m.toUpperCase(Locale.ROOT) + " "
          + p.getKey()));
    }
    return out;
  }

  @Test
  void documentIsServedPubliclyWithAStrongEtag() {
    assertThat(served.status()).isEqualTo(200);
    assertThat(doc.get("openapi").asText()).isEqualTo("3.1.0");
    assertThat(doc.get("servers").get(0).get("url").asText()).isEqualTo("/api/v2");
    assertThat(doc.get("info").get("description").asText()).contains("Dev mode");
    String etag = served.header("ETag");
    assertThat(etag).matches("\"[0-9a-f]{16}\"");
    assertThat(served.header("Cache-Control")).isEqualTo("private, no-cache");
    Http.Result again = Http.execute(new Request.Builder()
        .url(orch.baseUrl() + "/api/v2/openapi.json").header("If-None-Match", etag).build());
    assertThat(again.status()).isEqualTo(304);
    JsonNode schemes = doc.get("components").get("securitySchemes");
    assertThat(schemes.get("sessionCookie").get("name").asText())
        .isEqualTo("inngest_api_session");
    assertThat(doc.get("components").get("schemas").has("FunctionRun")).isTrue();
  }

  @Test
  void everyRouterRouteIsDocumentedAndNothingElse() {
    Engine engine = orch.engine();
    java.time.Clock clock = java.time.Clock.systemUTC();
    List<ApiRoute> routes = ApiRoutes.routes(
        new RunsApi(orch.store(), engine, new StreamCounts(), clock),
        new CatalogApi(orch.store(), clock), new EventsApi(orch.store(), engine, clock),
        new SystemApi(orch.store(), null, () -> 0, () -> false));
    Set<String> router = new HashSet<>();
    routes.forEach(r -> router.add(r.method() + " " + r.template()));
    assertThat(documented()).isEqualTo(router);
    Set<String> ids = new HashSet<>();
    routes.forEach(r -> ids.add(r.operationId()));
    assertThat(ids).contains("ListRuns", "GetFunctionRun", "GetFunctionTrace", "CancelRun",
        "Rerun", "GetApps", "SendEvent", "GetEventRuns", "Health", "Ready", "Login", "Logout");
  }

  @Test
  void everyDocumentedRouteAnswers() {
    for (String route : documented()) {
      String method = route.substring(0, route.indexOf(' '));
      String path = route.substring(route.indexOf(' ') + 1)
          .replace("{runId}", Runs.newRunId()).replace("{eventId}", Runs.newRunId())
          .replace("{appId}", "a.example").replace("{functionId}", "GET%20%2Fx");
      Request.Builder b = new Request.Builder().url(orch.baseUrl() + "/api/v2" + path)
          .header("Authorization", "Bearer " + Api.KEY);
      if (method.equals("POST")) {
        b.post(RequestBody.create("{}", Api.JSON));
      }
      Http.Result r = Http.execute(b.build());
      boolean routeMissing = r.status() == 404
          && r.json().get("errors").get(0).get("code").asText().equals("route_not_found");
      assertThat(routeMissing).as(route + " answered " + r.body()).isFalse();
      assertThat(r.status()).as(route).isNotEqualTo(405);
    }
  }

  @Test
  void documentedParameterLimitsAreTheEnforcedOnes() {
    JsonNode params = doc.get("paths").get("/runs").get("get").get("parameters");
    for (JsonNode p : params) {
      JsonNode schema = p.get("schema");
      if (schema.has("maximum")) {
        String name = p.get("name").asText();
        int max = schema.get("maximum").asInt();
        int min = schema.get("minimum").asInt();
        Http.Result over = Api.bearer(orch).get("/runs?" + name + "=" + (max + 1));
        Http.Result under = Api.bearer(orch).get("/runs?" + name + "=" + (min - 1));
        assertThat(over.status()).as(name).isEqualTo(400);
        assertThat(under.status()).as(name).isEqualTo(400);
        assertThat(Api.bearer(orch).get("/runs?" + name + "=" + max).status()).isEqualTo(200);
      }
    }
  }

  @Test
  void responsesOfTheIntegrationCallsMatchTheirSchemas() {
    String id = Api.completedRun(orch, "http://schema.test", "/s");
    check("FunctionRun", Api.ok(Api.bearer(orch).get("/runs/" + id + "?includeOutput=true")));
    check("FunctionTrace", Api.ok(Api.bearer(orch).get("/runs/" + id + "/trace")));
    for (JsonNode r : Api.ok(Api.bearer(orch).get("/runs"))) {
      check("FunctionRun", r);
    }
    for (JsonNode a : Api.ok(Api.bearer(orch).get("/apps"))) {
      check("App", a);
    }
    check("RunStats", Api.ok(Api.bearer(orch).get("/stats/runs")));
    check("ErrorResponse", Api.bearer(orch).get("/runs/x").json());
  }

  /** A small validator for the schema subset the document uses. */
  static void check(String component, JsonNode value) {
    validate(doc.get("components").get("schemas").get(component), value, component);
  }

  static void validate(JsonNode schema, JsonNode v, String where) {
    if (schema.has("$ref")) {
      String name = schema.get("$ref").asText().replace("#/components/schemas/", "");
      validate(doc.get("components").get("schemas").get(name), v, where);
      return;
    }
    if (schema.has("oneOf")) {
      if (v.isNull()) {
        return;
      }
      validate(schema.get("oneOf").get(0), v, where);
      return;
    }
    JsonNode type = schema.get("type");
    if (type == null) {
      return;
    }
    Set<String> types = new HashSet<>();
    if (type.isArray()) {
      type.forEach(t -> types.add(t.asText()));
    } else {
      types.add(type.asText());
    }
    String actual = v.isNull() ? "null" : v.isObject() ? "object" : v.isArray() ? "array"
        : v.isIntegralNumber() ? "integer" : v.isBoolean() ? "boolean" : v.isTextual()
        ? "string" : "number";
    assertThat(types).as(where + " = " + v).contains(actual);
    if (schema.has("enum") && v.isTextual()) {
      List<String> allowed = new java.util.ArrayList<>();
      schema.get("enum").forEach(e -> allowed.add(e.asText()));
      assertThat(allowed).as(where).contains(v.asText());
    }
    if (actual.equals("object") && schema.has("required")) {
      for (JsonNode req : schema.get("required")) {
        assertThat(v.has(req.asText())).as(where + "." + req.asText() + " present").isTrue();
        validate(schema.get("properties").get(req.asText()), v.get(req.asText()),
            where + "." + req.asText());
      }
    }
    if (actual.equals("array") && schema.has("items")) {
      for (JsonNode item : v) {
        validate(schema.get("items"), item, where + "[]");
      }
    }
  }
}
