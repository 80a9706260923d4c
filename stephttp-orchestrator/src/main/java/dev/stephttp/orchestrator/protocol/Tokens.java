package dev.stephttp.orchestrator.protocol;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.stephttp.internal.wire.UuidV5;
import dev.stephttp.orchestrator.model.Ulids;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.text.ParseException;
import java.time.Clock;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Run-output tokens (docs/protocol.md §3.2): HS256 JWT, issuer {@code api.inngest.com}, subject
 * {@code run-claim}, 1 hour, claims {@code Env} and {@code RunID}. Also mints and checks the
 * realtime token of §2.7 (issuer {@code rt.inngest.com}, 16 minutes, the run as {@code jti} and
 * topic channel), which subscribes to the run's realtime stream. The secret is kept in the
 * store, so tokens stay valid across restarts. Tokens are written directly (fixed claims, one
 * HMAC each) and read back with a JWT parser. Thread-safe.
 */
public final class Tokens {
  public static final String ISSUER = "api.inngest.com";
  public static final String SUBJECT = "run-claim";
  private static final long LIFETIME_SECONDS = 3600;
  private static final String REALTIME_ISSUER = "rt.inngest.com";

  private static final String HMAC = "HmacSHA256";
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  /** The JOSE header of every token: {@code {"alg":"HS256"}}. */
  private static final String HEADER = B64.encodeToString(
      "{\"alg\":\"HS256\"}".getBytes(StandardCharsets.US_ASCII));
  private static final String ENV = UuidV5.DEV_ENV.toString();

  private final SecretKeySpec key;
  /** One MAC per thread: a MAC is not thread-safe, and creating one costs more than using it. */
  private final ThreadLocal<Mac> macs;
  private final MACVerifier verifier;
  private final Clock clock;

  public Tokens(byte[] secret, Clock clock) {
    this.clock = clock;
    if (secret.length < 32) {
      throw new IllegalArgumentException("token secret must be at least 32 bytes");
    }
    key = new SecretKeySpec(secret, HMAC);
    macs = ThreadLocal.withInitial(this::newMac);
    try {
      verifier = new MACVerifier(secret);
    } catch (JOSEException e) {
      throw new IllegalArgumentException("token secret must be at least 32 bytes", e);
    }
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(key);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HS256 is not available", e);
    }
  }

  public String mintOutputToken(String runId) {
    return mintOutputToken(runId, clock.millis());
  }

  /**
   * The output token of a run created at {@code createdAtMillis}: the same run always gets the
   * same token, so a retried create-run answers exactly what the first attempt did (§3.2: valid
   * for one hour from run creation).
   */
  public String mintOutputToken(String runId, long createdAtMillis) {
    long iat = createdAtMillis / 1000;
    return sign("{\"iss\":\"" + ISSUER + "\",\"sub\":\"" + SUBJECT + "\",\"iat\":" + iat
        + ",\"exp\":" + (iat + LIFETIME_SECONDS) + ",\"Env\":\"" + ENV + "\",\"RunID\":"
        + quote(runId) + "}");
  }

  /** Like {@link #mintOutputToken(String, long)}: one token per run, whenever it is asked for. */
  String mintRealtimeToken(String runId, long createdAtMillis) {
    long iat = createdAtMillis / 1000;
    String id = quote(runId);
    return sign("{\"iss\":\"" + REALTIME_ISSUER
        + "\",\"sub\":\"00000000-0000-4000-a000-000000000000\",\"jti\":" + id + ",\"iat\":"
        + iat + ",\"exp\":" + (iat + 16 * 60) + ",\"env\":\"" + ENV
        + "\",\"topics\":[{\"kind\":\"run\",\"env_id\":\"" + ENV + "\",\"channel\":" + id
        + ",\"name\":\"$stream\"}]}");
  }

  private static String quote(String s) {
    return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
  }

  /** An HS256 JWS in compact form over the claims (JSON text). */
  private String sign(String claims) {
    String input = HEADER + "." + B64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
    byte[] mac = macs.get().doFinal(input.getBytes(StandardCharsets.US_ASCII));
    return input + "." + B64.encodeToString(mac);
  }

  /**
   * The run ID a valid realtime token subscribes to (§2.7), or null for any invalid or expired
   * token, or an output token.
   */
  String verifyRealtimeToken(String token) {
    JWTClaimsSet c = verified(token);
    if (c == null || !REALTIME_ISSUER.equals(c.getIssuer())) {
      return null;
    }
    String runId = c.getJWTID();
    return runId != null && Ulids.isValid(runId) ? runId : null;
  }

  /** The claims of an HS256 token this orchestrator signed, unexpired and not issued in the future; else null. */
  private JWTClaimsSet verified(String token) {
    if (token == null || token.isEmpty() || token.length() > 4096) {
      return null;
    }
    try {
      SignedJWT jwt = SignedJWT.parse(token);
      if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(verifier)) {
        return null;
      }
      JWTClaimsSet c = jwt.getJWTClaimsSet();
      long nowMs = clock.millis();
      if (c.getExpirationTime() == null || c.getExpirationTime().getTime() < nowMs
          || (c.getIssueTime() != null && c.getIssueTime().getTime() > nowMs + 300_000)) {
        return null;
      }
      return c;
    } catch (ParseException | JOSEException | RuntimeException e) {
      return null;
    }
  }

  /** The run ID bound to a valid output token, or null for any invalid/expired token. */
  String verifyOutputToken(String token) {
    JWTClaimsSet c = verified(token);
    if (c == null || !ISSUER.equals(c.getIssuer()) || !SUBJECT.equals(c.getSubject())) {
      return null;
    }
    Object runId = c.getClaim("RunID");
    return runId instanceof String s && Ulids.isValid(s) ? s : null;
  }

}
