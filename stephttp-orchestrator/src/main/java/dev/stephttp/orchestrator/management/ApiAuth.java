package dev.stephttp.orchestrator.management;

import dev.stephttp.internal.wire.SigningKeys;
import dev.stephttp.orchestrator.engine.Settings;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Authentication of the management API (docs/management-api.md §3): Bearer signing keys in every
 * accepted form, dashboard sessions (server-side, only SHA-256 of the token kept, 12 h absolute,
 * at most 1,000) and the {@code X-Inngest-Env} check. Thread-safe. Never logs keys or tokens.
 */
public final class ApiAuth {
  static final String COOKIE = "inngest_api_session";
  public static final long SESSION_MS = 12L * 3600 * 1000;
  private static final int MAX_SESSIONS = 1000;

  /** How a request was authenticated. */
  enum Mode { DEV, SIGNING_KEY, SESSION }

  /** An authenticated caller; {@code bucket} keys its rate-limit buckets. */
  record Principal(Mode mode, String bucket, long expiresAt) {}

  private record Session(long expiresAt, String keyId) {}

  private final Settings settings;
  private final Clock clock;
  private final String environment;
  private final SecureRandom random = new SecureRandom();
  private final LinkedHashMap<String, Session> sessions = new LinkedHashMap<>();

  ApiAuth(Settings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
    String prefix = settings.hasSigningKey() ? SigningKeys.prefix(settings.signingKey()) : "";
    // §3.4: the environment is the <env> part of signkey-<env>-…; "dev" in dev mode
    this.environment = settings.dev() || prefix.isEmpty() ? "dev"
        : prefix.substring("signkey-".length(), prefix.length() - 1).toLowerCase(Locale.ROOT);
  }

  boolean dev() {
    return settings.dev();
  }

  String environment() {
    return environment;
  }

  /** Which configured key a presented key matches ("primary", "fallback"), or null. */
  String matchKey(String presented) {
    if (presented == null || presented.isEmpty()) {
      return null;
    }
    String token = presented.trim().toLowerCase(Locale.ROOT).startsWith("signkey-")
        ? presented.trim() : presented.trim().toLowerCase(Locale.ROOT);
    if (settings.hasSigningKey() && SigningKeys.bearerMatches(token, settings.signingKey())) {
      return "primary";
    }
    String fb = settings.signingKeyFallback();
    if (fb != null && !fb.isEmpty() && SigningKeys.bearerMatches(token, fb)) {
      return "fallback";
    }
    return null;
  }

  /**
   * Authenticates a request to a key/session route (§3.2, §3.3): the Authorization header alone
   * decides when present; otherwise the session cookie.
   *
   * @throws ApiException {@code unauthorized} with a reason code in its message field
   */
  Principal authenticate(HttpServletRequest req) {
    if (settings.dev()) {
      return new Principal(Mode.DEV, "dev", 0);
    }
    String header = req.getHeader("Authorization");
    if (header != null) {
      String token = SigningKeys.bearerHeaderValue(header);
      if (token == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
        throw unauthorized(false);
      }
      String key = matchKey(token);
      if (key == null) {
        throw unauthorized(false);
      }
      return new Principal(Mode.SIGNING_KEY, "key:" + key, 0);
    }
    String cookie = cookie(req);
    if (cookie == null) {
      throw unauthorized(true);
    }
    Session s = session(cookie);
    if (s == null) {
      throw ApiException.of("unauthorized", "The signing key or session is not valid.");
    }
    return new Principal(Mode.SESSION, "session:" + hash(cookie), s.expiresAt());
  }

  private static ApiException unauthorized(boolean missing) {
    return ApiException.of("unauthorized", missing ? "No credentials were provided."
        : "The signing key or session is not valid.");
  }

  /**
   * The session token from the request's {@code Cookie} headers, or null. Read from the raw
   * headers, not {@code getCookies()}: Jetty 12 reuses the previous request's parsed cookies on a
   * keep-alive connection when the new header differs only in letter case, which let a
   * case-altered token in after a genuine one and kept the genuine one out after an altered one.
   * Pairs are split on {@code ;}; a value may be wrapped in double quotes (RFC 6265 §4.1.1); a
   * malformed pair carries no session.
   */
  static String cookie(HttpServletRequest req) {
    Enumeration<String> headers = req.getHeaders("Cookie");
    while (headers != null && headers.hasMoreElements()) {
      for (String pair : headers.nextElement().split(";")) {
        int eq = pair.indexOf('=');
        if (eq < 0 || !pair.substring(0, eq).trim().equals(COOKIE)) {
          continue;
        }
        String value = pair.substring(eq + 1).trim();
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
          value = value.substring(1, value.length() - 1);
        }
        if (!value.isEmpty()) {
          return value;
        }
      }
    }
    return null;
  }

  /** §3.4: an X-Inngest-Env header must name this server's environment. */
  void checkEnvironment(HttpServletRequest req) {
    String env = req.getHeader("X-Inngest-Env");
    if (!settings.dev() && env != null && !env.trim().equalsIgnoreCase(environment)) {
      throw ApiException.of("environment_access_denied", "This server serves environment '"
          + environment + "'; the request asked for another one.");
    }
  }

  /** Creates a session for a key that matched; returns the token (only its hash is kept). */
  synchronized String[] login(String keyId) {
    byte[] raw = new byte[32];
    random.nextBytes(raw);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    long expires = clock.millis() + SESSION_MS;
    purge();
    while (sessions.size() >= MAX_SESSIONS) {
      Iterator<String> it = sessions.keySet().iterator();
      it.next();
      it.remove(); // the oldest login goes first
    }
    sessions.put(hash(token), new Session(expires, keyId));
    return new String[] {token, Long.toString(expires)};
  }

  synchronized void logout(String token) {
    if (token != null) {
      sessions.remove(hash(token));
    }
  }

  private synchronized Session session(String token) {
    Session s = sessions.get(hash(token));
    if (s == null) {
      return null;
    }
    if (s.expiresAt() <= clock.millis()) {
      sessions.remove(hash(token));
      return null;
    }
    return s;
  }

  private void purge() {
    long now = clock.millis();
    sessions.entrySet().removeIf(e -> e.getValue().expiresAt() <= now);
  }

  synchronized int sessionCount() {
    return sessions.size();
  }

  static String hash(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Map of session hashes (tests). */
  synchronized Map<String, Long> sessionExpiries() {
    Map<String, Long> out = new LinkedHashMap<>();
    sessions.forEach((k, v) -> out.put(k, v.expiresAt()));
    return out;
  }

  /** The session cookie's {@code Set-Cookie} value; an empty token with age 0 clears it. */
  static String sessionCookie(String token, long maxAgeSec, boolean secure) {
    return COOKIE + "=" + token + "; Path=/api/v2; HttpOnly; SameSite=Strict; Max-Age="
        + maxAgeSec + (secure ? "; Secure" : "");
  }
}
