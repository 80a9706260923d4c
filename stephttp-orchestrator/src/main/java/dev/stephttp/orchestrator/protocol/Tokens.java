package dev.stephttp.orchestrator.protocol;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.stephttp.internal.wire.UuidV5;
import dev.stephttp.orchestrator.model.Ulids;
import java.text.ParseException;
import java.time.Clock;
import java.util.Date;
import java.util.List;
import java.util.Map;

/**
 * Run-output tokens (docs/protocol.md §3.2): HS256 JWT, issuer {@code api.inngest.com}, subject
 * {@code run-claim}, 1 hour, claims {@code Env} and {@code RunID}. Also mints and checks the
 * realtime token of §2.7 (issuer {@code rt.inngest.com}, 16 minutes, the run as {@code jti} and
 * topic channel), which subscribes to the run's realtime stream. The secret is kept in the
 * store, so tokens stay valid across restarts. Thread-safe.
 */
public final class Tokens {
  public static final String ISSUER = "api.inngest.com";
  public static final String SUBJECT = "run-claim";
  private static final long LIFETIME_SECONDS = 3600;
  private static final String REALTIME_ISSUER = "rt.inngest.com";

  private final MACSigner signer;
  private final MACVerifier verifier;
  private final Clock clock;

  public Tokens(byte[] secret, Clock clock) {
    this.clock = clock;
    try {
      signer = new MACSigner(secret);
      verifier = new MACVerifier(secret);
    } catch (JOSEException e) {
      throw new IllegalArgumentException("token secret must be at least 32 bytes", e);
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
    long now = createdAtMillis / 1000;
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .subject(SUBJECT)
        .issueTime(new Date(now * 1000))
        .expirationTime(new Date((now + LIFETIME_SECONDS) * 1000))
        .claim("Env", UuidV5.DEV_ENV.toString())
        .claim("RunID", runId)
        .build();
    return sign(claims);
  }

  /** Like {@link #mintOutputToken(String, long)}: one token per run, whenever it is asked for. */
  String mintRealtimeToken(String runId, long createdAtMillis) {
    long now = createdAtMillis / 1000;
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .issuer(REALTIME_ISSUER)
        .subject("00000000-0000-4000-a000-000000000000")
        .jwtID(runId)
        .issueTime(new Date(now * 1000))
        .expirationTime(new Date((now + 16 * 60) * 1000))
        .claim("env", UuidV5.DEV_ENV.toString())
        .claim("topics", List.of(Map.of("kind", "run", "env_id", UuidV5.DEV_ENV.toString(),
            "channel", runId, "name", "$stream")))
        .build();
    return sign(claims);
  }

  private String sign(JWTClaimsSet claims) {
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("HS256 signing failed", e);
    }
    return jwt.serialize();
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
