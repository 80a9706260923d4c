package dev.stephttp.spring;

import dev.stephttp.servlet.AsyncResponse;
import dev.stephttp.servlet.StepHttpConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.util.unit.DataSize;

/**
 * Turns {@link StepHttpProperties} into a {@link StepHttpConfig.Builder}, checking each value
 * first so that a bad one fails startup naming its property (Spring Boot's failure analysis prints
 * it), instead of failing later inside the servlet container.
 */
final class ConfigFactory {
  private ConfigFactory() {}

  static StepHttpConfig.Builder builder(StepHttpProperties p) {
    StepHttpConfig.Builder b = StepHttpConfig.builder();
    b.baseUrl(url("base-url", p.getBaseUrl()))
        .redirectBaseUrl(url("redirect-base-url", p.getRedirectBaseUrl()))
        .eventBaseUrl(url("event-base-url", p.getEventBaseUrl()))
        .signingKey(blankToNull(p.getSigningKey()))
        .signingKeyFallback(blankToNull(p.getSigningKeyFallback()))
        .eventKey(blankToNull(p.getEventKey()))
        .domain(origin("domain", p.getDomain()))
        .trustForwardedOrigin(p.isTrustForwardedOrigin())
        .trackAllEndpoints(p.isTrackAllEndpoints())
        .defaultAsyncResponse(switch (p.getAsyncResponse()) {
          case TOKEN -> AsyncResponse.token();
          case PROXY -> AsyncResponse.proxy();
          case REDIRECT -> AsyncResponse.redirect();
        })
        .maxBufferedResponseBytes(bytes("max-buffered-response-bytes", p.getMaxBufferedResponseBytes()))
        .maxCapturedRequestBytes(bytes("max-captured-request-bytes", p.getMaxCapturedRequestBytes()))
        .asyncSwitchTimeout(positive("async-switch-timeout", p.getAsyncSwitchTimeout()))
        .durableResponses(p.isDurableResponses())
        .checkpointBackpressureTimeout(positive("checkpoint-backpressure-timeout", p.getCheckpointBackpressureTimeout()));
    if (p.getCheckpointQueueCapacity() < 1) {
      throw invalid("checkpoint-queue-capacity", p.getCheckpointQueueCapacity(), "must be at least 1");
    }
    b.checkpointQueueCapacity(p.getCheckpointQueueCapacity());
    Duration linger = p.getCheckpointLinger();
    if (linger == null || linger.isNegative()) {
      throw invalid("checkpoint-linger", linger, "must be zero or positive, e.g. 20ms");
    }
    b.checkpointLinger(linger);
    if (p.getParallelStepThreads() < 1) {
      throw invalid("parallel-step-threads", p.getParallelStepThreads(), "must be at least 1");
    }
    b.parallelStepThreads(p.getParallelStepThreads());
    if (p.getDev() != null) {
      b.dev(p.getDev());
    }
    StepHttpProperties.ApiRetries retries = p.getApiRetries();
    if (retries.getAttempts() < 1) {
      throw invalid("api-retries.attempts", retries.getAttempts(), "must be at least 1");
    }
    Duration firstDelay = retries.getFirstDelay();
    if (firstDelay == null || firstDelay.isNegative()) {
      throw invalid("api-retries.first-delay", firstDelay, "must be zero or positive");
    }
    b.apiRetries(retries.getAttempts(), firstDelay);
    return b;
  }

  /**
   * Fails when neither dev mode nor a signing key is configured, through the properties or the
   * environment. Only checked without customizers, which may supply the key in code.
   */
  static void requireSigningKey(StepHttpProperties p, Map<String, String> env) {
    if (isDev(p, env) || blankToNull(p.getSigningKey()) != null || blankToNull(env.get("INNGEST_SIGNING_KEY")) != null) {
      return;
    }
    throw new InvalidConfigurationPropertyValueException("stephttp.signing-key", null,
        "a signing key is required outside dev mode: set stephttp.signing-key (or INNGEST_SIGNING_KEY),"
            + " or stephttp.dev=true for local development");
  }

  /**
   * Fails when outside dev mode nothing says where the orchestrator calls back: neither {@code
   * stephttp.domain}, {@code INNGEST_SERVE_ORIGIN} nor {@code stephttp.trust-forwarded-origin}. Only
   * checked without customizers, which may set the domain in code.
   */
  static void requireOrigin(StepHttpProperties p, Map<String, String> env) {
    if (isDev(p, env) || p.isTrustForwardedOrigin() || blankToNull(p.getDomain()) != null
        || blankToNull(env.get("INNGEST_SERVE_ORIGIN")) != null) {
      return;
    }
    throw new InvalidConfigurationPropertyValueException("stephttp.domain", null,
        "outside dev mode the origin the orchestrator calls back is required (it is never taken from the"
            + " Host header): set stephttp.domain (or INNGEST_SERVE_ORIGIN) to the application's public origin,"
            + " e.g. https://api.example.com, or stephttp.trust-forwarded-origin=true if every request"
            + " reaches the application through a proxy that overwrites X-Forwarded-Proto and X-Forwarded-Host");
  }

  static boolean isDev(StepHttpProperties p, Map<String, String> env) {
    if (p.getDev() != null) {
      return p.getDev();
    }
    String v = blankToNull(env.get("INNGEST_DEV"));
    return v != null && !v.equals("0") && !v.equalsIgnoreCase("false");
  }

  static List<String> urlPatterns(StepHttpProperties p) {
    List<String> patterns = p.getUrlPatterns();
    if (patterns == null || patterns.isEmpty()) {
      throw invalid("url-patterns", patterns, "must name at least one pattern, e.g. /*");
    }
    for (String pattern : patterns) {
      if (pattern == null || !(pattern.startsWith("/") || pattern.startsWith("*."))) {
        throw invalid("url-patterns", pattern, "a servlet URL pattern starts with '/' or '*.'");
      }
    }
    return patterns;
  }

  static @Nullable String url(String property, @Nullable String value) {
    String v = blankToNull(value);
    if (v == null) {
      return null;
    }
    try {
      URI uri = new URI(v);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        throw invalid(property, v, "must be an absolute http or https URL");
      }
      if (uri.getHost() == null || uri.getHost().isEmpty()) {
        throw invalid(property, v, "must name a host, e.g. http://127.0.0.1:8288");
      }
      return v;
    } catch (URISyntaxException e) {
      throw invalid(property, v, "is not a URL: " + e.getReason());
    }
  }

  static @Nullable String origin(String property, @Nullable String value) {
    String v = url(property, value);
    if (v == null) {
      return null;
    }
    try {
      StepHttpConfig.builder().domain(v);
      return v;
    } catch (IllegalArgumentException e) {
      throw invalid(property, v, "must be an origin (scheme, host and optional port; no path or query),"
          + " e.g. https://api.example.com");
    }
  }

  private static int bytes(String property, @Nullable DataSize size) {
    if (size == null || size.toBytes() < 1 || size.toBytes() > Integer.MAX_VALUE) {
      throw invalid(property, size, "must be between 1 byte and " + Integer.MAX_VALUE + " bytes");
    }
    return (int) size.toBytes();
  }

  private static Duration positive(String property, @Nullable Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw invalid(property, d, "must be a positive duration, e.g. 30s");
    }
    return d;
  }

  static InvalidConfigurationPropertyValueException invalid(String property, @Nullable Object value, String reason) {
    return new InvalidConfigurationPropertyValueException("stephttp." + property, value, reason);
  }

  static @Nullable String blankToNull(@Nullable String v) {
    return v == null || v.isBlank() ? null : v.trim();
  }
}
