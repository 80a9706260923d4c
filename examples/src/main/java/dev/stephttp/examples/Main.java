package dev.stephttp.examples;

import dev.stephttp.orchestrator.Orchestrator;
import dev.stephttp.servlet.StepHttpConfig;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.CountDownLatch;
import org.eclipse.jetty.server.Server;

/**
 * Command line of the examples jar: {@code demo} walks through the lifecycle and exits 0 when all
 * went as expected; {@code serve} keeps the example app running.
 */
public final class Main {
  private static final String USAGE = String.join("\n",
      "usage: java -jar stephttp-examples.jar demo",
      "       java -jar stephttp-examples.jar serve [--port 8080] [--orchestrator URL] [--style programmatic|webxml|wrapped]",
      "",
      "  demo   start an embedded orchestrator and the example app, and walk through a synchronous run,",
      "         a sleep, a wait for an event and a retried step; exit code 0 if all behaved as expected",
      "  serve  run the example app (with an embedded orchestrator on 127.0.0.1:8288 unless --orchestrator",
      "         is given; then INNGEST_SIGNING_KEY or INNGEST_DEV=1 must be set)");

  private Main() {}

  /** Runs {@code demo} or {@code serve}. */
  public static void main(String[] args) throws Exception {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
      System.out.println(USAGE);
      System.exit(args.length == 0 ? 2 : 0);
    }
    switch (args[0]) {
      case "demo" -> System.exit(new Demo(System.out).run() ? 0 : 1);
      case "serve" -> serve(args);
      default -> {
        System.err.println("unknown command '" + args[0] + "'\n" + USAGE);
        System.exit(2);
      }
    }
  }

  private static void serve(String[] args) throws Exception {
    int port = 8080;
    String orchestratorUrl = null;
    String style = "programmatic";
    for (int i = 1; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--port" -> port = Integer.parseInt(required(args[i], value));
        case "--orchestrator" -> orchestratorUrl = required(args[i], value);
        case "--style" -> style = required(args[i], value);
        default -> {
          System.err.println("unknown option '" + args[i] + "'\n" + USAGE);
          System.exit(2);
        }
      }
      i++;
    }
    Orchestrator embedded = null;
    String signingKey = System.getenv("INNGEST_SIGNING_KEY");
    if (orchestratorUrl == null) {
      signingKey = "signkey-local-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(32));
      embedded = Orchestrator.builder().port(8288).database(Path.of("stephttp.db")).signingKey(signingKey)
          .eventKey("local").start();
      orchestratorUrl = embedded.baseUrl();
      System.out.println("embedded orchestrator on " + orchestratorUrl + " (database ./stephttp.db, event key 'local')");
    }
    StepHttpConfig.Builder config = StepHttpConfig.builder().baseUrl(orchestratorUrl);
    if (signingKey != null) {
      config.signingKey(signingKey);
    }
    Server server = switch (style) {
      case "programmatic" -> ExampleApps.programmaticFilter("127.0.0.1", port, config.build());
      case "wrapped" -> ExampleApps.wrappedServlets("127.0.0.1", port, config.build());
      case "webxml" -> ExampleApps.webXml("127.0.0.1", port, orchestratorUrl, signingKey);
      default -> throw new IllegalArgumentException("--style must be programmatic, webxml or wrapped, was " + style);
    };
    String app = "http://127.0.0.1:" + ExampleApps.port(server);
    System.out.println("example app on " + app + " (" + style + ")\ntry:");
    System.out.println("  curl -i '" + app + "/greet?name=Ada'");
    System.out.println("  curl -iL -d '{\"item\":\"book\",\"quantity\":1}' '" + app + "/orders?coolOff=5s'");
    System.out.println("  curl -iL -d '' '" + app + "/approvals?request=r-1'   # then, from another shell, send the event:");
    System.out.println("  curl -d '{\"name\":\"approval/granted\",\"data\":{\"requestId\":\"r-1\",\"by\":\"me\"}}' "
        + orchestratorUrl + "/e/local");
    CountDownLatch stopped = new CountDownLatch(1);
    Orchestrator toClose = embedded;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        server.stop();
      } catch (Exception ignored) {
        // stopping anyway
      }
      if (toClose != null) {
        toClose.close();
      }
      stopped.countDown();
    }));
    stopped.await();
  }

  private static String required(String option, String value) {
    if (value == null) {
      System.err.println(option + " needs a value\n" + USAGE);
      System.exit(2);
    }
    return value;
  }
}
