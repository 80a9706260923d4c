package dev.stephttp.orchestrator.engine;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import okhttp3.HttpUrl;

/**
 * The callback origins re-entries may go to ({@code Orchestrator.Builder.appOrigins}): a run's
 * origin is the scheme, host and port of its re-entry URL ({@code event.data.domain + path},
 * docs/protocol.md §2.1, §5.1). Empty means any origin. Immutable, thread-safe.
 */
public final class AppOrigins {
  /** The name operators know the setting by, for messages. */
  public static final String SETTING = "appOrigins (--app-origin, STEPHTTP_APP_ORIGINS)";

  private final Set<String> allowed;

  private AppOrigins(Set<String> allowed) {
    this.allowed = allowed;
  }

  /** Any origin. */
  static AppOrigins any() {
    return new AppOrigins(Set.of());
  }

  /**
   * The given origins, each {@code scheme://host[:port]} with an optional trailing {@code /}.
   *
   * @throws IllegalArgumentException naming a value that is not such an origin
   */
  public static AppOrigins of(List<String> origins) {
    Set<String> set = new LinkedHashSet<>();
    for (String o : origins) {
      set.add(parse(o));
    }
    return new AppOrigins(Set.copyOf(set));
  }

  /** {@code value} normalised to {@code scheme://host:port}; throws IAE when not an origin. */
  public static String parse(String value) {
    String v = value == null ? "" : value.strip();
    HttpUrl url = HttpUrl.parse(v);
    if (url == null || !url.username().isEmpty() || !url.password().isEmpty()
        || url.query() != null || url.fragment() != null
        || !url.encodedPath().equals("/") || !(v.endsWith("/") ? v.substring(0, v.length() - 1)
            : v).matches("(?i)https?://[^/?#]+")) {
      throw new IllegalArgumentException("app origin must be scheme://host[:port] (http or https,"
          + " no path, query or user), e.g. https://app.example.com, but was '" + v + "'");
    }
    return origin(url);
  }

  /** The origin of an http(s) URL ({@code scheme://host:port}), or null when it is not one. */
  public static String ofUrl(String url) {
    HttpUrl parsed = url == null ? null : HttpUrl.parse(url);
    return parsed == null ? null : origin(parsed);
  }

  private static String origin(HttpUrl url) {
    String host = url.host().contains(":") ? "[" + url.host() + "]" : url.host();
    return url.scheme() + "://" + host + ":" + url.port();
  }

  /** Whether any origin is allowed (nothing configured). */
  public boolean unrestricted() {
    return allowed.isEmpty();
  }

  /** Whether a run with this re-entry URL may be called back. */
  public boolean allowsUrl(String url) {
    if (allowed.isEmpty()) {
      return true;
    }
    String origin = ofUrl(url);
    return origin != null && allowed.contains(origin);
  }

  /** The configured origins, normalised (empty when any origin is allowed). */
  public Set<String> allowed() {
    return allowed;
  }
}
