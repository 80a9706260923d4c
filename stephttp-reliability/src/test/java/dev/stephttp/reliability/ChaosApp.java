package dev.stephttp.reliability;

import dev.stephttp.Event;
import dev.stephttp.RunContext;
import dev.stephttp.Step;
import dev.stephttp.WaitForEvent;
import dev.stephttp.servlet.FunctionOptions;
import dev.stephttp.servlet.StepHttp;
import dev.stephttp.servlet.StepHttpConfig;
import dev.stephttp.servlet.StepHttpFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The chaos suite's app, run as a process of its own so that it can be SIGKILLed:
 * {@code java -cp <test class path> dev.stephttp.reliability.ChaosApp <port> <orchestrator URL>
 * <signing key> <execution log>}. The real {@link StepHttpFilter} on embedded Jetty (127.0.0.1, the
 * given port) in front of five handlers; each request names its flow in {@code ?k=}:
 *
 * <ul>
 *   <li>{@code /sync}: steps a and b, {@code 200 "sync <k>"};
 *   <li>{@code /durable}: the same behind a second filter with {@code durableResponses(true)},
 *       {@code 200 "durable <k>"};
 *   <li>{@code /sleep}: step a, {@code Step.sleep} of 300 ms to 1 s (fixed per key), step b,
 *       {@code 200 "slept <k>"};
 *   <li>{@code /wait}: step a, a wait for {@value #EVENT} with {@code data.k == k} (60 s), step b,
 *       {@code 200 "approved <k>"} (or {@code "timed out <k>"});
 *   <li>{@code /flaky}: {@code retries(2)}; step call fails its first attempt in each run, step b,
 *       {@code 200 "recovered <k>"}.
 * </ul>
 *
 * <p>Every step body appends its execution to the {@link ExecutionLog} (forced to disk) before it
 * returns a value unique to that execution. Prints {@code chaos app listening on <url>} once it
 * serves.
 */
final class ChaosApp {
  static final String EVENT = "chaos/approved";
  static final String EVENT_KEY = "ek";

  private final ExecutionLog log;

  private ChaosApp(ExecutionLog log) {
    this.log = log;
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 4) {
      System.err.println("usage: ChaosApp <port> <orchestrator URL> <signing key> <execution log>");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    ChaosApp app = new ChaosApp(ExecutionLog.open(Path.of(args[3])));
    QueuedThreadPool pool = new QueuedThreadPool(64, 4);
    pool.setName("chaos-app");
    Server server = new Server(pool);
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    server.addConnector(connector);
    String self = "http://127.0.0.1:" + port;
    StepHttpConfig config = StepHttpConfig.builder()
        .baseUrl(args[1])
        .signingKey(args[2])
        .eventKey(EVENT_KEY)
        .dev(false)
        .domain(self)
        .asyncSwitchTimeout(Duration.ofSeconds(3))
        .build();
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    // Registered first, so it handles /durable and the default filter lets those requests through.
    context.addFilter(new FilterHolder(new StepHttpFilter(config.toBuilder().durableResponses(true).build())),
        "/durable", EnumSet.of(DispatcherType.REQUEST));
    context.addFilter(new FilterHolder(new StepHttpFilter(config)), "/*", EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(new ServletHolder(app.new Handlers()), "/*");
    server.setHandler(context);
    server.start();
    System.out.println("chaos app listening on " + self);
    System.out.flush();
    server.join();
  }

  /** Runs one step body: logs the execution (forced) and returns a value unique to it. */
  private String execute(String key, String step, boolean failFirst) {
    String runId = RunContext.current().map(RunContext::runId).orElse("none");
    int attempt = log.nextAttempt(runId, step);
    long start = System.currentTimeMillis();
    byte[] nonce = new byte[6];
    ThreadLocalRandom.current().nextBytes(nonce);
    String value = key + "/" + step + "/" + attempt + "/" + HexFormat.of().formatHex(nonce);
    boolean fail = failFirst && attempt == 1;
    log.append(new ExecutionLog.Line(key, step, attempt, runId, value, start, System.currentTimeMillis(), !fail));
    if (fail) {
      throw new IllegalStateException("first attempt of " + step + " fails");
    }
    return value;
  }

  /** The sleep of {@code /sleep}: 300 ms to 1 s, the same on every execution of the key's runs. */
  static Duration sleepOf(String key) {
    return Duration.ofMillis(300 + Math.floorMod(key.hashCode(), 701));
  }

  private final class Handlers extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      String k = req.getParameter("k");
      if (k == null || !k.matches("[A-Za-z0-9-]{1,80}")) {
        resp.sendError(400, "k must be 1 to 80 letters, digits or dashes");
        return;
      }
      String answer;
      switch (req.getRequestURI()) {
        case "/sync", "/durable" -> {
          Step.run("a", String.class, () -> execute(k, "a", false));
          Step.run("b", String.class, () -> execute(k, "b", false));
          answer = req.getRequestURI().substring(1) + " " + k;
        }
        case "/sleep" -> {
          Step.run("a", String.class, () -> execute(k, "a", false));
          Step.sleep("nap", sleepOf(k));
          Step.run("b", String.class, () -> execute(k, "b", false));
          answer = "slept " + k;
        }
        case "/wait" -> {
          Step.run("a", String.class, () -> execute(k, "a", false));
          Optional<Event> event = Step.waitForEvent("approval",
              WaitForEvent.named(EVENT).where("data.k", k).timeout(Duration.ofSeconds(60)), Event.class);
          Step.run("b", String.class, () -> execute(k, "b", false));
          answer = (event.isPresent() ? "approved " : "timed out ") + k;
        }
        case "/flaky" -> {
          StepHttp.configure(FunctionOptions.builder().retries(2).build());
          Step.run("call", String.class, () -> execute(k, "call", true));
          Step.run("b", String.class, () -> execute(k, "b", false));
          answer = "recovered " + k;
        }
        default -> {
          resp.sendError(404);
          return;
        }
      }
      resp.setStatus(200);
      resp.setContentType("text/plain;charset=utf-8");
      resp.getOutputStream().write(answer.getBytes(StandardCharsets.UTF_8));
    }
  }
}
