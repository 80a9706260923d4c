package dev.stephttp.examples;

import dev.stephttp.orchestrator.Orchestrator;
import dev.stephttp.servlet.StepHttpConfig;
import java.io.PrintStream;
import java.net.BindException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import org.eclipse.jetty.server.Server;

/**
 * {@code serve}: the example app, by default with an embedded orchestrator, running until the
 * process is stopped. It prints where everything is and how to sign in to the dashboard.
 *
 * <p>The embedded orchestrator keeps its signing key, as in production, rather than running in
 * dev mode: re-entries are then signed and verified exactly as they would be for real. So that
 * its dashboard can be opened, the key is printed once at startup; unless
 * {@code INNGEST_SIGNING_KEY} names one, it is a key generated for this run only and meant for
 * local development.
 */
final class Serve {
  private int port = 8080;
  private int orchestratorPort = 8288;
  private String orchestratorUrl;
  private String style = "programmatic";

  private Serve() {}

  static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
    Serve serve = new Serve();
    try {
      serve.parse(args);
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage() + "\n" + Main.USAGE);
      return 2;
    }
    return serve.start(out, err);
  }

  private void parse(String[] args) {
    for (int i = 1; i < args.length; i++) {
      String option = args[i];
      String value = i + 1 < args.length ? args[++i] : null;
      if (value == null) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      switch (option) {
        case "--port" -> port = port(option, value);
        case "--orchestrator-port" -> orchestratorPort = port(option, value);
        case "--orchestrator" -> orchestratorUrl = value;
        case "--style" -> style = value;
        default -> throw new IllegalArgumentException("unknown option '" + option + "'");
      }
    }
    if (!style.matches("programmatic|webxml|wrapped")) {
      throw new IllegalArgumentException("--style must be programmatic, webxml or wrapped, was "
          + style);
    }
  }

  private static int port(String option, String value) {
    try {
      int p = Integer.parseInt(value);
      if (p >= 0 && p <= 65535) {
        return p;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(option + " must be a port number (0..65535), was '"
        + value + "'");
  }

  private int start(PrintStream out, PrintStream err) throws Exception {
    String envKey = System.getenv("INNGEST_SIGNING_KEY");
    boolean keyFromEnv = envKey != null && !envKey.isBlank();
    String signingKey = keyFromEnv ? envKey : null;
    Orchestrator embedded = null;
    if (orchestratorUrl == null) {
      if (!keyFromEnv) {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        signingKey = "signkey-local-" + HexFormat.of().formatHex(random);
      }
      try {
        embedded = Orchestrator.builder().port(orchestratorPort).database(Path.of("stephttp.db"))
            .signingKey(signingKey).eventKey("local").start();
      } catch (RuntimeException e) {
        return portInUse(e) ? busy(err, orchestratorPort, "--orchestrator-port") : rethrow(e);
      }
      orchestratorUrl = embedded.baseUrl();
    }
    Server server;
    try {
      server = app(signingKey);
    } catch (Exception e) {
      if (embedded != null) {
        embedded.close();
      }
      return portInUse(e) ? busy(err, port, "--port") : rethrow(e);
    }
    describe(out, embedded != null, keyFromEnv, signingKey, ExampleApps.port(server));
    awaitShutdown(server, embedded);
    return -1;
  }

  private Server app(String signingKey) throws Exception {
    StepHttpConfig.Builder config = StepHttpConfig.builder().baseUrl(orchestratorUrl);
    if (signingKey != null) {
      config.signingKey(signingKey);
    }
    return switch (style) {
      case "wrapped" -> ExampleApps.wrappedServlets("127.0.0.1", port, config);
      case "webxml" -> ExampleApps.webXml("127.0.0.1", port, orchestratorUrl, signingKey);
      default -> ExampleApps.programmaticFilter("127.0.0.1", port, config);
    };
  }

  private void describe(PrintStream out, boolean embedded, boolean keyFromEnv, String key,
      int appPort) {
    if (embedded) {
      out.println("embedded orchestrator on " + orchestratorUrl
          + " (database ./stephttp.db, event key 'local')");
      out.println("dashboard: " + orchestratorUrl + "/");
      if (keyFromEnv) {
        out.println("  sign in with the signing key in $INNGEST_SIGNING_KEY");
      } else {
        out.println("  sign in with this local development signing key (generated for this run;"
            + " set INNGEST_SIGNING_KEY to choose your own):");
        out.println("  " + key);
      }
    } else {
      out.println("orchestrator: " + orchestratorUrl + " (dashboard: " + orchestratorUrl
          + "/, sign in with its signing key)");
    }
    String app = "http://127.0.0.1:" + appPort;
    out.println("example app on " + app + " (" + style + ")\ntry:");
    out.println("  curl -i '" + app + "/greet?name=Ada'");
    out.println("  curl -iL -d '{\"item\":\"book\",\"quantity\":1}' '" + app + "/orders?coolOff=5s'");
    out.println("  curl -iL -d '' '" + app + "/approvals?request=r-1'   # then, from another shell, send the event:");
    out.println("  curl -d '{\"name\":\"approval/granted\",\"data\":{\"requestId\":\"r-1\",\"by\":\"me\"}}' "
        + orchestratorUrl + "/e/local");
    out.flush();
  }

  private static void awaitShutdown(Server server, Orchestrator embedded)
      throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        server.stop();
      } catch (Exception ignored) {
        // stopping anyway
      }
      if (embedded != null) {
        embedded.close();
      }
      stopped.countDown();
    }, "stephttp-examples-shutdown"));
    stopped.await();
  }

  private static int busy(PrintStream err, int port, String option) {
    err.println("port " + port + " is already in use; pass " + option + " N");
    return 2;
  }

  private static int rethrow(Exception e) throws Exception {
    throw e;
  }

  /** Whether starting failed because the port is taken (Jetty wraps the BindException). */
  static boolean portInUse(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException
          && String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT).contains("in use")) {
        return true;
      }
    }
    return false;
  }
}
