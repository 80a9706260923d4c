package dev.stephttp.orchestrator;

import dev.stephttp.orchestrator.engine.AppOrigins;
import dev.stephttp.orchestrator.store.DatabaseLock;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Command line entry point of the shaded jar:
 * {@code java -jar stephttp-orchestrator.jar --port 8288 --db stephttp.db
 * [--dev | --signing-key KEY [--signing-key-fallback KEY]] [--event-key KEY]
 * [--rate-read RATE:BURST ...]} ({@code --help} lists every option).
 * Stops gracefully on SIGTERM/SIGINT. Not meant to be instantiated.
 */
public final class Main {
  private static final String USAGE = String.join("\n",
      "Usage: java -jar stephttp-orchestrator.jar [options]",
      "",
      "  --port N                   TCP port (default 8288; 0 = any free port)",
      "  --host ADDR                interface to bind (default 127.0.0.1)",
      "  --db FILE                  SQLite database file (default ./stephttp.db)",
      "  --dev                      dev mode: accept any bearer token and any event key",
      "  --signing-key KEY          required bearer key; signs re-entries",
      "  --signing-key-fallback KEY also accepted (key rotation)",
      "  --event-key KEY            accepted key for POST /e/{key} (repeatable)",
      "  --retry-interval-ms N      fixed retry backoff instead of the upstream table",
      "  --connection-retries N     tries again of a re-entry that did not reach the app, from",
      "                             500 ms doubling up to 20 s; not step retries (default 10)",
      "  --orphan-timeout-ms N      a run in a user's request with no checkpoint this long is",
      "                             re-entered, then failed (default 600000 = 10 minutes)",
      "  --app-origin URL           callback origin runs may name, e.g. https://app.example.com",
      "                             (repeatable); others get 400 and are never called back",
      "                             (default: any origin; recommended outside --dev)",
      "  --reentry-timeout-ms N     timeout of one re-entry call; a call cut by it counts as a",
      "                             connection failure (default 300000 = 5 minutes)",
      "  --reentry-concurrency N    re-entry calls at once, in all (default 32)",
      "  --reentry-concurrency-per-origin N",
      "                             re-entry calls at once to one app origin (default 8)",
      "  --reentry-fan-out-per-run N  re-entry calls at once for one run's parallel steps",
      "                             (default 4)",
      "  --no-group-commit          one transaction and fsync per write (benchmarking only)",
      "  --cors-origin ORIGIN       browser origin allowed to call /api/v2 (repeatable)",
      "  --help                     print this help",
      "",
      "Management API rate limits, per signing key or dashboard session (RATE:BURST = requests",
      "per hour sustained : extra requests allowed at once):",
      "  --rate-limit on|off        limit at all (default on; in --dev only when limits are given)",
      "  --rate-read RATE:BURST     GET requests (default 36000:300, i.e. 10/s)",
      "  --rate-global RATE:BURST   reads and cancels together (default 36000:300)",
      "  --rate-write RATE:BURST    cancels (default 3600:60)",
      "  --rate-events RATE:BURST   sent events and reruns (default 18000:300)",
      "  --rate-auth-failures RATE:BURST  failed authentications per client IP (default 120:20)",
      "  --rate-login RATE:BURST    login attempts per client IP (default 60:10)",
      "",
      "Environment, used when the matching option is absent: INNGEST_SIGNING_KEY,",
      "INNGEST_SIGNING_KEY_FALLBACK, INNGEST_EVENT_KEY, STEPHTTP_APP_ORIGINS (comma-separated),",
      "STEPHTTP_RATE_LIMIT, STEPHTTP_RATE_READ,",
      "STEPHTTP_RATE_GLOBAL, STEPHTTP_RATE_WRITE, STEPHTTP_RATE_EVENTS,",
      "STEPHTTP_RATE_AUTH_FAILURES, STEPHTTP_RATE_LOGIN.",
      "");
  private static final String JETTY_LOG_LEVEL = "org.slf4j.simpleLogger.log.org.eclipse.jetty";
  private static final List<String> RATE_OPTIONS = List.of("read", "global", "write", "events",
      "auth-failures", "login");

  private Main() {}

  /** Runs the orchestrator until the process is terminated. */
  public static void main(String[] args) throws InterruptedException {
    // The console belongs to the operator: Jetty's version banner and lifecycle lines are noise
    // there (a busy port, for one, should read as one line). -D... overrides it.
    if (System.getProperty(JETTY_LOG_LEVEL) == null) {
      System.setProperty(JETTY_LOG_LEVEL, "warn");
    }
    int code = run(args, System.out, System.err);
    if (code >= 0) {
      System.exit(code);
    }
  }

  /** Parses and starts; returns an exit code, or -1 after a clean shutdown signal. */
  static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
    if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
      out.print(USAGE);
      return 0;
    }
    Parsed parsed;
    try {
      parsed = parse(args, System.getenv());
    } catch (RuntimeException e) {
      err.println("error: " + e.getMessage());
      err.print(USAGE);
      return 2;
    }
    Orchestrator orchestrator;
    try {
      orchestrator = parsed.builder().start();
    } catch (RuntimeException e) {
      if (portInUse(e)) {
        err.println("port " + parsed.port() + " is already in use; pass --port N");
        return 2;
      }
      if (e instanceof DatabaseLock.InUse) {
        err.println(e.getMessage());
        return 2;
      }
      err.println("error: cannot start: " + e.getMessage());
      return 1;
    }
    out.println("stephttp orchestrator listening on " + orchestrator.baseUrl()
        + " (dashboard: " + orchestrator.baseUrl() + "/)");
    out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      orchestrator.close(); // SIGTERM: stop accepting, let in-flight work end, close the store
      stopped.countDown();
    }, "stephttp-shutdown"));
    stopped.await();
    return -1;
  }

  /** A validated builder and the port it will bind. */
  record Parsed(Orchestrator.Builder builder, int port) {}

  /** Options, then the environment for what they leave unset; throws IAE on a bad value. */
  static Parsed parse(String[] args, Map<String, String> env) {
    Orchestrator.Builder b = Orchestrator.builder();
    Map<String, String> given = new HashMap<>(); // option name without "--" -> value
    int port = 8288;
    List<String> appOrigins = new java.util.ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--dev" -> b.dev(true);
        case "--port" -> {
          port = parseInt(a, value(args, ++i, a));
          b.port(port);
        }
        case "--host" -> b.host(value(args, ++i, a));
        case "--db" -> b.database(Path.of(value(args, ++i, a)));
        case "--signing-key", "--signing-key-fallback", "--rate-limit" ->
            given.put(a.substring(2), value(args, ++i, a));
        case "--event-key" -> {
          b.eventKey(value(args, ++i, a));
          given.put("event-key", "");
        }
        case "--retry-interval-ms" ->
            b.retryBackoff(Duration.ofMillis(parseInt(a, value(args, ++i, a))));
        case "--connection-retries" ->
            b.connectionRetries(parseInt(a, value(args, ++i, a)), Duration.ofMillis(500));
        case "--orphan-timeout-ms" ->
            b.orphanTimeout(Duration.ofMillis(parseInt(a, value(args, ++i, a))));
        case "--app-origin" -> appOrigins.add(appOrigin(a, value(args, ++i, a)));
        case "--reentry-timeout-ms" ->
            b.reentryTimeout(Duration.ofMillis(parseInt(a, value(args, ++i, a))));
        case "--reentry-concurrency" -> b.reentryConcurrency(parseInt(a, value(args, ++i, a)));
        case "--reentry-concurrency-per-origin" ->
            b.reentryConcurrencyPerOrigin(parseInt(a, value(args, ++i, a)));
        case "--reentry-fan-out-per-run" -> b.reentryFanOutPerRun(parseInt(a, value(args, ++i, a)));
        case "--no-group-commit" -> b.groupCommit(false);
        case "--cors-origin" -> b.corsOrigin(value(args, ++i, a));
        default -> {
          if (a.startsWith("--rate-") && RATE_OPTIONS.contains(a.substring(7))) {
            given.put(a.substring(2), value(args, ++i, a));
          } else {
            throw new IllegalArgumentException("unknown option " + a);
          }
        }
      }
    }
    String key = option(given, env, "signing-key", "INNGEST_SIGNING_KEY");
    if (key != null) {
      b.signingKey(key);
    }
    String fallback = option(given, env, "signing-key-fallback", "INNGEST_SIGNING_KEY_FALLBACK");
    if (fallback != null) {
      b.signingKeyFallback(fallback);
    }
    String eventKey = env.get("INNGEST_EVENT_KEY");
    if (!given.containsKey("event-key") && eventKey != null && !eventKey.isEmpty()) {
      b.eventKey(eventKey);
    }
    String envOrigins = env.get("STEPHTTP_APP_ORIGINS");
    if (appOrigins.isEmpty() && envOrigins != null) {
      for (String o : envOrigins.split(",", -1)) {
        if (!o.isBlank()) {
          appOrigins.add(appOrigin("STEPHTTP_APP_ORIGINS", o));
        }
      }
    }
    if (!appOrigins.isEmpty()) {
      b.appOrigins(appOrigins.toArray(String[]::new));
    }
    RateLimits limits = rateLimits(given, env);
    if (limits != null) {
      b.rateLimits(limits);
    }
    b.settings(); // validate before binding anything
    return new Parsed(b, port);
  }

  /**
   * The configured limits, or null for the builder's default (on, off in dev mode). A category
   * option alone turns limiting on, also in dev mode.
   */
  private static RateLimits rateLimits(Map<String, String> given, Map<String, String> env) {
    RateLimits.Builder limits = RateLimits.builder();
    boolean configured = false;
    for (String name : RATE_OPTIONS) {
      String v = option(given, env, "rate-" + name,
          "STEPHTTP_RATE_" + name.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
      if (v == null) {
        continue;
      }
      configured = true;
      RateLimits.Limit l = limit("--rate-" + name, v);
      switch (name) {
        case "read" -> limits.read(l);
        case "global" -> limits.global(l);
        case "write" -> limits.write(l);
        case "events" -> limits.events(l);
        case "auth-failures" -> limits.authFailures(l);
        default -> limits.logins(l);
      }
    }
    String onOff = option(given, env, "rate-limit", "STEPHTTP_RATE_LIMIT");
    if (onOff != null) {
      switch (onOff.trim().toLowerCase(java.util.Locale.ROOT)) {
        case "on", "true", "1" -> limits.enabled(true);
        case "off", "false", "0" -> limits.enabled(false);
        default -> throw new IllegalArgumentException("--rate-limit must be on or off but was '"
            + onOff + "'");
      }
      return limits.build();
    }
    return configured ? limits.build() : null;
  }

  /** Parses {@code RATE:BURST}, e.g. {@code 36000:300}. */
  static RateLimits.Limit limit(String option, String value) {
    String[] parts = value.trim().split(":", -1);
    try {
      if (parts.length == 2) {
        return RateLimits.Limit.of(Long.parseLong(parts[0].trim()),
            Long.parseLong(parts[1].trim()));
      }
    } catch (NumberFormatException e) {
      // reported below
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
    }
    throw new IllegalArgumentException(option + " must be RATE:BURST (requests per hour :"
        + " burst, e.g. 36000:300) but was '" + value + "'");
  }

  private static String option(Map<String, String> given, Map<String, String> env,
      String name, String envVar) {
    String v = given.get(name);
    if (v == null) {
      v = env.get(envVar);
    }
    return v == null || v.isEmpty() ? null : v;
  }

  /** Validates one app origin, naming where it came from when it is not one. */
  private static String appOrigin(String source, String value) {
    try {
      return AppOrigins.parse(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
    }
  }

  private static int parseInt(String option, String value) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " must be a number but was '" + value + "'", e);
    }
  }

  /** Whether starting failed because the port is taken (Jetty wraps the BindException). */
  static boolean portInUse(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.net.BindException && String.valueOf(t.getMessage())
          .toLowerCase(java.util.Locale.ROOT).contains("in use")) {
        return true;
      }
    }
    return false;
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }
}
