package dev.stephttp.orchestrator;

import dev.stephttp.orchestrator.dispatch.Scheduler;
import dev.stephttp.orchestrator.engine.AppOrigins;
import dev.stephttp.orchestrator.engine.CelMatcher;
import dev.stephttp.orchestrator.engine.Engine;
import dev.stephttp.orchestrator.engine.OutputWaiters;
import dev.stephttp.orchestrator.engine.Settings;
import dev.stephttp.orchestrator.engine.StreamCounts;
import dev.stephttp.orchestrator.management.ApiRoutes;
import dev.stephttp.orchestrator.management.Dashboard;
import dev.stephttp.orchestrator.management.ManagementServlet;
import dev.stephttp.orchestrator.protocol.Auth;
import dev.stephttp.orchestrator.protocol.EventEndpoint;
import dev.stephttp.orchestrator.protocol.OutputEndpoint;
import dev.stephttp.orchestrator.protocol.ProtocolServlet;
import dev.stephttp.orchestrator.protocol.RealtimeEndpoint;
import dev.stephttp.orchestrator.protocol.Tokens;
import dev.stephttp.orchestrator.store.DatabaseLock;
import dev.stephttp.orchestrator.store.SqliteStore;
import dev.stephttp.orchestrator.store.Store;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running single-node, Inngest-compatible orchestrator: checkpoint API, run-output endpoint,
 * durable store (SQLite, or a temporary SQLite database), timers, retries and events, served by embedded Jetty.
 *
 * <pre>{@code
 * try (Orchestrator o = Orchestrator.builder().port(8288).database(Path.of("stephttp.db"))
 *     .dev(true).start()) {
 *   System.out.println(o.baseUrl());
 * }
 * }</pre>
 *
 * <p>Thread-safe. {@link #close()} stops accepting requests, lets in-flight re-entries finish
 * for a few seconds and closes the store; pending work resumes on the next start, except that a
 * re-entry still in flight then (the app may still be running it) is sent again only once its
 * lease ({@link Builder#reentryTimeout} plus a margin) has expired.
 */
public final class Orchestrator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Orchestrator.class);

  private final Server server;
  private final DatabaseLock lock;
  private final Store store;
  private final Scheduler scheduler;
  private final Engine engine;
  private final OutputWaiters waiters;
  private RealtimeEndpoint realtime;
  private final String baseUrl;
  private final int port;
  private final java.util.concurrent.atomic.AtomicBoolean closing =
      new java.util.concurrent.atomic.AtomicBoolean();

  private Orchestrator(Builder b) throws Exception {
    Settings settings = b.settings();
    lock = b.database == null ? null : DatabaseLock.acquire(b.database);
    try {
      store = b.database == null ? SqliteStore.temporary()
          : new SqliteStore(b.database, b.groupCommit);
    } catch (RuntimeException e) {
      if (lock != null) {
        lock.close();
      }
      throw e;
    }
    waiters = new OutputWaiters();
    try {
      Clock clock = b.clock;
      scheduler = new Scheduler(settings, clock);
      engine = new Engine(store, settings, clock, new CelMatcher(), waiters, scheduler);
      Tokens tokens = new Tokens(store.secret("output-token"), clock);
      Auth auth = new Auth(settings);
      OutputEndpoint output = new OutputEndpoint(store, tokens, waiters, settings.outputMaxWait());
      EventEndpoint events = new EventEndpoint(engine, auth, clock);
      StreamCounts streams = new StreamCounts();
      realtime = new RealtimeEndpoint(auth, tokens, store, waiters, streams, clock, b.realtimeKeepAlive,
          Duration.ofSeconds(2));
      ProtocolServlet servlet = new ProtocolServlet(store, engine, tokens, auth, output, events,
          realtime, settings.appOrigins(), clock, Orchestrator::dashboardFile);
      RateLimits limits = b.rateLimits != null ? b.rateLimits
          : settings.dev() ? RateLimits.off() : RateLimits.defaults(); // §3.1: off in dev mode
      ManagementServlet management = ApiRoutes.servlet(store, engine, streams, settings, limits.quotas(),
          java.util.Set.copyOf(b.corsOrigins), clock, scheduler::millisSinceTick, closing::get);
      server = server(b.host, b.port, servlet);
      Dashboard.mount((ServletContextHandler) server.getHandler(), management);
      server.start(); // fails fast on a busy port, before any timer thread exists
      try {
        scheduler.start(engine); // work scheduled by early requests is queued, not lost
      } catch (RuntimeException e) {
        server.stop();
        throw e;
      }
      port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
      String host = b.host.contains(":") ? "[" + b.host + "]" : b.host;
      baseUrl = "http://" + host + ":" + port;
      LOG.info("orchestrator listening on {} ({}, {})", baseUrl,
          b.database == null ? "temporary database" : "database " + b.database,
          settings.dev() ? "dev mode" : "signing key required");
      if (settings.appOrigins().unrestricted() && !settings.dev()) {
        LOG.info("re-entries go to whatever origin a create-run names (event.data.domain);"
            + " setting {} to your apps' origins is recommended", AppOrigins.SETTING);
      } else if (!settings.appOrigins().unrestricted()) {
        LOG.info("re-entries only go to {}", settings.appOrigins().allowed());
      }
    } catch (Exception | Error e) {
      if (realtime != null) {
        realtime.close();
      }
      waiters.close();
      store.close();
      if (lock != null) {
        lock.close();
      }
      throw e;
    }
  }

  /** The protocol servlet's fallback: the dashboard's static files at any asset path. */
  private static boolean dashboardFile(HttpServletRequest req, HttpServletResponse resp,
      String path) throws java.io.IOException {
    if (!Dashboard.has(path)) {
      return false;
    }
    Dashboard.serve(req, resp);
    return true;
  }

  private static Server server(String host, int port, ProtocolServlet servlet) {
    QueuedThreadPool threads = new QueuedThreadPool(200, 4);
    threads.setName("stephttp-http");
    threads.setDaemon(true);
    threads.setStopTimeout(200);
    Server server = new Server(threads);
    HttpConfiguration config = new HttpConfiguration();
    config.setSendServerVersion(false);
    // docs/protocol.md §2.0: a base URL ending in "/" makes the Go client send "//v1/...".
    // docs/management-api.md §2.9: app and function IDs carry %2F inside one segment.
    config.setUriCompliance(UriCompliance.DEFAULT.with("stephttp",
        UriCompliance.Violation.AMBIGUOUS_EMPTY_SEGMENT,
        UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR,
        UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING));
    config.setRequestHeaderSize(16 * 1024); // targets over 8 KiB get the API's own 414
    // Jetty reuses a header seen earlier on the same connection when a new one matches it ignoring
    // case; keys and session tokens are case-sensitive, so a case-altered credential must not be
    // read as the genuine one sent before it (ManagementHttpTest).
    config.setHeaderCacheCaseSensitive(true);
    // And no per-connection header cache at all: a header is never read as one sent before it,
    // and looking each header up in the cache cost more CPU than reading it afresh (2% of the
    // orchestrator's samples; BENCHMARKS.md, issue 10).
    config.setHeaderCacheSize(0);
    ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(config));
    connector.setHost(host);
    connector.setPort(port);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    context.getServletHandler().setDecodeAmbiguousURIs(true);
    ServletHolder holder = new ServletHolder("api", servlet);
    holder.setAsyncSupported(true);
    context.addServlet(holder, "/*");
    server.setHandler(context);
    server.setStopTimeout(500);
    return server;
  }

  /** A new builder; see {@link Builder} for defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts an orchestrator in dev mode with a temporary store ({@link Builder#inMemoryStore()})
   * on a free loopback port (tests, demos). Close it when done.
   */
  public static Orchestrator inMemory() {
    return builder().dev(true).port(0).inMemoryStore().start();
  }

  /** Base URL of the API, e.g. {@code http://127.0.0.1:8288} (no trailing slash). */
  public String baseUrl() {
    return baseUrl;
  }

  /** The bound port. */
  public int port() {
    return port;
  }

  Store store() {
    return store;
  }

  Scheduler scheduler() {
    return scheduler;
  }

  Engine engine() {
    return engine;
  }

  OutputWaiters waiters() {
    return waiters;
  }

  @Override
  public void close() {
    closing.set(true); // /api/v2/ready answers shutting_down
    waiters.stopAll(); // parked output requests get "still running" + Retry-After, not a reset
    try {
      server.stop();
    } catch (java.util.concurrent.TimeoutException e) {
      LOG.debug("graceful stop timed out; remaining connections were closed");
    } catch (Exception e) {
      LOG.warn("stopping the HTTP server failed", e);
    }
    scheduler.close();
    realtime.close();
    waiters.close();
    store.close();
    if (lock != null) {
      lock.close(); // only now may another orchestrator take the database over
    }
  }

  /**
   * Builds and starts an {@link Orchestrator}. Defaults: host {@code 127.0.0.1}, port 8288,
   * database {@code ./stephttp.db}, not dev mode (then a signing key is required), no event
   * keys (dev mode accepts any non-empty key), sync-retry backoff 5 s, retry backoff table of
   * docs/protocol.md §9.3 with 0–30 s jitter, output max wait 5 minutes, any app origin,
   * re-entry timeout 5 minutes, 32 concurrent re-entries and 8 per app origin, 10 connection
   * retries from 500 ms (about 2 minutes), orphan timeout 10 minutes, management API rate limits
   * {@link RateLimits#defaults()} (none in dev mode). Not thread-safe.
   */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int port = 8288;
    private Path database = Path.of("stephttp.db");
    private boolean dev;
    private String signingKey;
    private String signingKeyFallback;
    private final List<String> eventKeys = new ArrayList<>();
    private Duration syncRetryBackoff = Duration.ofSeconds(5);
    private List<Duration> retryBackoff = Settings.UPSTREAM_BACKOFF;
    private Duration retryJitter = Duration.ofSeconds(30);
    private Duration outputMaxWait = Duration.ofMinutes(5);
    private Duration reentryTimeout = Duration.ofMinutes(5);
    private int reentryConcurrency = 32;
    private int reentryConcurrencyPerOrigin = 8;
    private int reentryFanOutPerRun = 4;
    private List<String> appOrigins = List.of();
    private int connectionRetries = 10;
    private Duration connectionRetryDelay = Duration.ofMillis(500);
    private Duration orphanTimeout = Duration.ofMinutes(10);
    private boolean groupCommit = true;
    private final List<String> corsOrigins = new ArrayList<>();
    private RateLimits rateLimits;
    private Clock clock = Clock.systemUTC();
    private Duration realtimeKeepAlive = Duration.ofSeconds(15);

    private Builder() {}

    /**
     * Adds an origin (exact match, e.g. {@code https://ops.example.com}) allowed to call the
     * management API cross-origin with credentials. None by default; dev mode also allows
     * loopback origins.
     */
    public Builder corsOrigin(String origin) {
      Objects.requireNonNull(origin, "origin == null");
      if (origin.contains("*")) {
        throw new IllegalArgumentException("corsOrigin must be an exact origin, not a wildcard");
      }
      corsOrigins.add(origin);
      return this;
    }

    /**
     * Rate limits of the management API, e.g. {@code RateLimits.builder().read(Limit.of(72_000,
     * 500)).build()} or {@link RateLimits#off()}. Default {@link RateLimits#defaults()}, except
     * in dev mode, where nothing is limited unless limits are given here.
     */
    public Builder rateLimits(RateLimits limits) {
      this.rateLimits = Objects.requireNonNull(limits, "limits == null");
      return this;
    }

    /** How often realtime subscribers get a keepalive comment, default 15 s (tests). */
    Builder realtimeKeepAlive(Duration period) {
      if (period.isNegative() || period.isZero()) {
        throw new IllegalArgumentException("realtimeKeepAlive must be positive, was " + period);
      }
      this.realtimeKeepAlive = period;
      return this;
    }

    /** The one clock every part of the orchestrator reads the time from (tests). */
    Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock == null");
      return this;
    }

    /** Interface to bind, default {@code 127.0.0.1}. */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host == null");
      return this;
    }

    /** TCP port, 0 for any free port; default 8288. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be in 0..65535 but was " + port);
      }
      this.port = port;
      return this;
    }

    /** SQLite database file (created if missing); default {@code ./stephttp.db}. */
    public Builder database(Path database) {
      this.database = Objects.requireNonNull(database, "database == null");
      return this;
    }

    /**
     * Keeps the state in a temporary SQLite database, deleted on {@link Orchestrator#close()},
     * instead of {@link #database}: nothing survives a restart.
     */
    public Builder inMemoryStore() {
      this.database = null;
      return this;
    }

    /** Dev mode: any bearer token is accepted and any non-empty event key. Default false. */
    public Builder dev(boolean dev) {
      this.dev = dev;
      return this;
    }

    /** Signing key: required bearer (raw or hashed, §2.0) and re-entry signatures (§5.2). */
    public Builder signingKey(String key) {
      this.signingKey = Objects.requireNonNull(key, "key == null");
      return this;
    }

    /** Fallback signing key, also accepted as bearer. */
    public Builder signingKeyFallback(String key) {
      this.signingKeyFallback = Objects.requireNonNull(key, "key == null");
      return this;
    }

    /** Adds an accepted event key for {@code POST /e/{key}}. */
    public Builder eventKey(String key) {
      Objects.requireNonNull(key, "key == null");
      if (key.isEmpty()) {
        throw new IllegalArgumentException("eventKey must not be empty");
      }
      eventKeys.add(key);
      return this;
    }

    /** Fixed delay for every retry (sync and async), without jitter (like {@code --retry-interval}). */
    public Builder retryBackoff(Duration fixed) {
      requirePositiveOrZero(fixed, "retryBackoff");
      this.syncRetryBackoff = fixed;
      this.retryBackoff = List.of(fixed);
      this.retryJitter = Duration.ZERO;
      return this;
    }

    /** How long the output endpoint blocks before answering "running"; default 5 minutes. */
    public Builder outputMaxWait(Duration wait) {
      requirePositiveOrZero(wait, "outputMaxWait");
      this.outputMaxWait = wait;
      return this;
    }

    /**
     * The callback origins ({@code scheme://host[:port]}, e.g. {@code https://app.example.com})
     * runs may name in {@code event.data.domain}, replacing any given before. A create-run naming
     * another origin answers {@code 400} and stores nothing, and re-entries (signed requests) only
     * ever go to these origins. None given (the default): any origin, as the signing key's
     * holders choose; outside dev mode setting this is recommended.
     *
     * @throws IllegalArgumentException when a value is not such an origin
     */
    public Builder appOrigins(String... origins) {
      Objects.requireNonNull(origins, "origins == null");
      this.appOrigins = List.copyOf(AppOrigins.of(List.of(origins)).allowed());
      return this;
    }

    /**
     * Timeout of one re-entry call, the whole exchange (a re-entry runs one step); a call cut
     * by it counts as not reaching the app ({@link #connectionRetries}). The dispatched re-entry
     * stays leased this long plus a margin, also across a restart. Default 5 minutes.
     */
    public Builder reentryTimeout(Duration timeout) {
      requirePositiveOrZero(timeout, "reentryTimeout");
      if (timeout.isZero()) {
        throw new IllegalArgumentException("reentryTimeout must be positive");
      }
      this.reentryTimeout = timeout;
      return this;
    }

    /** Maximum concurrent re-entry calls in all; default 32. */
    public Builder reentryConcurrency(int n) {
      if (n < 1 || n > 1024) {
        throw new IllegalArgumentException("reentryConcurrency must be in 1..1024 but was " + n);
      }
      this.reentryConcurrency = n;
      return this;
    }

    /**
     * Maximum concurrent re-entry calls to one callback origin (scheme, host and port), so that
     * one slow app cannot hold every re-entry thread; its other re-entries wait their turn.
     * Default 8.
     */
    public Builder reentryConcurrencyPerOrigin(int n) {
      if (n < 1 || n > 1024) {
        throw new IllegalArgumentException("reentryConcurrencyPerOrigin must be in 1..1024 but was "
            + n);
      }
      this.reentryConcurrencyPerOrigin = n;
      return this;
    }

    /**
     * Maximum concurrent re-entry calls that execute planned steps of one run (its parallel steps,
     * each re-entered with {@code X-Inngest-Step-ID}); a run's further planned steps wait their
     * turn, and a re-entry of the whole handler always runs alone. Default 4.
     */
    public Builder reentryFanOutPerRun(int n) {
      if (n < 1 || n > 1024) {
        throw new IllegalArgumentException("reentryFanOutPerRun must be in 1..1024 but was " + n);
      }
      this.reentryFanOutPerRun = n;
      return this;
    }

    /**
     * How often a re-entry that did not reach the app (connection refused or reset, closed
     * before an answer, timed out) is tried again before the run fails ({@code AppUnreachable}),
     * and the first delay; each next delay doubles, up to 20 s. These tries do not use up the
     * step's retries: an app restart or a dropped connection costs none. A pooled connection
     * found dead is replaced by a fresh one at once, without counting. Default 10 retries from
     * 500 ms (about 2 minutes in all).
     */
    public Builder connectionRetries(int retries, Duration firstDelay) {
      if (retries < 0 || retries > 1000) {
        throw new IllegalArgumentException("connectionRetries must be in 0..1000 but was "
            + retries);
      }
      requirePositiveOrZero(firstDelay, "firstDelay");
      this.connectionRetries = retries;
      this.connectionRetryDelay = firstDelay;
      return this;
    }

    /**
     * How long a run still in the user's request (its sync phase) may go without a checkpoint
     * while nothing else is pending for it, before the orchestrator concludes the app stopped
     * reporting (it crashed mid-request) and re-enters the run itself; after 3 such tries, or
     * when the app cannot be reached, the run fails with {@code app_stopped_reporting} instead
     * of staying RUNNING. Must exceed the longest step a handler runs inside a user's request:
     * a request still running that step would be re-entered beside it. Default 10 minutes.
     */
    public Builder orphanTimeout(Duration timeout) {
      requirePositiveOrZero(timeout, "orphanTimeout");
      if (timeout.isZero()) {
        throw new IllegalArgumentException("orphanTimeout must be positive");
      }
      this.orphanTimeout = timeout;
      return this;
    }

    /**
     * Whether concurrent writes share one transaction (default true). Off, every write commits
     * and fsyncs alone; only useful to measure what group commit buys.
     */
    public Builder groupCommit(boolean groupCommit) {
      this.groupCommit = groupCommit;
      return this;
    }

    private static void requirePositiveOrZero(Duration d, String name) {
      Objects.requireNonNull(d, name + " == null");
      if (d.isNegative()) {
        throw new IllegalArgumentException(name + " must not be negative but was " + d);
      }
    }

    Settings settings() {
      if (!dev && (signingKey == null || signingKey.isEmpty())) {
        throw new IllegalStateException("either dev(true) or a signingKey is required");
      }
      return new Settings(dev, signingKey, signingKeyFallback, List.copyOf(eventKeys),
          syncRetryBackoff, retryBackoff, retryJitter, outputMaxWait, reentryTimeout,
          reentryConcurrency, reentryConcurrencyPerOrigin, reentryFanOutPerRun, connectionRetries,
          connectionRetryDelay, orphanTimeout, AppOrigins.of(appOrigins));
    }

    /**
     * Starts the orchestrator; fails if the port or database cannot be opened, or if another
     * orchestrator (in any process) holds the database file.
     */
    public Orchestrator start() {
      try {
        return new Orchestrator(this);
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException("orchestrator failed to start: " + e.getMessage(), e);
      }
    }
  }
}
