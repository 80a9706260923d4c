package dev.stephttp.servlet;

import dev.stephttp.internal.ClientSettings;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Configuration of {@link StepHttpFilter} and {@link StepHttpServlet}. Values not set here are
 * read from the environment ({@code INNGEST_DEV}, {@code INNGEST_BASE_URL}, {@code
 * INNGEST_SIGNING_KEY}, {@code INNGEST_SIGNING_KEY_FALLBACK}, {@code INNGEST_EVENT_KEY}, {@code
 * INNGEST_ENV}, {@code INNGEST_SERVE_ORIGIN}) when the filter starts. Outside dev mode the filter
 * needs to know the origin the orchestrator calls back: {@link Builder#domain} (or {@code
 * INNGEST_SERVE_ORIGIN}), or {@link Builder#trustForwardedOrigin} behind a proxy. Immutable; {@code
 * toString()} never shows keys.
 */
public final class StepHttpConfig {
  /** Default for {@link Builder#maxBufferedResponseBytes} and {@link Builder#maxCapturedRequestBytes}: 1 MiB. */
  public static final int DEFAULT_MAX_BYTES = 1 << 20;

  final @Nullable String baseUrl;
  final @Nullable String redirectBaseUrl;
  final @Nullable String eventBaseUrl;
  final @Nullable String signingKey;
  final @Nullable String signingKeyFallback;
  final @Nullable String eventKey;
  final @Nullable Boolean dev;
  final @Nullable String domain;
  final boolean trustForwardedOrigin;
  final boolean trackAllEndpoints;
  final AsyncResponse defaultAsyncResponse;
  final int maxBufferedResponseBytes;
  final int maxCapturedRequestBytes;
  final Duration asyncSwitchTimeout;
  final boolean durableResponses;
  final Duration checkpointBackpressureTimeout;
  final int checkpointQueueCapacity;
  final Duration checkpointLinger;
  final int parallelStepThreads;
  final int apiAttempts;
  final Duration apiRetryDelay;
  final Map<String, String> environment;

  private StepHttpConfig(Builder b) {
    this.baseUrl = b.baseUrl;
    this.redirectBaseUrl = b.redirectBaseUrl;
    this.eventBaseUrl = b.eventBaseUrl;
    this.signingKey = b.signingKey;
    this.signingKeyFallback = b.signingKeyFallback;
    this.eventKey = b.eventKey;
    this.dev = b.dev;
    this.domain = b.domain;
    this.trustForwardedOrigin = b.trustForwardedOrigin;
    this.trackAllEndpoints = b.trackAllEndpoints;
    this.defaultAsyncResponse = b.defaultAsyncResponse;
    this.maxBufferedResponseBytes = b.maxBufferedResponseBytes;
    this.maxCapturedRequestBytes = b.maxCapturedRequestBytes;
    this.asyncSwitchTimeout = b.asyncSwitchTimeout;
    this.durableResponses = b.durableResponses;
    this.checkpointBackpressureTimeout = b.checkpointBackpressureTimeout;
    this.checkpointQueueCapacity = b.checkpointQueueCapacity;
    this.checkpointLinger = b.checkpointLinger;
    this.parallelStepThreads = b.parallelStepThreads;
    this.apiAttempts = b.apiAttempts;
    this.apiRetryDelay = b.apiRetryDelay;
    this.environment = b.environment;
  }

  /** A builder with every default. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this configuration. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.baseUrl = baseUrl;
    b.redirectBaseUrl = redirectBaseUrl;
    b.eventBaseUrl = eventBaseUrl;
    b.signingKey = signingKey;
    b.signingKeyFallback = signingKeyFallback;
    b.eventKey = eventKey;
    b.dev = dev;
    b.domain = domain;
    b.trustForwardedOrigin = trustForwardedOrigin;
    b.trackAllEndpoints = trackAllEndpoints;
    b.defaultAsyncResponse = defaultAsyncResponse;
    b.maxBufferedResponseBytes = maxBufferedResponseBytes;
    b.maxCapturedRequestBytes = maxCapturedRequestBytes;
    b.asyncSwitchTimeout = asyncSwitchTimeout;
    b.durableResponses = durableResponses;
    b.checkpointBackpressureTimeout = checkpointBackpressureTimeout;
    b.checkpointQueueCapacity = checkpointQueueCapacity;
    b.checkpointLinger = checkpointLinger;
    b.parallelStepThreads = parallelStepThreads;
    b.apiAttempts = apiAttempts;
    b.apiRetryDelay = apiRetryDelay;
    b.environment = environment;
    return b;
  }

  /**
   * Resolves this configuration against the environment exactly as the filter does when it starts,
   * so an application can fail at its own startup instead of at the container's first filter init.
   *
   * @throws IllegalStateException if a required setting is missing (the message names it and its
   *     environment variable): the signing key, or outside dev mode the origin ({@code domain},
   *     {@code INNGEST_SERVE_ORIGIN} or {@code trustForwardedOrigin})
   * @throws IllegalArgumentException if a setting is malformed (the message names it and the value)
   */
  public void validate() {
    callbackOrigin(clientSettings());
  }

  /** Resolves these settings against the environment; fails when a required key is missing. */
  ClientSettings clientSettings() {
    ClientSettings.Overrides o = new ClientSettings.Overrides(
        baseUrl, eventBaseUrl, signingKey, signingKeyFallback, eventKey, dev);
    ClientSettings resolved = ClientSettings.resolve(o, environment).withApiRetries(apiAttempts, apiRetryDelay);
    return resolved.withCheckpointing(resolved.checkpointThreads(), checkpointQueueCapacity);
  }

  /** Where re-entries go, given the resolved settings; fails outside dev mode when unknown. */
  CallbackOrigin callbackOrigin(ClientSettings settings) {
    return CallbackOrigin.resolve(domain, trustForwardedOrigin, settings.dev(), environment);
  }

  @Override
  public String toString() {
    return "StepHttpConfig{baseUrl=" + baseUrl + ", redirectBaseUrl=" + redirectBaseUrl + ", dev=" + dev
        + ", domain=" + domain + ", trustForwardedOrigin=" + trustForwardedOrigin
        + ", trackAllEndpoints=" + trackAllEndpoints
        + ", defaultAsyncResponse=" + defaultAsyncResponse
        + ", maxBufferedResponseBytes=" + maxBufferedResponseBytes
        + ", maxCapturedRequestBytes=" + maxCapturedRequestBytes
        + ", durableResponses=" + durableResponses
        + ", checkpointBackpressureTimeout=" + checkpointBackpressureTimeout
        + ", checkpointQueueCapacity=" + checkpointQueueCapacity
        + ", checkpointLinger=" + checkpointLinger
        + ", parallelStepThreads=" + parallelStepThreads
        + ", signingKey=" + (signingKey == null ? "unset" : "set") + "}";
  }

  /**
   * Builds a {@link StepHttpConfig}. Defaults: {@code baseUrl} from the environment, else {@code
   * http://127.0.0.1:8288} in dev mode and {@code https://api.inngest.com} otherwise; {@code
   * redirectBaseUrl} = {@code baseUrl}; {@code eventBaseUrl} from the environment, else {@code
   * baseUrl}; keys from the environment; {@code dev} from {@code INNGEST_DEV}, else false; {@code
   * domain} from {@code INNGEST_SERVE_ORIGIN}, else unset (required outside dev mode unless {@code
   * trustForwardedOrigin}); {@code trustForwardedOrigin} false; {@code trackAllEndpoints} false; {@code
   * defaultAsyncResponse} {@link AsyncResponse#redirect()}; both byte limits 1 MiB; {@code
   * asyncSwitchTimeout} 30 s; {@code durableResponses} false; {@code checkpointBackpressureTimeout}
   * 10 s; {@code checkpointQueueCapacity} 10,000 ops; {@code checkpointLinger} 20 ms; {@code
   * parallelStepThreads} 16; {@code apiAttempts} 5 with {@code apiRetryDelay} 100 ms doubling.
   * Not thread-safe.
   */
  public static final class Builder {
    private @Nullable String baseUrl;
    private @Nullable String redirectBaseUrl;
    private @Nullable String eventBaseUrl;
    private @Nullable String signingKey;
    private @Nullable String signingKeyFallback;
    private @Nullable String eventKey;
    private @Nullable Boolean dev;
    private @Nullable String domain;
    private boolean trustForwardedOrigin;
    private boolean trackAllEndpoints;
    private AsyncResponse defaultAsyncResponse = AsyncResponse.redirect();
    private int maxBufferedResponseBytes = DEFAULT_MAX_BYTES;
    private int maxCapturedRequestBytes = DEFAULT_MAX_BYTES;
    private Duration asyncSwitchTimeout = Duration.ofSeconds(30);
    private boolean durableResponses;
    private Duration checkpointBackpressureTimeout = Duration.ofSeconds(10);
    private int checkpointQueueCapacity = 10_000;
    private Duration checkpointLinger = Duration.ofMillis(20);
    private int parallelStepThreads = 16;
    private int apiAttempts = 5;
    private Duration apiRetryDelay = Duration.ofMillis(100);
    private Map<String, String> environment = System.getenv();

    private Builder() {}

    /** The orchestrator's API address, e.g. {@code http://127.0.0.1:8288}. */
    public Builder baseUrl(@Nullable String baseUrl) {
      this.baseUrl = baseUrl;
      return this;
    }

    /** The orchestrator's address as the end user's client reaches it, for redirects. */
    public Builder redirectBaseUrl(@Nullable String redirectBaseUrl) {
      this.redirectBaseUrl = redirectBaseUrl;
      return this;
    }

    /** The event API address used by {@code Step.sendEvent}. */
    public Builder eventBaseUrl(@Nullable String eventBaseUrl) {
      this.eventBaseUrl = eventBaseUrl;
      return this;
    }

    /** The signing key ({@code signkey-<env>-<hex>}); prefer {@code INNGEST_SIGNING_KEY}. */
    public Builder signingKey(@Nullable String signingKey) {
      this.signingKey = signingKey;
      return this;
    }

    /** The key accepted while rotating keys; prefer {@code INNGEST_SIGNING_KEY_FALLBACK}. */
    public Builder signingKeyFallback(@Nullable String signingKeyFallback) {
      this.signingKeyFallback = signingKeyFallback;
      return this;
    }

    /** The event key for {@code Step.sendEvent}; prefer {@code INNGEST_EVENT_KEY}. */
    public Builder eventKey(@Nullable String eventKey) {
      this.eventKey = eventKey;
      return this;
    }

    /** Dev mode: no signing key needed, re-entry signatures not verified. Never in production. */
    public Builder dev(boolean dev) {
      this.dev = dev;
      return this;
    }

    /**
     * The app's public origin ({@code https://api.example.com}) that the orchestrator calls for
     * re-entries: scheme, host and optional port, no path. Unset: {@code INNGEST_SERVE_ORIGIN}. Outside
     * dev mode one of them (or {@link #trustForwardedOrigin}) is required, so that a request's
     * {@code Host} header cannot send signed re-entries elsewhere; in dev mode, unset means each
     * request's own scheme and {@code Host}. A trailing {@code /} is dropped.
     *
     * @throws IllegalArgumentException if {@code domain} is not an absolute http(s) origin
     */
    public Builder domain(@Nullable String domain) {
      this.domain = domain == null || domain.isBlank() ? null : CallbackOrigin.parse("domain", domain);
      return this;
    }

    /**
     * Takes the origin of re-entries from each request's {@code X-Forwarded-Proto} and {@code
     * X-Forwarded-Host} (first values), falling back to its scheme and {@code Host}. Only for apps
     * that every request reaches through a proxy that overwrites both headers: otherwise a client
     * chooses where the orchestrator sends signed requests. A {@link #domain} wins over it. Default
     * false.
     */
    public Builder trustForwardedOrigin(boolean trust) {
      this.trustForwardedOrigin = trust;
      return this;
    }

    /** Records runs of endpoints that call no step, too. */
    public Builder trackAllEndpoints(boolean track) {
      this.trackAllEndpoints = track;
      return this;
    }

    /** The answer when a run turns asynchronous, unless a handler chooses another. */
    public Builder defaultAsyncResponse(AsyncResponse response) {
      this.defaultAsyncResponse = Objects.requireNonNull(response, "response == null");
      return this;
    }

    /** Response bytes held back so that an async switch can still redirect. */
    public Builder maxBufferedResponseBytes(int bytes) {
      this.maxBufferedResponseBytes = positive("maxBufferedResponseBytes", bytes);
      return this;
    }

    /**
     * Request body bytes kept so that re-entries replay the body (a user's multipart body is never
     * kept: its re-entries see an empty body and no parts). Also the largest re-entry body that can
     * be verified: a larger one is answered {@code 401}.
     */
    public Builder maxCapturedRequestBytes(int bytes) {
      this.maxCapturedRequestBytes = positive("maxCapturedRequestBytes", bytes);
      return this;
    }

    /**
     * How long the async switch (and, with {@link #durableResponses}, a finished request) waits for
     * the orchestrator to acknowledge the run before answering 503.
     */
    public Builder asyncSwitchTimeout(Duration timeout) {
      this.asyncSwitchTimeout = positive("asyncSwitchTimeout", timeout);
      return this;
    }

    /**
     * Holds each finished request's response until the orchestrator has acknowledged every
     * checkpoint of its run, completion included, so that a 2xx always names a stored run; a run not
     * acknowledged within {@link #asyncSwitchTimeout} is answered 503 instead. Costs the user one
     * orchestrator round trip per request. Default false: the response goes out first and the run
     * is recorded in the background (a run can go unrecorded if the app dies in between or the
     * orchestrator is down). Responses larger than {@link #maxBufferedResponseBytes}, and those of
     * async servlets, cannot be held and go out as usual.
     */
    public Builder durableResponses(boolean durable) {
      this.durableResponses = durable;
      return this;
    }

    /**
     * How long a step waits for room in the checkpoint queue when the orchestrator answers but
     * slower than the app produces steps (backpressure). Past it the step is not recorded and the
     * request is answered 503 {@code orchestrator_busy}. An orchestrator that does not answer at all
     * is not waited for: the run's checkpoints are dropped, logged and counted ({@link
     * StepHttp#checkpointStats()}).
     */
    public Builder checkpointBackpressureTimeout(Duration timeout) {
      this.checkpointBackpressureTimeout = positive("checkpointBackpressureTimeout", timeout);
      return this;
    }

    /** Attempts per orchestrator call, and the first retry delay (doubling, plus jitter). */
    public Builder apiRetries(int attempts, Duration firstDelay) {
      if (attempts < 1) {
        throw new IllegalArgumentException("attempts must be at least 1, was " + attempts);
      }
      this.apiAttempts = attempts;
      this.apiRetryDelay = Objects.requireNonNull(firstDelay, "firstDelay == null");
      return this;
    }

    /** The environment variables to read (tests); default {@link System#getenv()}. */
    Builder environment(Map<String, String> environment) {
      this.environment = Map.copyOf(environment);
      return this;
    }

    /** Builds the configuration; the environment is read when the filter starts. */
    public StepHttpConfig build() {
      return new StepHttpConfig(this);
    }

    /**
     * Ops of sync-phase runs waiting to be sent, across requests: the memory the checkpoint queue may
     * hold. A full queue applies {@link #checkpointBackpressureTimeout}.
     */
    public Builder checkpointQueueCapacity(int ops) {
      this.checkpointQueueCapacity = positive("checkpointQueueCapacity", ops);
      return this;
    }

    /**
     * How long a run's first steps wait for the rest of the request before they are sent. A request
     * that ends within it, or reaches its async switch, records its run in one call (the run and
     * all its steps); a longer one sends its first steps when it passes, and later steps at once.
     * The user's response never waits for it. Zero sends every step at once (a run then costs at
     * least two orchestrator calls: its creation, then the rest).
     */
    public Builder checkpointLinger(Duration linger) {
      Objects.requireNonNull(linger, "checkpointLinger == null");
      if (linger.isNegative()) {
        throw new IllegalArgumentException("checkpointLinger must not be negative, was " + linger);
      }
      this.checkpointLinger = linger;
      return this;
    }

    /**
     * Threads that run the steps of {@code Step.all} and {@code Step.race}, shared by every request
     * of this filter: at most this many such steps run at once, more wait for a thread. A step that
     * waits for a sibling (a latch, a queue) needs them to run together, so keep it above the
     * largest group times the requests that run groups at once.
     */
    public Builder parallelStepThreads(int threads) {
      this.parallelStepThreads = positive("parallelStepThreads", threads);
      return this;
    }

    private static Duration positive(String name, Duration value) {
      Objects.requireNonNull(value, name + " == null");
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, was " + value);
      }
      return value;
    }

    private static int positive(String name, int value) {
      if (value < 1) {
        throw new IllegalArgumentException(name + " must be positive, was " + value);
      }
      return value;
    }
  }
}
