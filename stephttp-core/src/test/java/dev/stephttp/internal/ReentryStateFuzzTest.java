package dev.stephttp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.stephttp.Step;
import dev.stephttp.StepFailedException;
import dev.stephttp.TypeReference;
import dev.stephttp.WaitForEvent;
import dev.stephttp.internal.wire.StepIds;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Whatever the orchestrator answers to {@code GET /v0/runs/{runId}/actions} (docs/protocol.md §4),
 * the client and a re-entry's replay end in one of the documented ways: the handler runs to its
 * end on replayed values, a replayed failure surfaces as {@link StepFailedException}, the first
 * step without state suspends the execution, a stored value that does not fit the step's type is
 * an {@link IllegalStateException}, and a body that is not a JSON object is an {@link
 * OrchestratorException} (the servlet's state_unavailable answer) — never a NullPointerException,
 * ClassCastException or the like. The state is served by a real HTTP server on a loopback port.
 * A coverage-guided fuzz test ({@code JAZZER_FUZZ=1} fuzzes; a normal run replays {@code
 * ReentryStateFuzzTestInputs/}).
 *
 * <p>Corpus files: the response body, in which {@code @a}, {@code @a1}, {@code @b}, {@code @w},
 * {@code @s} and {@code @c} stand for the hashed IDs of the handler's steps ({@code @a1} is the
 * second use of {@code a}).
 */
class ReentryStateFuzzTest {
  static final String RUN_ID = "01J9Z3K6W8T6M0V2Q4R5S7X8Y9";
  static final StepThreads THREADS = new StepThreads(1);
  static final Map<String, String> STEPS = Map.of("@a1", StepIds.hash(StepIds.key("a", 1)),
      "@a", StepIds.hash(StepIds.key("a", 0)), "@b", StepIds.hash(StepIds.key("b", 0)),
      "@w", StepIds.hash(StepIds.key("w", 0)), "@s", StepIds.hash(StepIds.key("s", 0)),
      "@c", StepIds.hash(StepIds.key("c", 0)));
  static HttpServer server;
  static OrchestratorClient client;
  static volatile byte[] answer = new byte[0];

  @BeforeAll
  static void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/v0/runs/" + RUN_ID + "/actions", exchange -> {
      byte[] body = answer;
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    String url = "http://127.0.0.1:" + server.getAddress().getPort();
    client = new OrchestratorClient(new ClientSettings(url, url, "signkey-test-12345678", null,
        null, null, false, 1, Duration.ZERO, Duration.ofSeconds(10), 1, 16));
  }

  @AfterAll
  static void stop() {
    client.close();
    server.stop(0);
  }

  /** Steps of several kinds and types, with a repeated ID, in a fixed order. */
  static String handler() {
    String a = Step.run("a", String.class, () -> "fresh");
    Integer b = Step.run("b", Integer.class, () -> 1);
    Optional<Map<?, ?>> w = Step.waitForEvent("w",
        WaitForEvent.named("order/paid").timeout(Duration.ofHours(1)), castMap());
    Step.sleep("s", Duration.ofMinutes(1));
    List<Long> c = Step.run("c", new TypeReference<List<Long>>() {}, () -> List.of(1L));
    Step.run("a", () -> { });
    return a + b + w + c;
  }

  @SuppressWarnings("unchecked")
  private static Class<Map<?, ?>> castMap() {
    return (Class<Map<?, ?>>) (Class<?>) Map.class;
  }

  @FuzzTest(maxDuration = "20s")
  void anyStateEndsInAReplayAFailureASuspensionOrADocumentedError(FuzzedDataProvider data) {
    BugDetectors.allowNetworkConnections(); // the state server is the test's own, on loopback
    String body = data.consumeRemainingAsString();
    for (Map.Entry<String, String> s : List.copyOf(new java.util.TreeMap<>(STEPS)
        .descendingMap().entrySet())) {
      body = body.replace(s.getKey(), s.getValue()); // "@a1" before "@a"
    }
    answer = body.getBytes(StandardCharsets.UTF_8);

    Map<String, JsonNode> state;
    try {
      state = client.actions(RUN_ID);
    } catch (OrchestratorException notAnObject) {
      assertThat(notAnObject.status()).isEqualTo(200);
      return;
    }
    Execution execution = Execution.reentry(RUN_ID, state, null, false, events -> List.of(), THREADS);
    try (Execution.Scope ignored = execution.enter()) {
      assertThat(handler()).isNotNull();
    } catch (StepFailedException replayedFailure) {
      assertThat(execution.isReplayedFailure(replayedFailure)).isTrue();
    } catch (Suspension newStep) {
      assertThat(execution.suspension()).isSameAs(newStep);
    } catch (IllegalStateException doesNotFit) {
      assertThat(doesNotFit.getMessage()).startsWith("memoized value of step");
    }
  }
}
