package dev.stephttp.internal;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The resolved client configuration: where the orchestrator is, the keys, and the tuning of the
 * checkpoint pipeline. Resolution (README "Configuration"): explicit values first, then the environment
 * ({@code INNGEST_*}, docs/protocol.md §11), then defaults. Immutable; {@code toString()} hides keys.
 */
public record ClientSettings(
    String baseUrl,
    String eventBaseUrl,
    String signingKey,
    String signingKeyFallback,
    String eventKey,
    String env,
    boolean dev,
    int apiAttempts,
    Duration apiRetryDelay,
    Duration apiTimeout,
    int checkpointThreads,
    int checkpointQueueCapacity) {

  /** Dev-mode orchestrator address (the Go client's default, docs/protocol.md §11). */
  public static final String DEV_BASE_URL = "http://127.0.0.1:8288";
  /** Inngest Cloud's API address. */
  public static final String CLOUD_BASE_URL = "https://api.inngest.com";
  /** Inngest Cloud's event API address. */
  public static final String CLOUD_EVENT_URL = "https://inn.gs";

  /** Validates the values. */
  public ClientSettings {
    Objects.requireNonNull(baseUrl, "baseUrl == null");
    Objects.requireNonNull(eventBaseUrl, "eventBaseUrl == null");
    baseUrl = stripTrailingSlash(validUrl("baseUrl", baseUrl));
    eventBaseUrl = stripTrailingSlash(validUrl("eventBaseUrl", eventBaseUrl));
    if (!dev && (signingKey == null || signingKey.isBlank())) {
      throw new IllegalStateException(
          "a signing key is required outside dev mode: set INNGEST_SIGNING_KEY (or the signingKey"
              + " setting), or enable dev mode with INNGEST_DEV=1 (or the dev setting)");
    }
    if (apiAttempts < 1) {
      throw new IllegalArgumentException("apiAttempts must be at least 1, was " + apiAttempts);
    }
    if (checkpointThreads < 1) {
      throw new IllegalArgumentException("checkpointThreads must be at least 1, was " + checkpointThreads);
    }
    if (checkpointQueueCapacity < 1) {
      throw new IllegalArgumentException("checkpointQueueCapacity must be at least 1, was " + checkpointQueueCapacity);
    }
  }

  /** Explicit settings; null means "not set, use the environment or the default". */
  public record Overrides(
      String baseUrl,
      String eventBaseUrl,
      String signingKey,
      String signingKeyFallback,
      String eventKey,
      Boolean dev) {
    /** Nothing set explicitly. */
    public static final Overrides NONE = new Overrides(null, null, null, null, null, null);
  }

  /** Resolves explicit settings against the given environment variables. */
  public static ClientSettings resolve(Overrides o, Map<String, String> environment) {
    Objects.requireNonNull(o, "overrides == null");
    Map<String, String> envVars = Objects.requireNonNull(environment, "environment == null");
    String inngestDev = blankToNull(envVars.get("INNGEST_DEV"));
    String devUrl = inngestDev != null && looksLikeUrl(inngestDev) ? inngestDev : null;
    boolean dev;
    if (o.dev() != null) {
      dev = o.dev();
    } else if (inngestDev == null) {
      dev = false;
    } else {
      String v = inngestDev.toLowerCase(Locale.ROOT);
      dev = !(v.equals("0") || v.equals("false"));
    }
    String defaultBase = dev ? (devUrl != null ? devUrl : DEV_BASE_URL) : CLOUD_BASE_URL;
    String baseUrl = first(o.baseUrl(), envVars.get("INNGEST_API_BASE_URL"), envVars.get("INNGEST_BASE_URL"), devUrl, defaultBase);
    String defaultEvents = dev ? (devUrl != null ? devUrl : DEV_BASE_URL) : CLOUD_EVENT_URL;
    String eventBaseUrl = first(o.eventBaseUrl(), envVars.get("INNGEST_EVENT_API_BASE_URL"), o.baseUrl(),
        envVars.get("INNGEST_BASE_URL"), devUrl, defaultEvents);
    return new ClientSettings(
        baseUrl,
        eventBaseUrl,
        first(o.signingKey(), envVars.get("INNGEST_SIGNING_KEY")),
        first(o.signingKeyFallback(), envVars.get("INNGEST_SIGNING_KEY_FALLBACK")),
        first(o.eventKey(), envVars.get("INNGEST_EVENT_KEY"), dev ? "NO_EVENT_KEY_SET" : null),
        blankToNull(envVars.get("INNGEST_ENV")),
        dev,
        5,
        Duration.ofMillis(100),
        Duration.ofSeconds(30),
        32,
        10_000);
  }

  /** A copy with other API retry settings (tests use short delays). */
  public ClientSettings withApiRetries(int attempts, Duration delay) {
    return new ClientSettings(baseUrl, eventBaseUrl, signingKey, signingKeyFallback, eventKey, env, dev,
        attempts, delay, apiTimeout, checkpointThreads, checkpointQueueCapacity);
  }

  /** A copy with another checkpoint pipeline size. */
  public ClientSettings withCheckpointing(int threads, int queueCapacity) {
    return new ClientSettings(baseUrl, eventBaseUrl, signingKey, signingKeyFallback, eventKey, env, dev,
        apiAttempts, apiRetryDelay, apiTimeout, threads, queueCapacity);
  }

  @Override
  public String toString() {
    return "ClientSettings{baseUrl=" + baseUrl + ", eventBaseUrl=" + eventBaseUrl + ", dev=" + dev
        + ", signingKey=" + (signingKey == null ? "unset" : "set")
        + ", signingKeyFallback=" + (signingKeyFallback == null ? "unset" : "set")
        + ", eventKey=" + (eventKey == null ? "unset" : "set") + ", env=" + env + "}";
  }

  private static String first(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return v.trim();
      }
    }
    return null;
  }

  private static String blankToNull(String v) {
    return v == null || v.isBlank() ? null : v.trim();
  }

  private static boolean looksLikeUrl(String v) {
    try {
      URI uri = URI.create(v);
      return uri.getScheme() != null && uri.getHost() != null;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static String validUrl(String name, String value) {
    if (!looksLikeUrl(value)) {
      throw new IllegalArgumentException(name + " must be an absolute http(s) URL, was '" + value + "'");
    }
    String scheme = URI.create(value).getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException(name + " must use http or https, was '" + value + "'");
    }
    return value;
  }

  private static String stripTrailingSlash(String url) {
    String u = url;
    while (u.endsWith("/")) {
      u = u.substring(0, u.length() - 1);
    }
    return u;
  }
}
