package dev.stephttp.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stephttp.internal.wire.SigningKeys;
import dev.stephttp.orchestrator.management.ApiAuth;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Cross-cutting rules over real sockets: auth (§3), request IDs (§5.1), HTTP mechanics (§6),
 * CORS (§3.6), health and readiness (§8.1, §8.2), rate limits with an injectable clock (§4).
 */
@Timeout(60)
class ManagementHttpTest {
  static final AtomicLong CLOCK = new AtomicLong(1_800_000_000_000L);
  static Orchestrator orch;
  static Orchestrator limited;
  static Orchestrator dev;

  @BeforeAll
  static void start() {
    orch = Orchestrator.builder().port(0).inMemoryStore().signingKey(Api.KEY)
        .rateLimits(RateLimits.off()).corsOrigin("https://ops.example.com").clock(new ManualClock(CLOCK)).start();
    limited = Orchestrator.builder().port(0).inMemoryStore().signingKey(Api.KEY)
        .rateLimits(RateLimitsTest.uniform(3600, 3)).clock(new ManualClock(CLOCK)).start();
    dev = Orchestrator.builder().port(0).inMemoryStore().dev(true).start();
  }

  @AfterAll
  static void stop() {
    orch.close();
    limited.close();
    dev.close();
  }

  static Api as(Orchestrator o, String authorization) {
    return new Api(o, authorization);
  }

  @Test
  void everyAcceptedKeyFormPassesAndOthersGet401() {
    String hashed = SigningKeys.hashedBearer(Api.KEY);
    for (String key : new String[] {Api.KEY, SigningKeys.normalize(Api.KEY), hashed,
        SigningKeys.normalize(hashed)}) {
      Api.ok(as(orch, "Bearer " + key).get("/runs"));
    }
    Api.ok(as(orch, "bearer " + Api.KEY).get("/apps"));
    Http.Result none = as(orch, null).get("/runs");
    Api.error(none, 401, "unauthorized");
    assertThat(none.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"inngest\"");
    assertThat(none.json().get("errors").get(0).get("message").asText())
        .isEqualTo("No credentials were provided.");
    Api.error(as(orch, "Bearer signkey-test-00").get("/runs"), 401, "unauthorized");
    Api.error(as(orch, "Basic abc").get("/runs"), 401, "unauthorized");
    // public routes need nothing
    assertThat(Api.ok(as(orch, null).get("/health")).get("status").asText()).isEqualTo("ok");
  }

  @Test
  void environmentHeaderMustMatch() {
    Api api = Api.bearer(orch);
    Api.ok(api.get("/runs", b -> b.header("X-Inngest-Env", " TEST ")));
    Api.error(api.get("/runs", b -> b.header("X-Inngest-Env", "prod")), 403,
        "environment_access_denied");
  }

  @Test
  void cookieLoginLogoutAndExpiry() {
    Api anon = as(orch, null);
    Api.error(anon.post("/login", "{}"), 400, "signing_key_required");
    Api.error(anon.post("/login", "{\"signingKey\": 5}"), 400, "invalid_field_type");
    Api.error(anon.post("/login", "{\"signingKey\": \"signkey-test-ff\"}"), 401, "unauthorized");
    Api.error(anon.post("/login", "{\"signingKey\": \"" + Api.KEY + "\"}",
        b -> b.header("Origin", "https://evil.example")), 403, "forbidden_origin");
    Http.Result login = anon.post("/login", "{\"signingKey\": \"" + Api.KEY + "\"}");
    JsonNode data = Api.ok(login);
    assertThat(data.get("authMode").asText()).isEqualTo("SESSION");
    String setCookie = login.header("Set-Cookie");
    assertThat(setCookie).startsWith("inngest_api_session=").contains("HttpOnly")
        .contains("SameSite=Strict").contains("Path=/api/v2").contains("Max-Age=43200");
    assertThat(login.header("Cache-Control")).isEqualTo("no-store");
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));
    Api.ok(anon.get("/runs", b -> b.header("Cookie", cookie)));
    // a bad Authorization header decides even with a valid cookie
    Api.error(as(orch, "Bearer nope").get("/runs", b -> b.header("Cookie", cookie)), 401,
        "unauthorized");
    // cookie POSTs from a foreign origin are refused
    Api.error(anon.post("/runs/" + Runs.newRunId() + "/cancel", "",
        b -> b.header("Cookie", cookie).header("Origin", "https://evil.example")), 403,
        "forbidden_origin");
    CLOCK.addAndGet(ApiAuth.SESSION_MS + 1); // expired (absolute lifetime)
    Http.Result expired = anon.get("/runs", b -> b.header("Cookie", cookie));
    Api.error(expired, 401, "unauthorized");
    assertThat(expired.header("Set-Cookie")).contains("Max-Age=0");
    Http.Result logout = anon.post("/logout", "not json", b -> b.header("Cookie", cookie));
    assertThat(logout.status()).isEqualTo(204);
    assertThat(logout.header("Set-Cookie")).contains("Max-Age=0").contains("HttpOnly");
  }

  @Test
  void logoutEndsTheSession() {
    Api anon = as(orch, null);
    String setCookie = anon.post("/login", "{\"signingKey\": \"" + Api.KEY + "\"}")
        .header("Set-Cookie");
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));
    Api.ok(anon.get("/apps", b -> b.header("Cookie", cookie)));
    assertThat(anon.post("/logout", "", b -> b.header("Cookie", cookie)).status()).isEqualTo(204);
    Api.error(anon.get("/apps", b -> b.header("Cookie", cookie)), 401, "unauthorized");
  }

  @Test
  void devModeNeedsNoCredentials() {
    Api anon = as(dev, "Bearer whatever");
    Api.ok(anon.get("/runs"));
    JsonNode login = Api.ok(anon.post("/login", ""));
    assertThat(login.get("authMode").asText()).isEqualTo("DEV");
    assertThat(login.get("expiresAt").isNull()).isTrue();
    // dev mode: CORS allows loopback origins
    Http.Result r = anon.get("/runs", b -> b.header("Origin", "http://localhost:5173"));
    assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo("http://localhost:5173");
  }

  @Test
  void requestIdsAreEchoedOrGenerated() {
    Api api = Api.bearer(orch);
    Http.Result given = api.get("/runs", b -> b.header("X-Request-ID", "abc-123.x"));
    assertThat(given.header("X-Request-ID")).isEqualTo("abc-123.x");
    Api.ok(given);
    Http.Result bad = api.get("/runs", b -> b.header("X-Request-ID", "has space"));
    assertThat(bad.header("X-Request-ID")).matches("[0-9a-f-]{36}");
  }

  @Test
  void httpMechanicsAnswerInTheErrorFormat() {
    Api api = Api.bearer(orch);
    Api.error(api.get("/nope"), 404, "route_not_found");
    Api.error(api.get("/runs/"), 404, "route_not_found");
    Api.error(api.get("/partner/accounts"), 404, "route_not_found");
    Http.Result del = Http.execute(new Request.Builder()
        .url(orch.baseUrl() + "/api/v2/runs/" + Runs.newRunId()).delete()
        .header("Authorization", "Bearer " + Api.KEY).build());
    Api.error(del, 405, "method_not_allowed");
    assertThat(del.header("Allow")).isEqualTo("GET, HEAD, OPTIONS");
    Api.error(api.get("/runs", b -> b.header("Accept", "text/html")), 406, "not_acceptable");
    Api.ok(api.get("/runs", b -> b.header("Accept", "text/html, */*;q=0.1")));
    Http.Result text = Http.execute(new Request.Builder().url(orch.baseUrl() + "/api/v2/events")
        .header("Authorization", "Bearer " + Api.KEY)
        .post(RequestBody.create("x=1", okhttp3.MediaType.parse("text/plain"))).build());
    Api.error(text, 415, "unsupported_media_type");
    Api.error(api.post("/events", "[1]"), 400, "invalid_json");
    Api.error(api.post("/events", "{"), 400, "invalid_json");
    Api.error(api.post("/events", "x".repeat(600 * 1024)), 413, "payload_too_large");
    Http.Result getBody = Http.execute(new Request.Builder().url(orch.baseUrl() + "/api/v2/runs")
        .header("Authorization", "Bearer " + Api.KEY)
        .method("GET", null).header("Content-Length", "0").build());
    Api.ok(getBody);
    Api.error(api.get("/runs?x=" + "a".repeat(9000)), 414, "uri_too_long");
    Http.Result options = Http.execute(new Request.Builder()
        .url(orch.baseUrl() + "/api/v2/runs").method("OPTIONS", null).build());
    assertThat(options.status()).isEqualTo(204);
    assertThat(options.header("Allow")).isEqualTo("GET, HEAD, OPTIONS");
    Http.Result head = Http.execute(new Request.Builder().url(orch.baseUrl() + "/api/v2/runs")
        .head().header("Authorization", "Bearer " + Api.KEY).build());
    assertThat(head.status()).isEqualTo(200);
    assertThat(head.bodyBytes()).isEmpty();
    // the /v2 alias serves the same router
    Api.ok(Http.execute(new Request.Builder().url(orch.baseUrl() + "/v2/health").build()));
  }

  @Test
  void corsAllowsOnlyConfiguredOrigins() {
    Http.Result pre = Http.execute(new Request.Builder().url(orch.baseUrl() + "/api/v2/runs")
        .method("OPTIONS", null).header("Origin", "https://ops.example.com")
        .header("Access-Control-Request-Method", "GET").build());
    assertThat(pre.status()).isEqualTo(204);
    assertThat(pre.header("Access-Control-Allow-Origin")).isEqualTo("https://ops.example.com");
    assertThat(pre.header("Access-Control-Allow-Credentials")).isEqualTo("true");
    assertThat(pre.header("Access-Control-Allow-Methods")).isEqualTo("GET, HEAD, POST, OPTIONS");
    assertThat(pre.header("Access-Control-Max-Age")).isEqualTo("7200");
    Http.Result foreign = Http.execute(new Request.Builder().url(orch.baseUrl() + "/api/v2/runs")
        .method("OPTIONS", null).header("Origin", "https://evil.example")
        .header("Access-Control-Request-Method", "GET").build());
    assertThat(foreign.status()).isEqualTo(204);
    assertThat(foreign.header("Access-Control-Allow-Origin")).isNull();
    Http.Result get = Api.bearer(orch).get("/runs", b -> b.header("Origin",
        "https://ops.example.com"));
    assertThat(get.header("Access-Control-Expose-Headers")).contains("X-Request-ID");
    assertThat(get.header("Vary")).contains("Origin");
    Http.Result unknown = Http.execute(new Request.Builder().url(orch.baseUrl() + "/api/v2/x")
        .method("OPTIONS", null).header("Origin", "https://ops.example.com")
        .header("Access-Control-Request-Method", "GET").build());
    assertThat(unknown.status()).isEqualTo(404);
  }

  @Test
  void healthAndReadiness() {
    Api anon = as(orch, null);
    Http.Result health = anon.get("/health");
    assertThat(Api.ok(health).get("status").asText()).isEqualTo("ok");
    assertThat(health.header("X-RateLimit-Limit")).isNull();
    Runs.await("the scheduler ticked", java.time.Duration.ofSeconds(10),
        () -> orch.scheduler().millisSinceTick() >= 0);
    JsonNode ready = Api.ok(anon.get("/ready"));
    assertThat(ready.get("status").asText()).isEqualTo("ready");
    assertThat(ready.get("checks")).hasSize(3);
    assertThat(ready.get("checks").get(0).get("name").asText()).isEqualTo("storage");
    Api.error(anon.post("/health", "{}"), 405, "method_not_allowed");
  }

  @Test
  void rateLimitHeadersDecreaseThenA429WithRetryAfter() {
    Api api = Api.bearer(limited);
    long last = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) { // burst b = 3: b + 1 requests pass at once
      Http.Result r = api.get("/apps");
      Api.ok(r);
      long remaining = Long.parseLong(r.header("X-RateLimit-Remaining"));
      assertThat(remaining).isLessThan(last);
      assertThat(r.header("X-RateLimit-Limit")).isEqualTo("3600");
      assertThat(Long.parseLong(r.header("X-RateLimit-Reset"))).isGreaterThan(0);
      last = remaining;
    }
    Http.Result limitedResponse = api.get("/apps");
    Api.error(limitedResponse, 429, "rate_limited");
    assertThat(Long.parseLong(limitedResponse.header("Retry-After"))).isGreaterThanOrEqualTo(1);
    assertThat(limitedResponse.header("X-RateLimit-Remaining")).isEqualTo("0");
    // exempt routes are never limited
    Api.ok(api.get("/health"));
    CLOCK.addAndGet(2_000); // 1 request per second refills: one more passes
    Api.ok(api.get("/apps"));
  }

  @Test
  void repeatedAuthFailuresBlockTheClientIp() {
    Api wrong = as(limited, "Bearer signkey-test-badbad");
    for (int i = 0; i < 4; i++) {
      Api.error(wrong.get("/runs"), 401, "unauthorized");
    }
    Api.error(wrong.get("/runs"), 429, "rate_limited");
    // blocked before credentials are looked at: even the right key is refused now
    Api.error(Api.bearer(limited).get("/events"), 429, "rate_limited");
    CLOCK.addAndGet(10_000);
  }

  /**
   * The session comes from the raw Cookie header: on one keep-alive connection, a token that
   * differs from the genuine one only in letter case is refused right after the genuine one was
   * accepted, and the genuine one is accepted right after the altered one (Jetty's per-connection
   * cookie cache compares headers ignoring case and answered 200 and 401 here).
   */
  @Test
  void aCaseAlteredSessionOnAKeptAliveConnectionIsRefused() throws Exception {
    Http.Result login = as(orch, null).post("/login", "{\"signingKey\": \"" + Api.KEY + "\"}");
    Api.ok(login);
    String setCookie = login.header("Set-Cookie");
    String token = setCookie.substring("inngest_api_session=".length(), setCookie.indexOf(';'));
    int letter = 0;
    while (!Character.isLetter(token.charAt(letter))) {
      letter++;
    }
    char c = token.charAt(letter);
    String altered = token.substring(0, letter)
        + (Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c))
        + token.substring(letter + 1);
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", orch.port())) {
      socket.setSoTimeout(10_000);
      var in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
          java.nio.charset.StandardCharsets.ISO_8859_1));
      java.util.function.Function<String, Integer> get = cookie -> {
        try {
          socket.getOutputStream().write(("GET /api/v2/runs?limit=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              + "Cookie: " + cookie + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
          int status = Integer.parseInt(in.readLine().split(" ")[1]);
          int length = -1;
          for (String line = in.readLine(); !line.isEmpty(); line = in.readLine()) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
              length = Integer.parseInt(line.substring(15).trim());
            }
          }
          if (length >= 0) {
            char[] body = new char[length];
            for (int read = 0; read < length; ) {
              read += in.read(body, read, length - read);
            }
          } else { // chunked
            for (int n = Integer.parseInt(in.readLine().trim(), 16); n > 0;
                n = Integer.parseInt(in.readLine().trim(), 16)) {
              char[] chunk = new char[n];
              for (int read = 0; read < n; ) {
                read += in.read(chunk, read, n - read);
              }
              in.readLine();
            }
            in.readLine();
          }
          return status;
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      };
      assertThat(get.apply("inngest_api_session=" + token)).isEqualTo(200);
      assertThat(get.apply("inngest_api_session=" + altered)).isEqualTo(401);
      assertThat(get.apply("inngest_api_session=" + token)).isEqualTo(200);
      assertThat(get.apply("a=\"b; inngest_api_session=" + altered)).isEqualTo(401);
      assertThat(get.apply("theme=dark; inngest_api_session=\"" + token + "\"")).isEqualTo(200);
    }
  }
}
