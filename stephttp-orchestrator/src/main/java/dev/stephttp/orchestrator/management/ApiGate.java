package dev.stephttp.orchestrator.management;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stages 2–4 of docs/management-api.md §2.5.1: the per-IP block, authentication, the environment
 * and origin checks, and rate limiting with its headers (§4.3). Also answers CORS (§3.6).
 */
final class ApiGate {
  private static final Logger LOG = LoggerFactory.getLogger(ApiGate.class);
  private static final Pattern LOOPBACK =
      Pattern.compile("^http://(localhost|127\\.0\\.0\\.1)(:\\d{1,5})?$");
  static final String EXPOSE = "X-Request-ID, X-RateLimit-Limit, X-RateLimit-Remaining,"
      + " X-RateLimit-Reset, Retry-After, ETag, Idempotent-Replayed, Deprecation, Sunset";

  private final ApiAuth auth;
  private final RateLimiter limiter;
  private final Quotas limits;
  private final Set<String> corsOrigins;

  ApiGate(ApiAuth auth, RateLimiter limiter, Quotas limits, Set<String> corsOrigins) {
    this.auth = auth;
    this.limiter = limiter;
    this.limits = limits;
    this.corsOrigins = Set.copyOf(corsOrigins);
  }

  ApiAuth auth() {
    return auth;
  }

  /** §3.6: an exact allowlist; in dev mode loopback origins too. */
  boolean corsAllowed(String origin) {
    return origin != null && (corsOrigins.contains(origin)
        || (auth.dev() && LOOPBACK.matcher(origin).matches()));
  }

  void cors(HttpServletRequest req, HttpServletResponse resp) {
    String origin = req.getHeader("Origin");
    if (corsAllowed(origin)) {
      resp.setHeader("Access-Control-Allow-Origin", origin);
      resp.setHeader("Access-Control-Allow-Credentials", "true");
      resp.setHeader("Access-Control-Expose-Headers", EXPOSE);
      resp.addHeader("Vary", "Origin");
    }
  }

  /** §3.5: same origin (scheme, host, port of the request) or on the allowlist. */
  boolean originOk(HttpServletRequest req) {
    String origin = req.getHeader("Origin");
    if (origin == null || corsAllowed(origin)) {
      return true;
    }
    int port = req.getServerPort();
    String self = req.getScheme() + "://" + req.getServerName();
    boolean defaultPort = (req.getScheme().equals("http") && port == 80)
        || (req.getScheme().equals("https") && port == 443);
    return origin.equalsIgnoreCase(self + (defaultPort ? "" : ":" + port))
        || origin.equalsIgnoreCase(self + ":" + port);
  }

  private boolean limiting() {
    return limits.enabled();
  }

  /** §4.4: refuses a blocked IP before its credentials are looked at. */
  void checkIpBlock(String ip) {
    if (limiting() && limiter.blocked("authfail", ip, limits.authFailures())) {
      throw ApiException.of("rate_limited", "Too many failed authentication attempts from this"
          + " address; retry later.");
    }
  }

  /** Charges an authentication failure to the client IP (§4.4). */
  void authFailed(String ip, String reason) {
    LOG.warn("{{\"msg\":\"auth_failed\",\"reason\":\"{}\",\"client_ip\":\"{}\"}}", reason, ip);
    if (limiting()) {
      limiter.charge("authfail", ip, limits.authFailures());
    }
  }

  /**
   * Stage 3: authenticates and checks environment and origin. On 401 the failure is charged and
   * a stale session cookie cleared.
   */
  ApiAuth.Principal authenticate(HttpServletRequest req, HttpServletResponse resp, String ip) {
    checkIpBlock(ip);
    ApiAuth.Principal p;
    try {
      p = auth.authenticate(req);
    } catch (ApiException e) {
      boolean header = req.getHeader("Authorization") != null;
      authFailed(ip, header ? "invalid_key" : ApiAuth.cookie(req) == null ? "missing"
          : "unknown_session");
      resp.setHeader("WWW-Authenticate", "Bearer realm=\"inngest\"");
      if (!header && ApiAuth.cookie(req) != null) {
        resp.addHeader("Set-Cookie", ApiAuth.sessionCookie("", 0, req.isSecure()));
      }
      throw e;
    }
    try {
      auth.checkEnvironment(req);
    } catch (ApiException e) {
      authFailed(ip, "env_mismatch");
      throw e;
    }
    if (p.mode() == ApiAuth.Mode.SESSION && req.getMethod().equals("POST") && !originOk(req)) {
      authFailed(ip, "bad_origin");
      throw ApiException.of("forbidden_origin", "Cookie-authenticated requests from this origin"
          + " are not allowed.");
    }
    return p;
  }

  /** Stage 4: checks the route's buckets and sets the rate-limit headers (§4.3). */
  void rateLimit(ApiRoute route, ApiAuth.Principal p, String ip, HttpServletResponse resp) {
    if (!limiting() || route.rate().equals("exempt")) {
      return;
    }
    List<RateLimiter.Request> buckets = new ArrayList<>();
    if (route.rate().equals("login")) {
      buckets.add(new RateLimiter.Request("login", ip, limits.logins()));
    } else {
      // Keys and sessions share the limits but not the buckets: p.bucket() names the credential.
      buckets.add(new RateLimiter.Request(route.rate(), p.bucket(),
          limits.category(route.rate())));
      if (!route.rate().equals("events")) { // §4.2: events are not charged to global
        buckets.add(new RateLimiter.Request("global", p.bucket(), limits.global()));
      }
    }
    RateLimiter.Decision d = limiter.check(buckets);
    resp.setHeader("X-RateLimit-Limit", Long.toString(d.limit()));
    resp.setHeader("X-RateLimit-Remaining", Long.toString(d.remaining()));
    resp.setHeader("X-RateLimit-Reset", Long.toString(d.resetEpochSec()));
    if (!d.allowed()) {
      resp.setHeader("Retry-After", Long.toString(d.retryAfterSec()));
      throw ApiException.of("rate_limited", "Rate limit exceeded for the '" + d.rejectedBucket()
          + "' bucket; retry in " + d.retryAfterSec() + " seconds.");
    }
  }
}
