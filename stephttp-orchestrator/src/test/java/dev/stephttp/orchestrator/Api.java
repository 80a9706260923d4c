package dev.stephttp.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;

/** Test client of the management API: real sockets via {@link Http}; envelope assertions. */
final class Api {
  static final String KEY = "signkey-test-0123456789abcdef0123456789abcdef";
  static final MediaType JSON = MediaType.parse("application/json");

  final String base;
  final String auth;

  Api(Orchestrator o, String authorization) {
    this.base = o.baseUrl() + "/api/v2";
    this.auth = authorization;
  }

  static Api bearer(Orchestrator o) {
    return new Api(o, "Bearer " + KEY);
  }

  Http.Result get(String path) {
    return get(path, b -> { });
  }

  Http.Result get(String path, Consumer<Request.Builder> extra) {
    Request.Builder b = new Request.Builder().url(base + path);
    if (auth != null) {
      b.header("Authorization", auth);
    }
    extra.accept(b);
    return Http.execute(b.build());
  }

  Http.Result post(String path, String json) {
    return post(path, json, b -> { });
  }

  Http.Result post(String path, String json, Consumer<Request.Builder> extra) {
    Request.Builder b = new Request.Builder().url(base + path)
        .post(RequestBody.create(json.getBytes(StandardCharsets.UTF_8), JSON));
    if (auth != null) {
      b.header("Authorization", auth);
    }
    extra.accept(b);
    return Http.execute(b.build());
  }

  /** 200 with the success envelope; returns {@code data}. */
  static JsonNode ok(Http.Result r) {
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    envelope(r);
    return r.json().get("data");
  }

  static void envelope(Http.Result r) {
    assertThat(r.header("Content-Type")).matches("application/json; ?charset=utf-8");
    JsonNode m = r.json().get("metadata");
    assertThat(m.get("requestId").asText()).isEqualTo(r.header("X-Request-ID"));
    assertThat(m.get("fetchedAt").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    assertThat(m.has("cachedUntil") && m.get("cachedUntil").isNull()).isTrue();
    assertThat(m.has("timeRange")).isTrue();
    securityHeaders(r);
  }

  static void securityHeaders(Http.Result r) {
    assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(r.header("X-Frame-Options")).isEqualTo("DENY");
    assertThat(r.header("Referrer-Policy")).isEqualTo("no-referrer");
    assertThat(r.header("Cross-Origin-Resource-Policy")).isEqualTo("same-origin");
    assertThat(r.header("X-XSS-Protection")).isEqualTo("0");
    assertThat(r.header("Content-Security-Policy")).contains("frame-ancestors 'none'");
    assertThat(r.header("Server")).isNull();
  }

  /** An error response with these codes in order; returns the first error. */
  static JsonNode error(Http.Result r, int status, String... codes) {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    assertThat(r.header("Content-Type")).matches("application/json; ?charset=utf-8");
    assertThat(r.header("Cache-Control")).isEqualTo("no-store");
    JsonNode errors = r.json().get("errors");
    List<String> got = new ArrayList<>();
    errors.forEach(e -> got.add(e.get("code").asText()));
    assertThat(got).containsExactly(codes);
    assertThat(r.json().get("metadata").get("requestId").asText())
        .isEqualTo(r.header("X-Request-ID"));
    securityHeaders(r);
    return errors.get(0);
  }

  /** Creates a completed one-step run through the checkpoint API. */
  static String completedRun(Orchestrator o, String domain, String path) {
    String id = Runs.newRunId();
    Http.Result c = Http.post(o.baseUrl() + "/v1/checkpoint", KEY,
        Runs.create(id, domain, path, 0, Runs.stepRun("a", 1), Runs.complete(201, "made"))
            .toString());
    assertThat(c.status()).as(c.body()).isEqualTo(200);
    return id;
  }

  /** Creates a run that sleeps for an hour after one step. */
  static String sleepingRun(Orchestrator o, String domain, String path) {
    String id = Runs.newRunId();
    Http.Result c = Http.post(o.baseUrl() + "/v1/checkpoint", KEY,
        Runs.create(id, domain, path, 0, Runs.stepRun("a", 1), Runs.sleep("nap", "1h"))
            .toString());
    assertThat(c.status()).as(c.body()).isEqualTo(200);
    return id;
  }
}
