package dev.stephttp.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.stephttp.internal.wire.SigningKeys;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Any {@code Authorization} header on {@code POST /v1/checkpoint} and on the management API, and any
 * {@code Cookie} header on the management API, is answered 401 unless it carries the real signing
 * key (raw or hashed, docs/protocol.md §2.0) or the real session; a refused create-run leaves the
 * store as it was. The fuzzer mutates the genuine values. A coverage-guided fuzz test ({@code
 * JAZZER_FUZZ=1} fuzzes; a normal run replays {@code AuthHeaderFuzzTestInputs/}).
 *
 * <p>Corpus layout ({@link FuzzedDataProvider} takes numbers from the end): last byte the target
 * (0 checkpoint Authorization, 1 management Authorization, 2 management Cookie), then the mode (0:
 * the rest is the header value; 1: a genuine value with one character replaced, inserted or
 * deleted; 2: a genuine value with text around it), then the genuine value's index.
 */
class AuthHeaderFuzzTest {
  private static final Pattern PREFIX = Pattern.compile("^signkey-[A-Za-z0-9_]+-");
  static Orchestrator orch;
  static String session;
  static String body;
  static String hash;
  static List<String> genuine;

  @BeforeAll
  static void start() {
    orch = Orchestrator.builder().port(0).inMemoryStore().signingKey(Api.KEY)
        .rateLimits(RateLimits.off()).start();
    Http.Result login = new Api(orch, null).post("/login", "{\"signingKey\": \"" + Api.KEY + "\"}");
    Api.ok(login);
    String setCookie = login.header("Set-Cookie");
    session = setCookie.substring("inngest_api_session=".length(), setCookie.indexOf(';'));
    body = SigningKeys.normalize(Api.KEY);
    hash = SigningKeys.normalize(SigningKeys.hashedBearer(Api.KEY));
    genuine = List.of("Bearer " + Api.KEY, "Bearer " + SigningKeys.hashedBearer(Api.KEY),
        "Bearer " + body, "Bearer " + hash, "inngest_api_session=" + session,
        "a=b; inngest_api_session=" + session, "Bearer signkey-prod-" + hash);
  }

  @AfterAll
  static void stop() {
    orch.close();
  }

  static String headerValue(FuzzedDataProvider data) {
    int mode = data.consumeInt(0, 2);
    if (mode == 0) {
      return data.consumeRemainingAsString();
    }
    String g = genuine.get(data.consumeInt(0, genuine.size() - 1));
    if (mode == 1) {
      StringBuilder t = new StringBuilder(g);
      int at = data.consumeInt(0, t.length() - 1);
      switch (data.consumeInt(0, 2)) {
        case 0 -> t.setCharAt(at, data.consumeChar());
        case 1 -> t.insert(at, data.consumeChar());
        default -> t.deleteCharAt(at);
      }
      return t.toString();
    }
    return data.consumeString(64) + g + data.consumeRemainingAsString();
  }

  /** What okhttp can send: visible ASCII, space and tab (it refuses other header characters). */
  private static String sendable(String value) {
    StringBuilder out = new StringBuilder();
    value.chars().filter(c -> c == '\t' || (c >= 0x20 && c < 0x7f)).forEach(c -> out.append((char) c));
    return out.toString().trim(); // okhttp and Jetty both trim header values
  }

  @FuzzTest(maxDuration = "20s")
  void onlyTheRealKeyOrSessionIsLetIn(FuzzedDataProvider data) {
    int target = data.consumeInt(0, 2);
    String value = sendable(headerValue(data));
    Map<String, Long> before = Runs.counts(orch);

    Http.Result r;
    boolean realKey;
    boolean maybe = false;
    if (target == 0) {
      String runId = Runs.newRunId();
      r = Http.execute(new Request.Builder().url(orch.baseUrl() + "/v1/checkpoint")
          .header("Authorization", value)
          .post(RequestBody.create(Runs.create(runId, "http://127.0.0.1:1", "/auth", 0,
              Runs.complete(200, "ok")).toString(), MediaType.get("application/json")))
          .build());
      realKey = checkpointKey(value);
    } else {
      String header = target == 1 ? "Authorization" : "Cookie";
      r = Http.execute(new Request.Builder().url(orch.baseUrl() + "/api/v2/runs?limit=1")
          .header(header, value).build());
      // Cookie syntax has quoting and separators; whatever lets a session in must carry it.
      realKey = target == 1 ? managementKey(value)
          : value.equals(genuine.get(4)) || value.equals(genuine.get(5));
      maybe = target == 2 && !realKey && value.contains(session);
    }

    String what = (target == 0 ? "checkpoint " : target == 1 ? "api " : "cookie ") + "'" + value
        + "' -> " + r.status() + " " + r.body();
    if (realKey) {
      assertThat(r.status()).as(what).isEqualTo(200);
    } else if (maybe) {
      assertThat(r.status()).as(what).isIn(200, 401);
    } else {
      assertThat(r.status()).as(what).isEqualTo(401);
      assertThat(Runs.counts(orch)).as(what).isEqualTo(before);
      if (target > 0) {
        Api.error(r, 401, "unauthorized");
      }
    }
  }

  /**
   * docs/protocol.md §2.0: "bearer" in any case and one more character, then the key or the hash
   * of its hex body, each with or without a signkey-env- prefix.
   */
  private static boolean checkpointKey(String header) {
    if (header.length() <= 7 || !header.regionMatches(true, 0, "bearer", 0, 6)) {
      return false;
    }
    String token = PREFIX.matcher(header.substring(7)).replaceFirst("");
    return token.equals(body) || token.equals(hash);
  }

  /**
   * docs/management-api.md §3.2: "Bearer " in any case, then the key or its hash, surrounding
   * spaces ignored; a lower-case prefix can be followed by the key in any case (hex is not
   * case-sensitive).
   */
  private static boolean managementKey(String header) {
    if (header.length() <= 7 || !header.regionMatches(true, 0, "bearer ", 0, 7)) {
      return false;
    }
    String presented = header.substring(7).trim();
    if (!presented.toLowerCase(Locale.ROOT).startsWith("signkey-")) {
      presented = presented.toLowerCase(Locale.ROOT);
    }
    String token = PREFIX.matcher(presented).replaceFirst("");
    return token.equals(body) || token.equals(hash);
  }
}
