package dev.stephttp.examples;

import java.io.PrintStream;

/**
 * Command line of the examples jar: {@code demo} walks through the lifecycle and exits 0 when all
 * went as expected; {@code serve} keeps the example app running. Exit code 2 means a usage
 * problem, such as a port already in use.
 */
public final class Main {
  static final String USAGE = String.join("\n",
      "usage: java -jar stephttp-examples.jar demo",
      "       java -jar stephttp-examples.jar serve [--port 8080] [--orchestrator-port 8288 | --orchestrator URL]",
      "                                             [--style programmatic|webxml|wrapped]",
      "",
      "  demo   start an embedded orchestrator and the example app, and walk through a synchronous run,",
      "         a sleep, a wait for an event and a retried step; exit code 0 if all behaved as expected",
      "  serve  run the example app on 127.0.0.1 (--port, 0 = any free port) with an embedded orchestrator",
      "         (--orchestrator-port, database ./stephttp.db) whose dashboard it prints, with the key to",
      "         sign in: $INNGEST_SIGNING_KEY, or else a local development key generated for this run.",
      "         With --orchestrator URL it uses that orchestrator instead; then INNGEST_SIGNING_KEY or",
      "         INNGEST_DEV=1 must be set.");

  private Main() {}

  /** Runs {@code demo} or {@code serve}. */
  public static void main(String[] args) throws Exception {
    int code = run(args, System.out, System.err);
    if (code >= 0) {
      System.exit(code);
    }
  }

  /** Runs a command; returns its exit code, or -1 once {@code serve} was stopped by a signal. */
  static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
      (args.length == 0 ? err : out).println(USAGE);
      return args.length == 0 ? 2 : 0;
    }
    switch (args[0]) {
      case "demo" -> {
        return new Demo(out).run() ? 0 : 1;
      }
      case "serve" -> {
        return Serve.run(args, out, err);
      }
      default -> {
        err.println("unknown command '" + args[0] + "'\n" + USAGE);
        return 2;
      }
    }
  }
}
