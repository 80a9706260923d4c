package dev.stephttp.orchestrator.protocol;

import dev.stephttp.internal.wire.SigningKeys;
import dev.stephttp.orchestrator.engine.Settings;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Bearer auth of client→orchestrator calls (docs/protocol.md §2.0) and event keys (§10.1). */
public final class Auth {
  private final Settings settings;

  public Auth(Settings settings) {
    this.settings = settings;
  }

  /** Dev mode accepts anything; otherwise the raw or hashed primary/fallback key. */
  boolean apiAllowed(String authorization) {
    if (settings.dev()) {
      return true;
    }
    String token = SigningKeys.bearerHeaderValue(authorization);
    if (token == null) {
      return false;
    }
    boolean ok = SigningKeys.bearerMatches(token, settings.signingKey());
    String fallback = settings.signingKeyFallback();
    if (fallback != null && !fallback.isEmpty()) {
      ok |= SigningKeys.bearerMatches(token, fallback);
    }
    return ok;
  }

  /** Null when the event key is accepted, else {status, error message} (§10.1). */
  Object[] eventKeyProblem(String key) {
    if (key == null || key.isEmpty()) {
      return new Object[] {401, "Event key is required"};
    }
    if (settings.eventKeys().isEmpty()) {
      return settings.dev() ? null
          : new Object[] {503, "Event keys are required to process events securely"};
    }
    byte[] presented = key.getBytes(StandardCharsets.UTF_8);
    boolean found = false;
    for (String k : settings.eventKeys()) {
      found |= MessageDigest.isEqual(presented, k.getBytes(StandardCharsets.UTF_8));
    }
    return found ? null : new Object[] {401, "Event key not found"};
  }
}
