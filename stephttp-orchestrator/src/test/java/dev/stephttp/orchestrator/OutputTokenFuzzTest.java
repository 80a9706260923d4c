package dev.stephttp.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.stephttp.orchestrator.protocol.Tokens;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import okhttp3.HttpUrl;
import okhttp3.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Any {@code token} on {@code GET /v1/http/runs/{id}/output} is answered 401, or with the output of
 * exactly the run a genuine token names — never a 5xx and never another run's output. The fuzzer
 * recombines and mutates a pool of tokens: the two genuine ones, one expired, one issued in the
 * future, one for a run that does not exist, one signed with another secret, one with another
 * issuer, one HS512 and one {@code alg: none}. A coverage-guided fuzz test ({@code JAZZER_FUZZ=1}
 * fuzzes; a normal run replays {@code OutputTokenFuzzTestInputs/}).
 *
 * <p>Corpus layout (read by {@link FuzzedDataProvider}, so the mode and pool indexes are taken
 * from the end of the input): see {@link #token(FuzzedDataProvider)}; the simplest seeds are a raw
 * token followed by the bytes {@code 00 00 00}.
 */
class OutputTokenFuzzTest {
  static Orchestrator orch;
  static String runA;
  static String runB;
  static Map<String, String> outputs;
  /** Genuine tokens first (indexes 0, 1), then the forged or stale ones. */
  static List<String> pool;

  @BeforeAll
  static void start() throws Exception {
    orch = Orchestrator.builder().port(0).inMemoryStore().signingKey(Api.KEY)
        .rateLimits(RateLimits.off()).outputMaxWait(java.time.Duration.ZERO).start();
    runA = Runs.newRunId();
    runB = Runs.newRunId();
    String tokenA = create(runA, "output of A");
    String tokenB = create(runB, "output of B");
    outputs = Map.of(runA, "output of A", runB, "output of B");
    byte[] otherSecret = new byte[32];
    new SecureRandom().nextBytes(otherSecret);
    long now = System.currentTimeMillis();
    byte[] secret = orch.store().secret("output-token");
    pool = List.of(tokenA, tokenB,
        jwt(secret, JWSAlgorithm.HS256, Tokens.ISSUER, runA, now - 2 * 3600_000L), // expired
        jwt(secret, JWSAlgorithm.HS256, Tokens.ISSUER, runA, now + 3600_000L), // from the future
        jwt(secret, JWSAlgorithm.HS256, Tokens.ISSUER, Runs.newRunId(), now), // no such run
        new Tokens(otherSecret, java.time.Clock.systemUTC()).mintOutputToken(runB), // another orchestrator's
        jwt(secret, JWSAlgorithm.HS256, "evil.example", runB, now),
        jwt(secret, JWSAlgorithm.HS512, Tokens.ISSUER, runB, now),
        unsigned(runB));
  }

  @AfterAll
  static void stop() {
    orch.close();
  }

  private static String create(String runId, String output) {
    Http.Result c = Http.post(orch.baseUrl() + "/v1/checkpoint", Api.KEY,
        Runs.create(runId, "http://127.0.0.1:1", "/out", 0, Runs.complete(200, output)).toString());
    assertThat(c.status()).as(c.body()).isEqualTo(200);
    return c.json().get("data").get("token").asText();
  }

  private static JWTClaimsSet claims(String issuer, String runId, long now) {
    return new JWTClaimsSet.Builder().issuer(issuer).subject(Tokens.SUBJECT)
        .issueTime(new Date(now)).expirationTime(new Date(now + 3600_000L))
        .claim("RunID", runId).build();
  }

  private static String jwt(byte[] secret, JWSAlgorithm alg, String issuer, String runId,
      long issuedAt) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader(alg), claims(issuer, runId, issuedAt));
    byte[] key = new byte[secret.length * 2]; // HS512 needs 64 bytes; it is refused anyway
    System.arraycopy(secret, 0, key, 0, secret.length);
    System.arraycopy(secret, 0, key, secret.length, secret.length);
    jwt.sign(new MACSigner(alg.equals(JWSAlgorithm.HS512) ? key : secret));
    return jwt.serialize();
  }

  private static String unsigned(String runId) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    return b64.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "."
        + b64.encodeToString(claims(Tokens.ISSUER, runId, System.currentTimeMillis()).toString()
            .getBytes(StandardCharsets.UTF_8)) + ".";
  }

  /**
   * Mode (last byte, 0–3): 0 the rest of the input is the token; 1 header, payload and signature
   * taken from pool tokens (three indexes); 2 a pool token with one character replaced, inserted
   * or deleted; 3 a pool token with fuzzer text around it.
   */
  static String token(FuzzedDataProvider data) {
    int mode = data.consumeInt(0, 3);
    switch (mode) {
      case 0 -> {
        return data.consumeRemainingAsString();
      }
      case 1 -> {
        String[] h = pick(data).split("\\.", -1);
        String[] p = pick(data).split("\\.", -1);
        String[] s = pick(data).split("\\.", -1);
        return h[0] + "." + p[1] + "." + s[2];
      }
      case 2 -> {
        StringBuilder t = new StringBuilder(pick(data));
        int at = data.consumeInt(0, t.length() - 1);
        switch (data.consumeInt(0, 2)) {
          case 0 -> t.setCharAt(at, data.consumeChar());
          case 1 -> t.insert(at, data.consumeChar());
          default -> t.deleteCharAt(at);
        }
        return t.toString();
      }
      default -> {
        String t = pick(data);
        return data.consumeString(64) + t + data.consumeRemainingAsString();
      }
    }
  }

  private static String pick(FuzzedDataProvider data) {
    return pool.get(data.consumeInt(0, pool.size() - 1));
  }

  @FuzzTest(maxDuration = "20s")
  void anyTokenGetsA401OrTheOutputOfTheRunItGenuinelyNames(FuzzedDataProvider data) {
    String pathRun = data.consumeBoolean() ? runA : runB;
    String token = token(data);
    Map<String, Long> before = Runs.counts(orch);

    HttpUrl url = HttpUrl.get(orch.baseUrl()).newBuilder()
        .addPathSegments("v1/http/runs").addPathSegment(pathRun).addPathSegment("output")
        .addQueryParameter("token", token).build();
    Http.Result r = Http.execute(new Request.Builder().url(url).build());

    String what = "token '" + token + "' on " + pathRun + " -> " + r.status() + " " + r.body();
    String named = genuineRun(token);
    if (pool.subList(0, 2).contains(token)) {
      assertThat(r.status()).as(what).isEqualTo(200);
    }
    if (r.status() == 200) {
      assertThat(named).as("a 200 for a token that no genuine one decodes to: %s", what)
          .isNotNull();
      assertThat(r.body()).as(what).isEqualTo(outputs.get(named));
    } else {
      assertThat(r.status()).as(what).isEqualTo(401);
      assertThat(r.body()).as(what).doesNotContain("output of");
    }
    assertThat(Runs.counts(orch)).as(what).isEqualTo(before);
  }

  /**
   * The run a token genuinely names: its three parts decode (as the JWT library decodes them,
   * ignoring characters outside base64url) to the bytes of a genuine token's parts; else null.
   * The MAC cannot be forged, so only such a token may be answered with an output.
   */
  private static String genuineRun(String token) {
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      return null;
    }
    for (int i = 0; i < 2; i++) {
      String[] g = pool.get(i).split("\\.", -1);
      boolean same = true;
      for (int k = 0; k < 3; k++) {
        same &= Arrays.equals(new Base64URL(parts[k]).decode(), new Base64URL(g[k]).decode());
      }
      if (same) {
        return i == 0 ? runA : runB;
      }
    }
    return null;
  }
}
