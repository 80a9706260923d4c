package dev.stephttp.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The scenario suite, run once per container by a subclass naming the {@link Container}: one real
 * orchestrator and one app per class, real sockets on loopback, signed re-entries. Scenarios run
 * concurrently, each under its own tag. Every response body is checked for leaked internals by
 * {@link Http}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Execution(ExecutionMode.CONCURRENT)
public abstract class ContainerScenarios {
  private static final AtomicInteger TAGS = new AtomicInteger();

  private Path dir;
  private OrchestratorFixture orch;
  private ScenarioApp scenarios;
  private Container.Running app;

  /** The container this class runs the suite on. */
  protected abstract Container container();

  /** How the container's {@link Container#version()} starts, e.g. {@code Apache Tomcat/11.}. */
  protected abstract String expectedVersionPrefix();

  @BeforeAll
  void startOrchestratorAndApp(@TempDir Path tempDir) throws Exception {
    dir = tempDir;
    orch = OrchestratorFixture.start(dir);
    scenarios = new ScenarioApp();
    app = container().start(scenarios.app(orch));
  }

  @AfterAll
  void stop() throws Exception {
    try {
      if (app != null) {
        app.close();
      }
      if (scenarios != null) {
        scenarios.close();
      }
    } finally {
      if (orch != null) {
        orch.close();
      }
    }
  }

  private static String tag(String scenario) {
    return scenario + TAGS.incrementAndGet();
  }

  private int count(String key) {
    return scenarios.counts().get(key);
  }

  private Http.Reply get(String pathAndQuery) {
    return Http.get(app.url() + pathAndQuery);
  }

  @Test
  void runsOnTheContainerAndVersionItIsFor() {
    assertThat(container().version()).startsWith(expectedVersionPrefix());
  }

  @Test
  void syncRunAnswersWithTheHandlersOwnResponseAndCompletes() {
    String tag = tag("sync");
    Http.Reply r = get("/f/sync?tag=" + tag);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("Location")).isNull();
    assertThat(r.header("X-Handler")).isEqualTo("sync");
    assertThat(r.body()).isEqualTo("sync a-" + tag + " b-" + tag);
    assertThat(count(tag + "/a")).isEqualTo(1);
    assertThat(count(tag + "/b")).isEqualTo(1);
    orch.awaitStatus(r.runId(), "COMPLETED");
  }

  @Test
  void durableResponseIsReleasedOnlyOnceItsRunIsStoredAsCompleted() {
    String tag = tag("durable");
    Http.Reply r = get("/durable/sync?tag=" + tag);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("sync a-" + tag + " b-" + tag);
    // No waiting: with durableResponses the answer is held until the completion is acknowledged.
    JsonNode run = orch.run(r.runId());
    assertThat(run).as("run %s stored when the answer arrived", r.runId()).isNotNull();
    assertThat(run.path("status").asText()).isEqualTo("COMPLETED");
    assertThat(count(tag + "/a")).isEqualTo(1);
    assertThat(count(tag + "/b")).isEqualTo(1);
  }

  @Test
  void sleepAnswers303WhoseLocationAnswersTheFinalResponseAndEachStepRunsOnce() {
    String tag = tag("sleep");
    assertSleptOnce(get("/f/sleep?tag=" + tag), tag, 201);
  }

  /** Follows {@code first} (a 303) and checks the sleeping handler's final answer and counts. */
  private void assertSleptOnce(Http.Reply first, String tag, int finalStatus) {
    assertThat(first.status()).as("%s", first).isEqualTo(303);
    assertThat(count(tag + "/b/sync")).as("the step after the sleep ran in the user's request").isZero();
    Http.Reply last = Http.follow(first);

    assertThat(last.status()).as("%s", last).isEqualTo(finalStatus);
    assertThat(last.body()).isEqualTo("slept a-" + tag + " b-" + tag);
    if (finalStatus == 201) {
      assertThat(last.header("X-Handler")).isEqualTo("slept");
    }
    assertThat(count(tag + "/a")).isEqualTo(1);
    assertThat(count(tag + "/b")).isEqualTo(1);
    assertThat(count(tag + "/b/sync")).isZero();
    orch.awaitStatus(first.runId(), "COMPLETED");
  }

  @Test
  void waitForEventIsResumedByAMatchingEventAndAnswersWithItsData() throws Exception {
    String tag = tag("wait");
    Http.Reply first = get("/f/wait?timeoutMs=60000&tag=" + tag);
    assertThat(first.status()).as("%s", first).isEqualTo(303);
    orch.awaitRun(first.runId(), "waits for an event", run -> run.path("waits").size() > 0);
    CompletableFuture<Http.Reply> last = CompletableFuture.supplyAsync(() -> Http.follow(first));

    orch.sendEvent("{\"name\":\"it/approved\",\"data\":{\"tag\":\"other" + tag + "\",\"by\":\"mallory\"}}");
    orch.sendEvent("{\"name\":\"it/approved\",\"data\":{\"tag\":\"" + tag + "\",\"by\":\"alice\"}}");

    Http.Reply r = last.get(30, TimeUnit.SECONDS);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("approved by alice");
    orch.awaitStatus(first.runId(), "COMPLETED");
  }

  @Test
  void waitForEventTimingOutAnswersWithTheTimeoutBranch() {
    String tag = tag("timeout");
    Http.Reply first = get("/f/wait?timeoutMs=300&tag=" + tag);
    Http.Reply last = Http.follow(first);

    assertThat(last.status()).isEqualTo(200);
    assertThat(last.body()).isEqualTo("no approval");
    orch.awaitStatus(first.runId(), "COMPLETED");
  }

  @Test
  void parallelStepsRunTogetherInTheRequestAndArePlannedAfterTheSleep() {
    String tag = tag("parallel");
    Http.Reply first = get("/f/parallel?tag=" + tag);
    assertThat(first.status()).as("%s", first).isEqualTo(303);
    Http.Reply last = Http.follow(first);

    assertThat(last.status()).isEqualTo(200);
    assertThat(last.body()).isEqualTo("parallel a-" + tag + " b-" + tag + " c-" + tag + " d-" + tag);
    for (String step : new String[] {"a", "b", "c", "d"}) {
      assertThat(count(tag + "/" + step)).as(step).isEqualTo(1);
    }
    assertThat(count(tag + "/a/sync") + count(tag + "/b/sync")).as("a and b ran in the user's request").isEqualTo(2);
    assertThat(count(tag + "/c/sync") + count(tag + "/d/sync")).as("c and d ran in re-entries").isZero();
    orch.awaitStatus(first.runId(), "COMPLETED");
  }

  /**
   * A caller that asks for {@code text/event-stream} gets the sync phase's chunks on its own
   * connection, framed as Inngest's SDK does, up to the async switch ({@code inngest.redirect_info},
   * then the end of the stream); the orchestrator's realtime relay serves the re-entry's chunk and
   * the final answer.
   */
  @Test
  void aStreamSpansTheAsyncSwitchThroughTheRealtimeRelay() throws Exception {
    String tag = tag("story");
    Http.Reply direct = Http.send(new okhttp3.Request.Builder().url(app.url() + "/f/story?tag=" + tag)
        .header("Accept", "text/event-stream").build());
    assertThat(direct.status()).as("%s", direct).isEqualTo(200);
    assertThat(direct.header("Content-Type")).startsWith("text/event-stream");
    java.util.List<String[]> events = sse(direct.body());
    assertThat(events.stream().map(e -> e[0]).toList()).containsExactly("inngest.metadata", "inngest.stream",
        "inngest.commit", "inngest.redirect_info");
    assertThat(json(events.get(1)[1]).path("data").asText()).isEqualTo("once upon");
    String relayUrl = json(events.get(3)[1]).path("url").asText();
    assertThat(relayUrl).startsWith(orch.baseUrl() + "/v1/realtime/sse?token=");

    Http.Reply relayed = Http.get(relayUrl); // the relay ends its stream at inngest.response
    java.util.List<String[]> later = sse(relayed.body());
    assertThat(later.stream().map(e -> e[0]).toList()).containsSubsequence("inngest.stream", "inngest.commit",
        "inngest.response");
    assertThat(later.stream().filter(e -> e[0].equals("inngest.stream")).map(e -> json(e[1]).path("data").asText())
        .toList()).containsExactly("a time");
    JsonNode answer = json(later.get(later.size() - 1)[1]);
    assertThat(answer.at("/response/statusCode").asInt()).isEqualTo(201);
    assertThat(answer.at("/response/body").asText()).isEqualTo("the end");
    assertThat(count(tag + "/intro")).isEqualTo(1);
    assertThat(count(tag + "/tale")).isEqualTo(1);
    orch.awaitStatus(direct.runId(), "COMPLETED");
  }

  /** {@code [event name, data]} of each SSE event of {@code body} (comments skipped). */
  private static java.util.List<String[]> sse(String body) {
    java.util.List<String[]> out = new java.util.ArrayList<>();
    for (String block : body.split("\n\n")) {
      String name = null;
      String data = null;
      for (String line : block.split("\n")) {
        if (line.startsWith("event: ")) {
          name = line.substring(7);
        } else if (line.startsWith("data: ")) {
          data = line.substring(6);
        }
      }
      if (name != null) {
        out.add(new String[] {name, data});
      }
    }
    return out;
  }

  private static JsonNode json(String text) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().readTree(text);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void stepFailingItsFirstAttemptIsRetriedAndTheRedirectAnswersTheRecoveredResponse() {
    String tag = tag("flaky");
    Http.Reply first = get("/f/flaky?tag=" + tag);
    assertThat(first.status()).as("%s", first).isEqualTo(303);
    Http.Reply last = Http.follow(first);

    assertThat(last.status()).isEqualTo(200);
    assertThat(last.body()).isEqualTo("charged");
    assertThat(count(tag + "/charge")).isEqualTo(2);
    orch.awaitStatus(first.runId(), "COMPLETED");
  }

  @Test
  void nonRetriableStepFailureReachesTheHandlerSynchronouslyWithoutRedirect() {
    String tag = tag("fatal");
    Http.Reply r = get("/f/fatal?tag=" + tag);

    assertThat(r.status()).as("%s", r).isEqualTo(422);
    assertThat(r.header("Location")).isNull();
    assertThat(r.body()).isEqualTo("refused: card reported stolen");
    assertThat(count(tag + "/charge")).isEqualTo(1);
  }

  @ParameterizedTest(name = "handler that catches the sleep and then does {0}")
  @ValueSource(strings = {"senderror", "flush", "continue"})
  void handlerSwallowingTheSleepStillSwitchesToAsyncAndTheLaterStepRunsOnlyOnReentry(String mode) {
    String tag = tag("swallow-" + mode + "-");
    Http.Reply first = get("/f/swallow?mode=" + mode + "&tag=" + tag);

    assertThat(first.status()).as("%s", first).isEqualTo(303);
    assertThat(count(tag + "/b/sync")).as("the later step ran in the user's request").isZero();
    Http.Reply last = Http.follow(first);
    assertThat(last.status()).as("%s", last).isEqualTo(200);
    assertThat(last.body()).isEqualTo("done a-" + tag + " b-" + tag);
    assertThat(count(tag + "/a")).isEqualTo(1);
    assertThat(count(tag + "/b")).isEqualTo(1);
    assertThat(count(tag + "/b/sync")).isZero();
    orch.awaitStatus(first.runId(), "COMPLETED");
  }

  @Test
  void webXmlDeclaredFilterMakesTheSleepingServletDurable() throws Exception {
    assumeTrue(container().deploysWebXml(), container().version() + " has no web.xml deployment of its own");
    Path docBase = Files.createDirectories(dir.resolve("webapp-" + TAGS.incrementAndGet()).resolve("WEB-INF")).getParent();
    Files.writeString(docBase.resolve("WEB-INF/web.xml"), webXml(), StandardCharsets.UTF_8);
    String tag = tag("webxml");
    try (Container.Running webapp = container().startWebApp(docBase)) {
      Http.Reply first = Http.get(webapp.url() + "/sleep?tag=" + tag);
      assertThat(first.status()).as("%s", first).isEqualTo(303);
      Http.Reply last = Http.follow(first);

      assertThat(last.status()).isEqualTo(201);
      assertThat(last.body()).isEqualTo("slept a-" + tag + " b-" + tag);
      assertThat(WebXmlSleepServlet.COUNTS.get(tag + "/a")).isEqualTo(1);
      assertThat(WebXmlSleepServlet.COUNTS.get(tag + "/b")).isEqualTo(1);
      orch.awaitStatus(first.runId(), "COMPLETED");
    }
  }

  private String webXml() {
    return """
        <?xml version="1.0" encoding="UTF-8"?>
        <web-app xmlns="https://jakarta.ee/xml/ns/jakartaee"
                 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                 xsi:schemaLocation="https://jakarta.ee/xml/ns/jakartaee https://jakarta.ee/xml/ns/jakartaee/web-app_6_0.xsd"
                 version="6.0" metadata-complete="true">
          <absolute-ordering/>
          <filter>
            <filter-name>stephttp</filter-name>
            <filter-class>dev.stephttp.servlet.StepHttpFilter</filter-class>
            <async-supported>true</async-supported>
            <init-param><param-name>baseUrl</param-name><param-value>%s</param-value></init-param>
            <init-param><param-name>signingKey</param-name><param-value>%s</param-value></init-param>
            <init-param><param-name>eventKey</param-name><param-value>%s</param-value></init-param>
            <!-- the port is chosen when the container starts: re-entries go where the request came in -->
            <init-param><param-name>trustForwardedOrigin</param-name><param-value>true</param-value></init-param>
          </filter>
          <filter-mapping>
            <filter-name>stephttp</filter-name>
            <url-pattern>/*</url-pattern>
          </filter-mapping>
          <servlet>
            <servlet-name>sleep</servlet-name>
            <servlet-class>dev.stephttp.it.WebXmlSleepServlet</servlet-class>
            <async-supported>true</async-supported>
          </servlet>
          <servlet-mapping>
            <servlet-name>sleep</servlet-name>
            <url-pattern>/sleep</url-pattern>
          </servlet-mapping>
        </web-app>
        """.formatted(orch.baseUrl(), orch.signingKey(), OrchestratorFixture.EVENT_KEY);
  }

  @Test
  void wrappedServletAnswersASyncRunItselfAndCompletesIt() {
    String tag = tag("wsync");
    Http.Reply r = get("/w/sync?tag=" + tag);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("sync a-" + tag + " b-" + tag);
    assertThat(count(tag + "/a")).isEqualTo(1);
    orch.awaitStatus(r.runId(), "COMPLETED");
  }

  @Test
  void wrappedServletSwitchesToAsyncAtTheSleep() {
    String tag = tag("wsleep");
    assertSleptOnce(get("/w/sleep?tag=" + tag), tag, 201);
  }

  @Test
  void forwardToASteppingServletRunsItsStepsOnceAndSwitchesToAsync() {
    String tag = tag("forward");
    assertSleptOnce(get("/f/forward?tag=" + tag), tag, 201);
  }

  @Test
  void forwardToASteppingServletWithoutSleepAnswersItsOwnResponse() {
    String tag = tag("fwdsync");
    Http.Reply r = get("/f/forward?to=sync&tag=" + tag);

    assertThat(r.status()).as("%s", r).isEqualTo(200);
    assertThat(r.body()).isEqualTo("sync a-" + tag + " b-" + tag);
    assertThat(count(tag + "/a")).isEqualTo(1);
    orch.awaitStatus(r.runId(), "COMPLETED");
  }

  @Test
  void includeOfASteppingServletRunsItsStepsOnceAndSwitchesToAsync() {
    String tag = tag("include");
    // An included servlet cannot set the status: the including servlet's 200 stands.
    assertSleptOnce(get("/f/include?tag=" + tag), tag, 200);
  }

  @Test
  void asyncServletStreamsItsAnswerAndTheRunCompletes() {
    String tag = tag("async");
    Http.Reply r = get("/f/async?tag=" + tag);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("streamed a-" + tag + "\nand done\n");
    assertThat(count(tag + "/a")).isEqualTo(1);
    orch.awaitStatus(r.runId(), "COMPLETED");
  }

  @Test
  void formParametersAreReplayedOnReentry() {
    String tag = tag("form");
    String item = "café & crème";
    Http.Reply first = Http.post(app.url() + "/f/form?tag=" + tag, "application/x-www-form-urlencoded",
        "item=" + URLEncoder.encode(item, StandardCharsets.UTF_8) + "&qty=3");
    Http.Reply last = Http.follow(first);

    assertThat(last.status()).isEqualTo(200);
    assertThat(last.body()).isEqualTo("first=" + item + " now=" + item);
    assertThat(count(tag + "/first-seen")).isEqualTo(1);
    orch.awaitStatus(first.runId(), "COMPLETED");
  }

  /** The handler answers through {@code getWriter()}: non-ASCII text and a character beyond the BMP. */
  @Test
  void jsonBodyIsReplayedOnReentry() {
    String tag = tag("json");
    Http.Reply first = Http.post(app.url() + "/f/json?tag=" + tag, "application/json",
        "{\"item\":\"crème brûlée \uD83C\uDF6E\",\"qty\":3}");
    Http.Reply last = Http.follow(first);

    assertThat(last.status()).isEqualTo(200);
    assertThat(last.body()).isEqualTo("first=crème brûlée \uD83C\uDF6E now=crème brûlée \uD83C\uDF6E");
    assertThat(count(tag + "/first-seen")).isEqualTo(1);
    orch.awaitStatus(first.runId(), "COMPLETED");
  }

  @Test
  void responseLargerThanTheBufferReachesTheClientIntact() {
    String tag = tag("big");
    Http.Reply r = get("/small/big?tag=" + tag);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).hasSize(Handlers.BIG_BODY_BYTES).isEqualTo(Handlers.bigBody());
    JsonNode run = orch.awaitStatus(r.runId(), "COMPLETED");
    assertThat(run.path("id").asText()).isEqualTo(r.runId());
  }
}
