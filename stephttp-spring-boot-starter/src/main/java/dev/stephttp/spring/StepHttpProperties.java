package dev.stephttp.spring;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.convert.DataSizeUnit;
import org.springframework.util.unit.DataSize;
import org.springframework.util.unit.DataUnit;

/**
 * The {@code stephttp.*} properties: one for each {@code StepHttpConfig} setting, plus the filter
 * registration and the embedded orchestrator. A value left unset falls back, as in the plain
 * library, to the environment ({@code INNGEST_SIGNING_KEY}, {@code INNGEST_BASE_URL}, ...) and then
 * to the library's default. Values are checked when the configuration is built; a bad one fails
 * startup with a message naming the property. Mutable (Spring binds it); not thread-safe.
 */
@ConfigurationProperties("stephttp")
public final class StepHttpProperties {
  /**
   * Default of {@code stephttp.filter-order}: after Spring Security's filter chain (-100) and
   * Spring's own request filters, before application filters at the default (lowest) precedence.
   */
  public static final int DEFAULT_FILTER_ORDER = -90;

  /** Whether the stephttp filter is registered at all. */
  private boolean enabled = true;

  /**
   * The orchestrator's API address, e.g. http://127.0.0.1:8288. Unset: the embedded orchestrator
   * when it runs, else INNGEST_API_BASE_URL / INNGEST_BASE_URL / INNGEST_DEV, else
   * http://127.0.0.1:8288 in dev mode and https://api.inngest.com otherwise.
   */
  private @Nullable String baseUrl;

  /**
   * The orchestrator's address as the end user's client reaches it, used in the redirect of a run
   * that turned asynchronous. Unset: the base URL.
   */
  private @Nullable String redirectBaseUrl;

  /**
   * The event API address used by Step.sendEvent. Unset: INNGEST_EVENT_API_BASE_URL, else the base
   * URL.
   */
  private @Nullable String eventBaseUrl;

  /**
   * The signing key (it starts with signkey-); required outside dev mode. Unset:
   * INNGEST_SIGNING_KEY. Prefer the environment variable to a properties file.
   */
  private @Nullable String signingKey;

  /** The key also accepted while keys are rotated. Unset: INNGEST_SIGNING_KEY_FALLBACK. */
  private @Nullable String signingKeyFallback;

  /** The event key used by Step.sendEvent. Unset: INNGEST_EVENT_KEY. */
  private @Nullable String eventKey;

  /**
   * Dev mode: no signing key needed and re-entry signatures not verified. Never in production.
   * Unset: INNGEST_DEV, else false.
   */
  private @Nullable Boolean dev;

  /**
   * The application's public origin (https://api.example.com: scheme, host, optional port, no
   * path) that the orchestrator calls for re-entries. Unset: INNGEST_SERVE_ORIGIN. Outside dev mode
   * this, or trust-forwarded-origin, is required; in dev mode unset means each request's own scheme
   * and Host.
   */
  private @Nullable String domain;

  /**
   * Takes the origin of re-entries from each request's X-Forwarded-Proto and X-Forwarded-Host,
   * falling back to its scheme and Host. Only for applications that every request reaches through
   * a proxy that overwrites both headers; domain wins over it.
   */
  private boolean trustForwardedOrigin = false;

  /** Whether requests that call no step are recorded as runs too. */
  private boolean trackAllEndpoints = false;

  /**
   * The answer when a run turns asynchronous, unless a handler chooses another: redirect (303 to
   * the run-output URL), proxy (303 to the application's own output proxy, which this turns on) or
   * token (200 with run_id and token).
   */
  private AsyncResponseKind asyncResponse = AsyncResponseKind.REDIRECT;

  /**
   * Response bytes held back so that an async switch can still redirect; a bigger response streams
   * to the client and the run goes on in the background. Plain numbers are bytes.
   */
  @DataSizeUnit(DataUnit.BYTES)
  private DataSize maxBufferedResponseBytes = DataSize.ofMegabytes(1);

  /**
   * Request body bytes kept so that re-entries see the body; a bigger body reaches the handler but
   * re-entries see an empty one. Plain numbers are bytes.
   */
  @DataSizeUnit(DataUnit.BYTES)
  private DataSize maxCapturedRequestBytes = DataSize.ofMegabytes(1);

  /**
   * How long the async switch (and, with durable responses, a finished request) waits for the
   * orchestrator before answering 503.
   */
  private Duration asyncSwitchTimeout = Duration.ofSeconds(30);

  /**
   * Holds each finished request's response until the orchestrator has acknowledged its run,
   * completion included, so that a 2xx always names a stored run (503 when that fails in time).
   */
  private boolean durableResponses;

  /**
   * How long a step waits for room in the checkpoint queue while the orchestrator is busy; past it
   * the request is answered 503 orchestrator_busy.
   */
  private Duration checkpointBackpressureTimeout = Duration.ofSeconds(10);

  /** Ops of sync-phase runs waiting to be sent, across requests. */
  private int checkpointQueueCapacity = 10_000;

  /**
   * How long a run's first steps wait for the rest of the request before they are sent, so that a
   * short request records its run in one call; 0 sends every step at once.
   */
  private Duration checkpointLinger = Duration.ofMillis(20);

  /** Threads running the steps of Step.all and Step.race, shared by the filter's requests. */
  private int parallelStepThreads = 16;

  /** Retries of the calls to the orchestrator's API. */
  private final ApiRetries apiRetries = new ApiRetries();

  /**
   * Order of the filter registration. The default, -90, runs the filter after Spring Security's
   * filter chain (-100), so that only authorised requests start runs, and after Spring's request
   * filters (character encoding, form content, request context), so that the handler sees what it
   * sees without stephttp.
   */
  private int filterOrder = DEFAULT_FILTER_ORDER;

  /** URL patterns the filter is mapped to (REQUEST dispatches only). */
  private List<String> urlPatterns = new ArrayList<>(List.of("/*"));

  /** The embedded orchestrator, for local development. */
  private final EmbeddedOrchestrator orchestrator = new EmbeddedOrchestrator();

  /** The output proxy: a run's final answer served on the application's own origin. */
  private final OutputProxy outputProxy = new OutputProxy();

  /** The answer given when a run turns asynchronous. */
  public enum AsyncResponseKind {
    /** {@code 303 See Other} to the orchestrator's run-output URL. */
    REDIRECT,
    /** {@code 303 See Other} to the application's own output proxy at {@code /v1/http/runs/*}. */
    PROXY,
    /** {@code 200} with {@code {"run_id", "token"}} for clients that poll themselves. */
    TOKEN
  }

  /** Retries of the calls to the orchestrator's API. Mutable; not thread-safe. */
  public static final class ApiRetries {
    /** Attempts per call to the orchestrator, the first included. */
    private int attempts = 5;

    /** Delay before the first retry; it doubles after each (plus jitter). */
    private Duration firstDelay = Duration.ofMillis(100);

    /** Attempts per call to the orchestrator. */
    public int getAttempts() {
      return attempts;
    }

    /** Sets the attempts per call to the orchestrator. */
    public void setAttempts(int attempts) {
      this.attempts = attempts;
    }

    /** The delay before the first retry. */
    public Duration getFirstDelay() {
      return firstDelay;
    }

    /** Sets the delay before the first retry. */
    public void setFirstDelay(Duration firstDelay) {
      this.firstDelay = firstDelay;
    }
  }

  /** The embedded orchestrator for local development. Mutable; not thread-safe. */
  public static final class EmbeddedOrchestrator {
    /**
     * Whether to start the embedded orchestrator in this application (needs
     * dev.stephttp:stephttp-orchestrator on the classpath). For local development, not production.
     */
    private boolean embedded = false;

    /** Port of the embedded orchestrator on 127.0.0.1; 0 picks a free port. */
    private int port = 8288;

    /** SQLite file of the embedded orchestrator; unset keeps runs in a temporary file deleted on shutdown. */
    private @Nullable Path database;

    /**
     * Fixed delay between retries of failed steps in the embedded orchestrator. Unset: the
     * orchestrator's default backoff.
     */
    private @Nullable Duration retryBackoff;

    /** Whether the embedded orchestrator starts. */
    public boolean isEmbedded() {
      return embedded;
    }

    /** Sets whether the embedded orchestrator starts. */
    public void setEmbedded(boolean embedded) {
      this.embedded = embedded;
    }

    /** The embedded orchestrator's port. */
    public int getPort() {
      return port;
    }

    /** Sets the embedded orchestrator's port. */
    public void setPort(int port) {
      this.port = port;
    }

    /** The embedded orchestrator's database file, or null for a temporary one. */
    public @Nullable Path getDatabase() {
      return database;
    }

    /** Sets the embedded orchestrator's database file. */
    public void setDatabase(@Nullable Path database) {
      this.database = database;
    }

    /** The fixed retry delay, or null for the default backoff. */
    public @Nullable Duration getRetryBackoff() {
      return retryBackoff;
    }

    /** Sets a fixed retry delay. */
    public void setRetryBackoff(@Nullable Duration retryBackoff) {
      this.retryBackoff = retryBackoff;
    }
  }

  /** Whether the filter is registered. */
  public boolean isEnabled() {
    return enabled;
  }

  /** Sets whether the filter is registered. */
  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  /** The orchestrator's API address. */
  public @Nullable String getBaseUrl() {
    return baseUrl;
  }

  /** Sets the orchestrator's API address. */
  public void setBaseUrl(@Nullable String baseUrl) {
    this.baseUrl = baseUrl;
  }

  /** The orchestrator's address for redirects. */
  public @Nullable String getRedirectBaseUrl() {
    return redirectBaseUrl;
  }

  /** Sets the orchestrator's address for redirects. */
  public void setRedirectBaseUrl(@Nullable String redirectBaseUrl) {
    this.redirectBaseUrl = redirectBaseUrl;
  }

  /** The event API address. */
  public @Nullable String getEventBaseUrl() {
    return eventBaseUrl;
  }

  /** Sets the event API address. */
  public void setEventBaseUrl(@Nullable String eventBaseUrl) {
    this.eventBaseUrl = eventBaseUrl;
  }

  /** The signing key. */
  public @Nullable String getSigningKey() {
    return signingKey;
  }

  /** Sets the signing key. */
  public void setSigningKey(@Nullable String signingKey) {
    this.signingKey = signingKey;
  }

  /** The fallback signing key. */
  public @Nullable String getSigningKeyFallback() {
    return signingKeyFallback;
  }

  /** Sets the fallback signing key. */
  public void setSigningKeyFallback(@Nullable String signingKeyFallback) {
    this.signingKeyFallback = signingKeyFallback;
  }

  /** The event key. */
  public @Nullable String getEventKey() {
    return eventKey;
  }

  /** Sets the event key. */
  public void setEventKey(@Nullable String eventKey) {
    this.eventKey = eventKey;
  }

  /** Dev mode, or null to read INNGEST_DEV. */
  public @Nullable Boolean getDev() {
    return dev;
  }

  /** Sets dev mode. */
  public void setDev(@Nullable Boolean dev) {
    this.dev = dev;
  }

  /** The application's public origin. */
  public @Nullable String getDomain() {
    return domain;
  }

  /** Sets the application's public origin. */
  public void setDomain(@Nullable String domain) {
    this.domain = domain;
  }

  /** Whether the origin of re-entries comes from X-Forwarded-Proto and X-Forwarded-Host. */
  public boolean isTrustForwardedOrigin() {
    return trustForwardedOrigin;
  }

  /** Sets whether the origin of re-entries comes from X-Forwarded-Proto and X-Forwarded-Host. */
  public void setTrustForwardedOrigin(boolean trustForwardedOrigin) {
    this.trustForwardedOrigin = trustForwardedOrigin;
  }

  /** Whether requests without steps are recorded. */
  public boolean isTrackAllEndpoints() {
    return trackAllEndpoints;
  }

  /** Sets whether requests without steps are recorded. */
  public void setTrackAllEndpoints(boolean trackAllEndpoints) {
    this.trackAllEndpoints = trackAllEndpoints;
  }

  /** The default answer of a run that turned asynchronous. */
  public AsyncResponseKind getAsyncResponse() {
    return asyncResponse;
  }

  /** Sets the default answer of a run that turned asynchronous. */
  public void setAsyncResponse(AsyncResponseKind asyncResponse) {
    this.asyncResponse = asyncResponse;
  }

  /** Response bytes held back. */
  public DataSize getMaxBufferedResponseBytes() {
    return maxBufferedResponseBytes;
  }

  /** Sets the response bytes held back. */
  public void setMaxBufferedResponseBytes(DataSize maxBufferedResponseBytes) {
    this.maxBufferedResponseBytes = maxBufferedResponseBytes;
  }

  /** Request body bytes kept for re-entries. */
  public DataSize getMaxCapturedRequestBytes() {
    return maxCapturedRequestBytes;
  }

  /** Sets the request body bytes kept for re-entries. */
  public void setMaxCapturedRequestBytes(DataSize maxCapturedRequestBytes) {
    this.maxCapturedRequestBytes = maxCapturedRequestBytes;
  }

  /** How long the async switch waits for the orchestrator. */
  public Duration getAsyncSwitchTimeout() {
    return asyncSwitchTimeout;
  }

  /** Sets how long the async switch waits for the orchestrator. */
  public void setAsyncSwitchTimeout(Duration asyncSwitchTimeout) {
    this.asyncSwitchTimeout = asyncSwitchTimeout;
  }

  /** Whether responses wait until their run is acknowledged. */
  public boolean isDurableResponses() {
    return durableResponses;
  }

  /** Sets whether responses wait until their run is acknowledged. */
  public void setDurableResponses(boolean durableResponses) {
    this.durableResponses = durableResponses;
  }

  /** How long a step waits for room in a full checkpoint queue. */
  public Duration getCheckpointBackpressureTimeout() {
    return checkpointBackpressureTimeout;
  }

  /** Sets how long a step waits for room in a full checkpoint queue. */
  public void setCheckpointBackpressureTimeout(Duration checkpointBackpressureTimeout) {
    this.checkpointBackpressureTimeout = checkpointBackpressureTimeout;
  }

  /** How long a run's first steps wait for the rest of the request before they are sent. */
  public Duration getCheckpointLinger() {
    return checkpointLinger;
  }

  /** Sets how long a run's first steps wait for the rest of the request before they are sent. */
  public void setCheckpointLinger(Duration checkpointLinger) {
    this.checkpointLinger = checkpointLinger;
  }

  /** The checkpoint queue's capacity in ops. */
  public int getCheckpointQueueCapacity() {
    return checkpointQueueCapacity;
  }

  /** Sets the checkpoint queue's capacity in ops. */
  public void setCheckpointQueueCapacity(int checkpointQueueCapacity) {
    this.checkpointQueueCapacity = checkpointQueueCapacity;
  }

  /** The threads running parallel steps. */
  public int getParallelStepThreads() {
    return parallelStepThreads;
  }

  /** Sets the threads running parallel steps. */
  public void setParallelStepThreads(int parallelStepThreads) {
    this.parallelStepThreads = parallelStepThreads;
  }

  /** Retries of the calls to the orchestrator. */
  public ApiRetries getApiRetries() {
    return apiRetries;
  }

  /** The filter registration's order. */
  public int getFilterOrder() {
    return filterOrder;
  }

  /** Sets the filter registration's order. */
  public void setFilterOrder(int filterOrder) {
    this.filterOrder = filterOrder;
  }

  /** URL patterns of the filter. */
  public List<String> getUrlPatterns() {
    return urlPatterns;
  }

  /** Sets the URL patterns of the filter. */
  public void setUrlPatterns(List<String> urlPatterns) {
    this.urlPatterns = urlPatterns;
  }

  /** The embedded orchestrator. */
  public EmbeddedOrchestrator getOrchestrator() {
    return orchestrator;
  }

  /** The output proxy. */
  public OutputProxy getOutputProxy() {
    return outputProxy;
  }

  /**
   * The output proxy ({@code OutputProxyServlet} at {@code /v1/http/runs/*}): serves a run's final
   * answer on the application's own origin. Mutable; not thread-safe.
   */
  public static final class OutputProxy {
    /** Registers the proxy servlet at /v1/http/runs/*; async-response=proxy registers it too. */
    private boolean enabled;

    /** Browser origins allowed to read the proxy's answers (CORS), or * for any; none by default. */
    private List<String> corsOrigins = new ArrayList<>();

    /** Whether the proxy servlet is registered (also when async-response is proxy). */
    public boolean isEnabled() {
      return enabled;
    }

    /** Sets whether the proxy servlet is registered. */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /** The allowed CORS origins. */
    public List<String> getCorsOrigins() {
      return corsOrigins;
    }

    /** Sets the allowed CORS origins. */
    public void setCorsOrigins(List<String> corsOrigins) {
      this.corsOrigins = corsOrigins;
    }
  }
}
