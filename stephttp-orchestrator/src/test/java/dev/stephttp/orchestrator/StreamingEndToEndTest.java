package dev.stephttp.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stephttp.LazyStep;
import dev.stephttp.Step;
import dev.stephttp.StepResults;
import dev.stephttp.internal.wire.Json;
import dev.stephttp.internal.wire.StepIds;
import dev.stephttp.servlet.FunctionOptions;
import dev.stephttp.servlet.StepHttp;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 item 3, end to end: the real Java library streams chunks ({@code StepHttp.stream()}) to a
 * plain SSE client over loopback, through the async switch to the real orchestrator's realtime
 * relay, including a subscriber that connects after the run ended; a failing step's chunks are
 * rolled back.
 */
class StreamingEndToEndTest {
  static final String KEY = "signkey-test-0123456789abcdef0123456789abcdef";
  static final Duration WAIT = Duration.ofSeconds(20);
  static final Map<String, AtomicInteger> ATTEMPTS = new ConcurrentHashMap<>();

  @TempDir static Path dir;
  static Orchestrator orch;
  static LibraryApp app;

  @BeforeAll
  static void start() throws Exception {
    orch = Orchestrator.builder().port(0).database(dir.resolve("stream.db")).signingKey(KEY)
        .retryBackoff(Duration.ofMillis(100)).start();
    app = LibraryApp.start(orch, KEY, Map.of("/story", StreamingEndToEndTest::story,
        "/flaky", StreamingEndToEndTest::flaky, "/quick", StreamingEndToEndTest::quick,
        "/both", StreamingEndToEndTest::both));
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
    orch.close();
  }

  /** Streams in a step, sleeps (the async switch), streams in another step, answers 201. */
  static void story(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    Step.run("intro", String.class, () -> {
      StepHttp.stream().push("once");
      StepHttp.stream().push(Map.of("word", "upon"));
      return "intro";
    });
    Step.sleep("pause", Duration.ofMillis(300));
    Step.run("tale", String.class, () -> {
      StepHttp.stream().push("a time");
      return "tale";
    });
    resp.setStatus(201);
    resp.setHeader("X-Story", "told");
    resp.setContentType("text/plain");
    resp.getOutputStream().write("the end".getBytes(StandardCharsets.UTF_8));
  }

  /** A step that pushes a draft and fails its first attempt: the draft is rolled back. */
  static void flaky(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    StepHttp.configure(FunctionOptions.builder().retries(2).build());
    String tag = req.getParameter("tag");
    String v = Step.run("draft", String.class, () -> {
      int attempt = ATTEMPTS.computeIfAbsent(tag, k -> new AtomicInteger()).incrementAndGet();
      StepHttp.stream().push("draft " + attempt);
      if (attempt == 1) {
        throw new IllegalStateException("first draft rejected");
      }
      return "draft " + attempt;
    });
    resp.getOutputStream().write(v.getBytes(StandardCharsets.UTF_8));
  }

  /** A run that ends in the sync phase, piping an InputStream, a Reader and a Flow.Publisher. */
  static void quick(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String all = Step.run("pipes", String.class, () -> {
      String a = StepHttp.stream().pipe(new ByteArrayInputStream("bytes".getBytes(StandardCharsets.UTF_8)));
      String b = StepHttp.stream().pipe(new StringReader("chars"));
      String c;
      try (SubmissionPublisher<String> publisher = new SubmissionPublisher<>()) {
        Thread producer = new Thread(() -> {
          long deadline = System.nanoTime() + WAIT.toNanos();
          while (publisher.getNumberOfSubscribers() == 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait(); // a SubmissionPublisher drops what it gets before its subscriber
          }
          publisher.submit("pub");
          publisher.submit("lished");
          publisher.close();
        });
        producer.start();
        c = StepHttp.stream().pipe(publisher);
      }
      return a + b + c;
    });
    resp.setHeader("X-All", all);
    resp.getOutputStream().write(all.getBytes(StandardCharsets.UTF_8));
  }

  /** Two parallel steps ({@code Step.all}) pushing from the library's step threads. */
  static void both(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    LazyStep<String> left = Step.lazy("left", String.class, () -> {
      StepHttp.stream().push("from left");
      return "l";
    });
    LazyStep<String> right = Step.lazy("right", String.class, () -> {
      StepHttp.stream().push("from right");
      return "r";
    });
    StepResults results = Step.all(left, right);
    resp.getOutputStream().write((results.get(left) + results.get(right)).getBytes(StandardCharsets.UTF_8));
  }

  private static JsonNode data(String event) {
    return Json.parse(event.substring(event.indexOf("\ndata: ") + 7).getBytes(StandardCharsets.UTF_8));
  }

  private static String name(String event) {
    return event.substring("event: ".length(), event.indexOf('\n'));
  }

  private static List<String> names(List<String> events) {
    List<String> out = new ArrayList<>();
    events.forEach(e -> out.add(name(e)));
    return out;
  }

  @Test
  void aStreamSpansTheAsyncSwitchAndALateSubscriberMissesNothing() throws Exception {
    String intro = StepIds.hash("intro");
    String tale = StepIds.hash("tale");
    String relayUrl;
    String runId;
    try (SseReader direct = SseReader.open(app.url + "/story")) {
      assertThat(direct.response.code()).isEqualTo(200);
      assertThat(direct.response.header("Content-Type")).startsWith("text/event-stream");
      runId = direct.response.header("X-Run-ID");
      List<String> events = direct.until("inngest.redirect_info", WAIT);
      assertThat(names(events)).containsExactly("inngest.metadata", "inngest.stream", "inngest.stream",
          "inngest.commit", "inngest.redirect_info");
      assertThat(data(events.get(0)).get("runId").asText()).isEqualTo(runId);
      assertThat(data(events.get(1)).get("data").asText()).isEqualTo("once");
      assertThat(data(events.get(1)).get("hashedStepId").asText()).isEqualTo(intro);
      assertThat(data(events.get(2)).get("data").get("word").asText()).isEqualTo("upon");
      assertThat(data(events.get(3)).get("hashedStepId").asText()).isEqualTo(intro);
      JsonNode redirect = data(events.get(4));
      assertThat(redirect.get("runId").asText()).isEqualTo(runId);
      relayUrl = redirect.get("url").asText();
      assertThat(relayUrl).startsWith(orch.baseUrl() + "/v1/realtime/sse?token=");
      assertThat(direct.next(WAIT)).isEqualTo(SseReader.EOF); // no inngest.response at the switch
    }
    List<String> followed;
    try (SseReader relay = SseReader.open(relayUrl)) {
      followed = relay.until("inngest.response", WAIT);
      assertThat(relay.next(WAIT)).isEqualTo(SseReader.EOF);
    }
    assertThat(names(followed)).containsSubsequence("inngest.stream", "inngest.commit", "inngest.response");
    String chunk = followed.stream().filter(e -> name(e).equals("inngest.stream")).findFirst().orElseThrow();
    assertThat(data(chunk).get("data").asText()).isEqualTo("a time");
    assertThat(data(chunk).get("hashedStepId").asText()).isEqualTo(tale);
    JsonNode response = data(followed.get(followed.size() - 1));
    assertThat(response.get("status").asText()).isEqualTo("succeeded");
    assertThat(response.at("/response/statusCode").asInt()).isEqualTo(201);
    assertThat(response.at("/response/body").asText()).isEqualTo("the end");
    assertThat(response.at("/response/headers/x-story").asText()).isEqualTo("told");

    // The run's view counts what the relay got: the chunk after the switch, committed with its step
    // (the two before it went straight to the caller). Counted before the response was relayed.
    JsonNode stream = Api.ok(Api.bearer(orch).get("/runs/" + runId)).get("stream");
    assertThat(stream.get("chunks").asLong()).isEqualTo(1);
    assertThat(stream.get("committed").asLong()).isEqualTo(1);
    assertThat(stream.get("rolledBack").asLong()).isZero();

    // A subscriber that connects after the run ended gets the same events from the replay buffer.
    try (SseReader late = SseReader.open(relayUrl)) {
      List<String> replayed = late.until("inngest.response", WAIT);
      assertThat(replayed).isEqualTo(followed);
      assertThat(late.next(WAIT)).isEqualTo(SseReader.EOF);
    }
    assertThat(Http.get(orch.baseUrl() + "/v0/runs/" + runId + "/actions", KEY).status()).isEqualTo(410);
  }

  @Test
  void theChunksOfAFailingStepAreRolledBackAndItsRetryStreamsAgain() throws Exception {
    String draft = StepIds.hash("draft");
    String relayUrl;
    try (SseReader direct = SseReader.open(app.url + "/flaky?tag=r1")) {
      List<String> events = direct.until("inngest.redirect_info", WAIT);
      assertThat(names(events)).containsExactly("inngest.metadata", "inngest.stream", "inngest.rollback",
          "inngest.redirect_info");
      assertThat(data(events.get(1)).get("data").asText()).isEqualTo("draft 1");
      assertThat(data(events.get(1)).get("hashedStepId").asText()).isEqualTo(draft);
      assertThat(data(events.get(2)).get("hashedStepId").asText()).isEqualTo(draft);
      relayUrl = data(events.get(3)).get("url").asText();
    }
    try (SseReader relay = SseReader.open(relayUrl)) {
      List<String> events = relay.until("inngest.response", WAIT);
      List<String> chunks = events.stream().filter(e -> name(e).equals("inngest.stream"))
          .map(e -> data(e).get("data").asText()).toList();
      assertThat(chunks).containsExactly("draft 2");
      assertThat(names(events)).containsSubsequence("inngest.stream", "inngest.commit", "inngest.response");
      JsonNode response = data(events.get(events.size() - 1));
      assertThat(response.at("/response/statusCode").asInt()).isEqualTo(200);
      assertThat(response.at("/response/body").asText()).isEqualTo("draft 2");
    }
  }

  @Test
  void aRunThatEndsInTheSyncPhaseEndsItsStreamWithTheResponse() throws Exception {
    try (SseReader direct = SseReader.open(app.url + "/quick")) {
      List<String> events = direct.until("inngest.response", WAIT);
      List<String> chunks = events.stream().filter(e -> name(e).equals("inngest.stream"))
          .map(e -> data(e).get("data").asText()).toList();
      assertThat(chunks).containsExactly("bytes", "chars", "pub", "lished");
      JsonNode response = data(events.get(events.size() - 1));
      assertThat(response.get("status").asText()).isEqualTo("succeeded");
      assertThat(response.at("/response/headers/x-all").asText()).isEqualTo("byteschars" + "published");
      assertThat(direct.next(WAIT)).isEqualTo(SseReader.EOF);
    }
  }

  @Test
  void parallelStepsTagAndCommitTheirOwnChunks() throws Exception {
    try (SseReader direct = SseReader.open(app.url + "/both")) {
      List<String> events = direct.until("inngest.response", WAIT);
      Map<String, String> chunkStep = new java.util.HashMap<>();
      List<String> committed = new ArrayList<>();
      for (String e : events) {
        if (name(e).equals("inngest.stream")) {
          chunkStep.put(data(e).get("data").asText(), data(e).get("hashedStepId").asText());
        } else if (name(e).equals("inngest.commit")) {
          committed.add(data(e).get("hashedStepId").asText());
        }
      }
      assertThat(chunkStep).containsEntry("from left", StepIds.hash("left"))
          .containsEntry("from right", StepIds.hash("right"));
      assertThat(committed).containsExactlyInAnyOrder(StepIds.hash("left"), StepIds.hash("right"));
      assertThat(data(events.get(events.size() - 1)).at("/response/body").asText()).isEqualTo("lr");
    }
  }

  @Test
  void aCallerThatDoesNotAskForAStreamIsAnsweredAsBefore() {
    Http.Result r = Http.get(app.url + "/story");
    assertThat(r.status()).isEqualTo(303);
    Http.Result out = Http.get(r.header("Location"));
    assertThat(out.status()).isEqualTo(201);
    assertThat(out.body()).isEqualTo("the end");
  }
}
