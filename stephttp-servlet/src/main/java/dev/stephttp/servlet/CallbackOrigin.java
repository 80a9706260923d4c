package dev.stephttp.servlet;

import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Where the orchestrator calls a run back: the {@code domain} of the create-run's request data
 * (docs/protocol.md §4). A re-entry carries a valid signature, so whoever can choose this origin
 * receives signed requests that can be replayed against the real app; outside dev mode it therefore
 * never comes from a request's {@code Host} unless the application opted in to a trusted proxy
 * (SECURITY.md "Deploying"). Immutable, thread-safe.
 */
final class CallbackOrigin {
  /** The environment variable Inngest's SDKs read for the same purpose. */
  static final String ENV = "INNGEST_SERVE_ORIGIN";

  private enum Source { CONFIGURED, FORWARDED, REQUEST }

  private final Source source;
  private final @Nullable String origin;

  private CallbackOrigin(Source source, @Nullable String origin) {
    this.source = source;
    this.origin = origin;
  }

  /**
   * The configured {@code domain}, else {@code INNGEST_SERVE_ORIGIN}, else the forwarded origin if
   * trusted, else (dev mode only) each request's own origin.
   *
   * @throws IllegalStateException outside dev mode when none of them is set
   * @throws IllegalArgumentException when {@code INNGEST_SERVE_ORIGIN} is not an origin
   */
  static CallbackOrigin resolve(@Nullable String domain, boolean trustForwarded, boolean dev,
      Map<String, String> environment) {
    if (domain != null) {
      return new CallbackOrigin(Source.CONFIGURED, domain);
    }
    String fromEnv = environment.get(ENV);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return new CallbackOrigin(Source.CONFIGURED, parse(ENV, fromEnv));
    }
    if (trustForwarded) {
      return new CallbackOrigin(Source.FORWARDED, null);
    }
    if (dev) {
      return new CallbackOrigin(Source.REQUEST, null);
    }
    throw new IllegalStateException("the origin the orchestrator calls back is not configured: set domain"
        + " (or " + ENV + ") to the app's public origin, e.g. https://api.example.com, or set"
        + " trustForwardedOrigin=true if every request reaches the app through a proxy that overwrites"
        + " X-Forwarded-Proto and X-Forwarded-Host; outside dev mode it is never taken from the Host header");
  }

  /** The origin re-entries of a run started by {@code request} go to. */
  String of(HttpServletRequest request) {
    return switch (source) {
      case CONFIGURED -> origin;
      case FORWARDED -> forwarded(request);
      case REQUEST -> fromRequest(request);
    };
  }

  @Override
  public String toString() {
    return switch (source) {
      case CONFIGURED -> origin;
      case FORWARDED -> "X-Forwarded-Proto/X-Forwarded-Host (trustForwardedOrigin)";
      case REQUEST -> "each request's scheme and Host (dev mode)";
    };
  }

  /**
   * {@code value} as {@code scheme://host[:port]}: an absolute http(s) URL with a host and nothing
   * after it but an optional {@code /}.
   *
   * @throws IllegalArgumentException naming {@code name} and the value otherwise
   */
  static String parse(String name, String value) {
    String v = value.trim();
    try {
      URI uri = new URI(v);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      String path = uri.getRawPath();
      if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null && uri.getRawUserInfo() == null
          && (path == null || path.isEmpty() || path.equals("/")) && uri.getRawQuery() == null
          && uri.getRawFragment() == null) {
        return scheme + "://" + uri.getRawAuthority().toLowerCase(Locale.ROOT);
      }
    } catch (URISyntaxException e) {
      // reported below
    }
    throw new IllegalArgumentException(name + " must be an absolute http(s) origin without path or query,"
        + " e.g. https://api.example.com, was '" + v + "'");
  }

  /** The origin in dev mode: the request's scheme (or a valid X-Forwarded-Proto) and Host. */
  private static String fromRequest(HttpServletRequest request) {
    return scheme(request) + "://" + host(request);
  }

  /**
   * The first value of X-Forwarded-Proto and X-Forwarded-Host, each falling back to the request's
   * own when absent or not a scheme or {@code host[:port]}.
   */
  private static String forwarded(HttpServletRequest request) {
    String host = first(request.getHeader("X-Forwarded-Host"));
    if (host == null || !isHostAndPort(host)) {
      host = host(request);
    }
    return scheme(request) + "://" + host;
  }

  private static String scheme(HttpServletRequest request) {
    String proto = first(request.getHeader("X-Forwarded-Proto"));
    proto = proto == null ? null : proto.toLowerCase(Locale.ROOT);
    return "http".equals(proto) || "https".equals(proto) ? proto : request.getScheme();
  }

  private static String host(HttpServletRequest request) {
    String host = request.getHeader("Host");
    return host == null || host.isBlank() ? request.getServerName() + ":" + request.getServerPort() : host.trim();
  }

  private static @Nullable String first(@Nullable String header) {
    if (header == null) {
      return null;
    }
    int comma = header.indexOf(',');
    String v = (comma < 0 ? header : header.substring(0, comma)).trim();
    return v.isEmpty() ? null : v;
  }

  private static boolean isHostAndPort(String host) {
    try {
      URI uri = new URI("http://" + host);
      return uri.getHost() != null && uri.getRawUserInfo() == null && uri.getRawPath().isEmpty()
          && uri.getRawQuery() == null && uri.getRawFragment() == null;
    } catch (URISyntaxException e) {
      return false;
    }
  }
}
