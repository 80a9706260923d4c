package dev.stephttp.it;

import dev.stephttp.servlet.StepHttpConfig;
import dev.stephttp.servlet.StepHttpFilter;
import dev.stephttp.servlet.StepHttpServlet;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The app of the suite: the scenario handlers behind {@link StepHttpFilter} ({@code /f/*}), the
 * large-response handler behind a filter with a 1 KiB buffer ({@code /small/*}), two handlers
 * wrapped in {@link StepHttpServlet} ({@code /w/*}, no filter), and the targets of the forwards and
 * the include ({@code /inner/*}, reached only through a dispatcher).
 */
public final class ScenarioApp implements AutoCloseable {
  /** The buffer limit of the {@code /small/*} filter. */
  public static final int SMALL_BUFFER_BYTES = 1024;

  private final Counters counts = new Counters();
  private final ThreadPoolExecutor asyncWriters;

  /** A new app (its counters and the threads that finish async requests). */
  public ScenarioApp() {
    asyncWriters = new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
      Thread t = new Thread(r, "it-async-writer");
      t.setDaemon(true);
      return t;
    });
    // Started here, not lazily on a request thread: Tomcat reports threads a web app started.
    asyncWriters.prestartAllCoreThreads();
  }

  /** How often each step body ran. */
  public Counters counts() {
    return counts;
  }

  /**
   * The configuration of the app's filters: the orchestrator, its signing key, event key, and the
   * origin of re-entries from the request (trustForwardedOrigin: the suite's requests carry no
   * X-Forwarded-* headers, so each run is called back at the loopback address and port it came in
   * on). The filters are built before the container has chosen its port, so no domain can be set.
   */
  public static StepHttpConfig config(OrchestratorFixture orch) {
    return StepHttpConfig.builder().baseUrl(orch.baseUrl()).signingKey(orch.signingKey())
        .eventKey(OrchestratorFixture.EVENT_KEY).trustForwardedOrigin(true).build();
  }

  /** The app, ready for {@link Container#start}. */
  public App app(OrchestratorFixture orch) {
    StepHttpConfig config = config(orch);
    Counters c = counts;
    return App.builder()
        .filter("/f/*", new StepHttpFilter(config))
        .filter("/small/*", new StepHttpFilter(config.toBuilder().maxBufferedResponseBytes(SMALL_BUFFER_BYTES).build()))
        .filter("/durable/*", new StepHttpFilter(config.toBuilder().durableResponses(true).build()))
        .servlet("/f/sync", Handlers.servlet((req, resp) -> Handlers.sync(c, req, resp)))
        .servlet("/f/sleep", Handlers.servlet((req, resp) -> Handlers.sleep(c, req, resp)))
        .servlet("/f/wait", Handlers.servlet(Handlers::waitForApproval))
        .servlet("/f/flaky", Handlers.servlet((req, resp) -> Handlers.flaky(c, req, resp)))
        .servlet("/f/parallel", Handlers.servlet((req, resp) -> Handlers.parallel(c, req, resp)))
        .servlet("/f/story", Handlers.servlet((req, resp) -> Handlers.story(c, req, resp)))
        .servlet("/f/fatal", Handlers.servlet((req, resp) -> Handlers.fatal(c, req, resp)))
        .servlet("/f/swallow", Handlers.servlet((req, resp) -> Handlers.swallow(c, req, resp)))
        .servlet("/f/forward", Handlers.servlet(Handlers::forward))
        .servlet("/f/include", Handlers.servlet(Handlers::include))
        .servlet("/inner/sleep", Handlers.servlet((req, resp) -> Handlers.sleep(c, req, resp)))
        .servlet("/inner/sync", Handlers.servlet((req, resp) -> Handlers.sync(c, req, resp)))
        .servlet("/f/async", Handlers.servlet((req, resp) -> Handlers.async(c, asyncWriters, req, resp)))
        .servlet("/f/form", Handlers.servlet((req, resp) -> Handlers.form(c, req, resp)))
        .servlet("/f/json", Handlers.servlet((req, resp) -> Handlers.json(c, req, resp)))
        .servlet("/small/big", Handlers.servlet((req, resp) -> Handlers.big(c, req, resp)))
        .servlet("/durable/sync", Handlers.servlet((req, resp) -> Handlers.sync(c, req, resp)))
        .servlet("/w/sync", new StepHttpServlet(Handlers.servlet((req, resp) -> Handlers.sync(c, req, resp)), config))
        .servlet("/w/sleep", new StepHttpServlet(Handlers.servlet((req, resp) -> Handlers.sleep(c, req, resp)), config))
        .build();
  }

  @Override
  public void close() {
    asyncWriters.shutdownNow();
  }
}
