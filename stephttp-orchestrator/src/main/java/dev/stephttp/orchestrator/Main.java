package dev.stephttp.orchestrator;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Command line entry point of the shaded jar:
 * {@code java -jar stephttp-orchestrator.jar --port 8288 --db stephttp.db
 * [--dev | --signing-key KEY [--signing-key-fallback KEY]] [--event-key KEY]}.
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
      "  --no-group-commit          one transaction and fsync per write (benchmarking only)",
      "  --cors-origin ORIGIN       browser origin allowed to call /api/v2 (repeatable)",
      "  --help                     print this help",
      "",
      "Environment: INNGEST_SIGNING_KEY, INNGEST_SIGNING_KEY_FALLBACK, INNGEST_EVENT_KEY are",
      "used when the matching option is absent.",
      "");

  private Main() {}

  /** Runs the orchestrator until the process is terminated. */
  public static void main(String[] args) throws InterruptedException {
    int code = run(args, System.out, System.err);
    if (code >= 0) {
      System.exit(code);
    }
  }

  /** Parses and starts; returns an exit code, or -1 after a clean shutdown signal. */
  static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
    Orchestrator.Builder b = Orchestrator.builder();
    boolean keyGiven = false;
    boolean fallbackGiven = false;
    boolean eventKeyGiven = false;
    try {
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--help", "-h" -> {
            out.print(USAGE);
            return 0;
          }
          case "--dev" -> b.dev(true);
          case "--port" -> b.port(Integer.parseInt(value(args, ++i, a)));
          case "--host" -> b.host(value(args, ++i, a));
          case "--db" -> b.database(Path.of(value(args, ++i, a)));
          case "--signing-key" -> {
            b.signingKey(value(args, ++i, a));
            keyGiven = true;
          }
          case "--signing-key-fallback" -> {
            b.signingKeyFallback(value(args, ++i, a));
            fallbackGiven = true;
          }
          case "--event-key" -> {
            b.eventKey(value(args, ++i, a));
            eventKeyGiven = true;
          }
          case "--retry-interval-ms" -> b.retryBackoff(
              java.time.Duration.ofMillis(Long.parseLong(value(args, ++i, a))));
          case "--no-group-commit" -> b.groupCommit(false);
          case "--cors-origin" -> b.corsOrigin(value(args, ++i, a));
          default -> throw new IllegalArgumentException("unknown option " + a);
        }
      }
      String env = System.getenv("INNGEST_SIGNING_KEY");
      if (!keyGiven && env != null && !env.isEmpty()) {
        b.signingKey(env);
      }
      env = System.getenv("INNGEST_SIGNING_KEY_FALLBACK");
      if (!fallbackGiven && env != null && !env.isEmpty()) {
        b.signingKeyFallback(env);
      }
      env = System.getenv("INNGEST_EVENT_KEY");
      if (!eventKeyGiven && env != null && !env.isEmpty()) {
        b.eventKey(env);
      }
      b.settings(); // validate before binding anything
    } catch (RuntimeException e) {
      err.println("error: " + e.getMessage());
      err.print(USAGE);
      return 2;
    }
    Orchestrator orchestrator;
    try {
      orchestrator = b.start();
    } catch (RuntimeException e) {
      err.println("error: cannot start: " + e.getMessage());
      return 1;
    }
    out.println("stephttp orchestrator listening on " + orchestrator.baseUrl());
    out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      orchestrator.close(); // SIGTERM: stop accepting, let in-flight work end, close the store
      stopped.countDown();
    }, "stephttp-shutdown"));
    stopped.await();
    return -1;
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }
}
