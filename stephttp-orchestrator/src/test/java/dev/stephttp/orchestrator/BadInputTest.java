package dev.stephttp.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stephttp.internal.wire.Json;
import dev.stephttp.internal.wire.SigningKeys;
import dev.stephttp.orchestrator.engine.Settings;
import dev.stephttp.orchestrator.protocol.Tokens;
import dev.stephttp.orchestrator.store.Reads;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Consumer;
import okhttp3.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rejected input gets the documented status and body, and leaves the store unchanged. */
class BadInputTest {
  static final String KEY = "signkey-test-12345678";
  static final String FALLBACK = "signkey-test-abcdef01";

  @TempDir Path dir;
  Orchestrator orch;
  String base;
  String existing;

  @BeforeEach
  void start() {
    orch = Orchestrator.builder().port(0).database(dir.resolve("bad.db")).signingKey(KEY)
        .signingKeyFallback(FALLBACK).eventKey("evkey").start();
    base = orch.baseUrl();
    existing = Runs.newRunId();
    Http.Result r = Http.post(base + "/v1/checkpoint", KEY, validCreate(existing).toString());
    assertThat(r.status()).isEqualTo(200);
  }

  @AfterEach
  void stop() {
    orch.close();
  }

  static ObjectNode validCreate(String runId) {
    return Runs.create(runId, "http://127.0.0.1:1", "/x", 0, Runs.stepRun("a", 1));
  }

  Map<String, Long> counts() {
    return orch.store().read(Reads::counts);
  }

  /** Sends a request and checks status/body, and that nothing was stored. */
  Http.Result rejected(Request request, int status, Consumer<Http.Result> check) {
    Map<String, Long> before = counts();
    Http.Result r = Http.execute(request);
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    check.accept(r);
    assertThat(counts()).isEqualTo(before);
    return r;
  }

  static Request post(String url, String auth, String body) {
    Request.Builder b = new Request.Builder().url(url)
        .post(okhttp3.RequestBody.create(body.getBytes(StandardCharsets.UTF_8),
            okhttp3.MediaType.parse("application/json")));
    if (auth != null) {
      b.header("Authorization", auth);
    }
    return b.build();
  }

  static Consumer<Http.Result> apiError(int status, String messageStart) {
    return r -> {
      JsonNode j = r.json();
      assertThat(j.get("status").asInt()).isEqualTo(status);
      assertThat(j.get("error").asText()).startsWith(messageStart);
      assertThat(j.has("data")).isTrue();
      assertThat(j.get("data").isNull()).isTrue();
    };
  }

  static final Consumer<Http.Result> AUTH_FAILED = r -> {
    assertThat(r.body()).isEqualTo("Authentication failed\n");
    assertThat(r.header("Content-Type")).startsWith("text/plain");
  };

  String hashed() {
    return "Bearer " + SigningKeys.hashedBearer(KEY);
  }

  @Test
  void missingOrWrongBearerIsRejected() {
    String body = validCreate(Runs.newRunId()).toString();
    rejected(post(base + "/v1/checkpoint", null, body), 401, AUTH_FAILED);
    rejected(post(base + "/v1/checkpoint", "Bearer", body), 401, AUTH_FAILED);
    rejected(post(base + "/v1/checkpoint", "Bearer signkey-test-99999999", body), 401,
        AUTH_FAILED);
    rejected(post(base + "/v1/checkpoint", "Basic " + KEY, body), 401, AUTH_FAILED);
    rejected(new Request.Builder().url(base + "/v0/runs/" + existing + "/actions").build(), 401,
        AUTH_FAILED);
  }

  @Test
  void rawHashedAndFallbackKeysAreAccepted() {
    for (String auth : new String[] {"Bearer " + KEY, hashed(), "bearer " + FALLBACK,
        "Bearer " + SigningKeys.hashedBearer(FALLBACK), "Bearer 12345678"}) {
      Http.Result r = Http.execute(post(base + "/v1/http/runs", auth,
          validCreate(Runs.newRunId()).toString()));
      assertThat(r.status()).as(auth).isEqualTo(200);
    }
  }

  @Test
  void malformedJsonIs400() {
    rejected(post(base + "/v1/checkpoint", hashed(), "{\"run_id\":"), 400,
        apiError(400, "Invalid request body"));
    rejected(post(base + "/v1/checkpoint", hashed(), ""), 400,
        apiError(400, "Invalid request body"));
    rejected(post(base + "/v1/checkpoint/" + existing + "/steps", hashed(), "[1,"), 400,
        apiError(400, "invalid request body"));
  }

  @Test
  void wrongTypesAndMissingFieldsAre400WithTheFieldNamed() {
    String id = Runs.newRunId();
    ObjectNode badOp = Json.mapper().createObjectNode().put("op", "Nope").put("id", "x");
    String[][] cases = {
        {"run_id", validCreate(id).put("run_id", 5).toString()},
        {"event.name", validCreate(id).set("event",
            Json.mapper().createObjectNode().put("name", 7)).toString()},
        {"steps", validCreate(id).put("steps", "x").toString()},
        {"op", validCreate(id).set("steps", Json.mapper().createArrayNode().add(badOp))
            .toString()},
        {"retries", validCreate(id).put("retries", "3").toString()},
        {"event.data.domain", validCreate(id).toString().replace("\"domain\"", "\"dom\"")},
        {"event: expected an object", validCreate(id).without("event").toString()},
        {"run_id: expected a ULID string but found nothing",
            validCreate(id).without("run_id").toString()},
        {"run_id: expected a ULID", validCreate(id).put("run_id", "not-a-ulid").toString()},
        {"event.data.method", validCreate(id).toString().replace("\"GET\"", "\"G E T\"")},
        {"event.data.content_type", validCreate(id).toString()
            .replace("\"content_type\":\"\"", "\"content_type\":\"a\\nb\"")},
    };
    for (String[] c : cases) {
      rejected(post(base + "/v1/checkpoint", hashed(), c[1]), 400,
          apiError(400, "Invalid request body").andThen(r ->
              assertThat(r.json().get("error").asText()).as(c[0]).contains(c[0])));
    }
    rejected(post(base + "/v1/checkpoint/" + existing + "/steps", hashed(),
        "{\"run_id\":\"" + existing + "\",\"steps\":[{\"op\":3}]}"), 400,
        apiError(400, "invalid request body: steps[0].op"));
  }

  @Test
  void existingRunIdWithAnotherTriggerIs409AndUnchanged() {
    String other = Runs.create(existing, "http://127.0.0.1:1", "/elsewhere", 0,
        Runs.stepRun("a", 1)).toString();
    rejected(post(base + "/v1/checkpoint", hashed(), other), 409,
        apiError(409, "Run already exists"));
  }

  @Test
  void oversizeBodiesAreRejectedBeforeParsing() {
    byte[] big = new byte[4 * 1024 * 1024 + 1];
    Arrays.fill(big, (byte) ' ');
    Map<String, Long> before = counts();
    Http.Result r = Http.post(base + "/v1/checkpoint", KEY, big);
    assertThat(r.status()).isEqualTo(400);
    apiError(400, "Invalid request body: larger than 4 MiB").accept(r);
    byte[] events = new byte[Settings.MAX_EVENTS_BODY + 1];
    Arrays.fill(events, (byte) ' ');
    Http.Result e = Http.post(base + "/e/evkey", null, events);
    assertThat(e.status()).isEqualTo(400);
    assertThat(e.json().get("ids")).isEmpty();
    assertThat(counts()).isEqualTo(before);
  }

  @Test
  void unknownAndInvalidRunIds() {
    String unknown = Runs.newRunId();
    rejected(new Request.Builder().url(base + "/v0/runs/" + unknown + "/actions")
        .header("Authorization", hashed()).build(), 410,
        apiError(410, "runtime state is no longer available for runID: " + unknown));
    rejected(new Request.Builder().url(base + "/v0/runs/nope/batch")
        .header("Authorization", hashed()).build(), 400,
        apiError(400, "The run ID specified is invalid"));
    // §2.2: /steps for an unknown run is logged only and answered 200 with an empty body
    rejected(post(base + "/v1/checkpoint/" + unknown + "/steps", hashed(),
        "{\"run_id\":\"" + unknown + "\",\"steps\":[" + Runs.stepRun("z", 1) + "]}"), 200,
        r -> assertThat(r.bodyBytes()).isEmpty());
  }

  @Test
  void badOutputTokensAre401() {
    Tokens other = new Tokens(new byte[32], java.time.Clock.systemUTC());
    for (String q : new String[] {"", "?token=", "?token=abc", "?token=a.b.c",
        "?token=" + other.mintOutputToken(existing)}) {
      rejected(new Request.Builder().url(base + "/v1/http/runs/" + existing + "/output" + q)
          .build(), 401, apiError(401, "Unable to find run with auth token"));
    }
  }

  @Test
  void eventsWithoutNameOrWithBadKeysAreRejected() {
    Consumer<Http.Result> badEvent = r -> {
      assertThat(r.json().get("status").asInt()).isEqualTo(400);
      assertThat(r.json().get("ids")).isEmpty();
      assertThat(r.json().get("error").asText()).isNotEmpty();
    };
    for (String body : new String[] {"{\"data\":{}}", "{\"name\":\"\"}", "[]", "3",
        "[{\"name\":\"ok\"},{\"name\":5}]", "{\"name\":\"x\",\"data\":[1]}",
        "{\"name\":\"x\",\"ts\":\"now\"}", "{"}) {
      rejected(post(base + "/e/evkey", null, body), 400, badEvent);
    }
    rejected(post(base + "/e/wrong", null, "{\"name\":\"x\"}"), 401, r -> {
      assertThat(r.json().get("error").asText()).isEqualTo("Event key not found");
      assertThat(r.json().get("message").asText()).isEmpty();
    });
    rejected(post(base + "/e/", null, "{\"name\":\"x\"}"), 401,
        r -> assertThat(r.json().get("error").asText()).isEqualTo("Event key is required"));
  }

  @Test
  void unknownRoutesAndMethods() {
    rejected(new Request.Builder().url(base + "/v1/nothing").build(), 404,
        apiError(404, "Not found"));
    rejected(new Request.Builder().url(base + "/v1/checkpoint").build(), 405,
        apiError(405, "Method GET not allowed"));
  }

  @Test
  void devModeAcceptsBareBearerAndDuplicateSlashes() {
    try (Orchestrator dev = Orchestrator.inMemory()) {
      Http.Result r = Http.execute(post(dev.baseUrl() + "//v1/checkpoint/", "Bearer",
          validCreate(Runs.newRunId()).toString()));
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      Http.Result e = Http.execute(post(dev.baseUrl() + "/e/anykey", null,
          "{\"name\":\"x\"}"));
      assertThat(e.status()).isEqualTo(200);
    }
  }

  @Test
  void eventsAre503WhenKeysAreRequiredButNoneAreConfigured() {
    try (Orchestrator noKeys = Orchestrator.builder().port(0).inMemoryStore().signingKey(KEY)
        .start()) {
      Http.Result r = Http.execute(post(noKeys.baseUrl() + "/e/any", null, "{\"name\":\"x\"}"));
      assertThat(r.status()).isEqualTo(503);
      assertThat(r.json().get("error").asText())
          .isEqualTo("Event keys are required to process events securely");
    }
  }
}
