package dev.stephttp.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/** Generated junk thrown at the checkpoint and event endpoints never yields a 5xx. */
class JunkInputProperties {
  static final JsonNodeFactory F = JsonNodeFactory.instance;
  static final List<String> KEYS = List.of("run_id", "event", "name", "data", "domain", "path",
      "method", "body", "query_params", "steps", "op", "id", "opts", "duration", "timeout", "if",
      "error", "message", "retries", "request_version", "ts", "user", "v", "noRetry", "fn_id");
  static final List<String> OPS = List.of("StepRun", "Step", "StepError", "StepFailed", "Sleep",
      "WaitForEvent", "RunComplete", "SyncRunComplete", "StepPlanned", "None",
      "DiscoveryRequest", "InvokeFunction", "DeferAdd", "stepRUN", "Bogus");

  static Orchestrator orch;
  static String runId;

  @BeforeContainer
  static void start() {
    orch = Orchestrator.inMemory();
    runId = Runs.newRunId();
    Http.post(orch.baseUrl() + "/v1/checkpoint", null,
        Runs.create(runId, "http://127.0.0.1:1", "/x", 0).toString());
  }

  @AfterContainer
  static void stop() {
    orch.close();
  }

  @Property(tries = 300)
  void createRunNeverAnswers5xx(@ForAll("junk") String body) {
    assertNo5xx("/v1/checkpoint", body);
  }

  @Property(tries = 200)
  void createRunWithJunkRequestDataNeverAnswers5xx(@ForAll("junkRequestData") String body) {
    assertNo5xx("/v1/http/runs", body);
  }

  @Property(tries = 200)
  void checkpointStepsNeverAnswers5xx(@ForAll("junk") String body) {
    assertNo5xx("/v1/checkpoint/" + runId + "/steps", body);
  }

  @Property(tries = 300)
  void eventsNeverAnswer5xx(@ForAll("events") String body) {
    assertNo5xx("/e/somekey", body);
  }

  private static void assertNo5xx(String path, String body) {
    Http.Result r = Http.post(orch.baseUrl() + path, "Bearer", body);
    assertThat(r.status()).as("%s -> %s", body, r.body()).isLessThan(500);
  }

  @Provide
  Arbitrary<String> junk() {
    return Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(80),
        json(3).map(JsonNode::toString),
        mutatedCreate().map(JsonNode::toString));
  }

  @Provide
  Arbitrary<String> events() {
    Arbitrary<JsonNode> event = Arbitraries.maps(Arbitraries.of("name", "data", "id", "ts", "v",
        "user"), leaf()).ofMaxSize(6).map(m -> {
          ObjectNode o = F.objectNode();
          m.forEach(o::set);
          return o;
        });
    return Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(80),
        json(3).map(JsonNode::toString),
        event.map(JsonNode::toString),
        event.list().ofMaxSize(4).map(l -> {
          ArrayNode a = F.arrayNode();
          l.forEach(a::add);
          return a.toString();
        }));
  }

  @Provide
  Arbitrary<String> junkRequestData() {
    Arbitrary<String> field = Arbitraries.of("method", "path", "body", "content_type",
        "query_params", "fn", "domain");
    Arbitrary<String> eventName = Arbitraries.of("inngest/http.request", "http/run.started");
    return field.flatMap(f -> eventName.flatMap(name -> leaf().map(v -> {
      ObjectNode body = Runs.create(Runs.newRunId(), "http://127.0.0.1:1", "/p", 0,
          Runs.sleep("s", "1ms"));
      ObjectNode event = (ObjectNode) body.get("event");
      event.put("name", name);
      ((ObjectNode) event.get("data")).set(f, v);
      return body.toString();
    })));
  }

  Arbitrary<JsonNode> mutatedCreate() {
    Arbitrary<String> field = Arbitraries.of("run_id", "event", "steps", "retries",
        "request_version");
    return Arbitraries.lazy(() -> field.flatMap(f -> json(2).map(v -> {
      ObjectNode body = Runs.create(Runs.newRunId(), "http://127.0.0.1:1", "/p", 1,
          Runs.stepRun("a", 1), Runs.sleep("s", "1h"));
      body.set(f, v);
      return body;
    })));
  }

  static Arbitrary<JsonNode> leaf() {
    return Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(20).map(F::textNode),
        Arbitraries.of(OPS).map(F::textNode),
        Arbitraries.of("1s", "-5m", "2026-01-01T00:00:00Z", "async.data.x == 1", "((",
            "http://127.0.0.1:1", "01J9Z3K6W8T6M0V2Q4R5S7X8Y9").map(F::textNode),
        Arbitraries.longs().map(F::numberNode),
        Arbitraries.doubles().map(F::numberNode),
        Arbitraries.of(true, false).map(F::booleanNode),
        Arbitraries.just(F.nullNode()));
  }

  static Arbitrary<JsonNode> json(int depth) {
    if (depth == 0) {
      return leaf();
    }
    Arbitrary<JsonNode> obj = Arbitraries.maps(Arbitraries.of(KEYS), Arbitraries.lazy(() ->
        json(depth - 1))).ofMaxSize(5).map(m -> {
          ObjectNode o = F.objectNode();
          m.forEach(o::set);
          return o;
        });
    Arbitrary<JsonNode> arr = Arbitraries.lazy(() -> json(depth - 1)).list().ofMaxSize(4)
        .map(l -> {
          ArrayNode a = F.arrayNode();
          l.forEach(a::add);
          return a;
        });
    return Arbitraries.oneOf(leaf(), obj, arr);
  }
}
