package dev.stephttp.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Junk posted to the checkpoint and event endpoints never yields a 5xx. Seeded parameterised
 * cases (a fixed seed per endpoint, so a failure reproduces) and a coverage-guided fuzz test over
 * all four endpoints ({@code JAZZER_FUZZ=1} fuzzes; a normal run replays the committed corpus in
 * {@code JunkInputPropertiesTestInputs/}). One orchestrator serves the whole class.
 *
 * <p>Corpus layout: the fuzzer's last byte picks the endpoint ({@code '0'} create-run, {@code
 * '1'} {@code /v1/http/runs}, {@code '2'} {@code /steps}, {@code '3'} events), the byte before it
 * the mode ({@code '1'}: everything before is the raw body; {@code '0'}: the rest steers the
 * {@link Junk} generator). So a seed file is a body followed by {@code 10}, {@code 11}, {@code 12}
 * or {@code 13}.
 */
class JunkInputPropertiesTest {
  static Orchestrator orch;
  static String runId;

  @BeforeAll
  static void start() {
    orch = Orchestrator.inMemory();
    runId = Runs.newRunId();
    Http.post(orch.baseUrl() + "/v1/checkpoint", null,
        Runs.create(runId, "http://127.0.0.1:1", "/x", 0).toString());
  }

  @AfterAll
  static void stop() {
    orch.close();
  }

  static Stream<String> createBodies() {
    return cases(1L, 300, Junk::any);
  }

  static Stream<String> requestDataBodies() {
    return cases(2L, 200, Junk::junkRequestData);
  }

  static Stream<String> stepsBodies() {
    return cases(3L, 250, junk -> junk.steps(runId)); // lazy: runId is set by then
  }

  static Stream<String> eventBodies() {
    return cases(4L, 300, Junk::events);
  }

  @ParameterizedTest(name = "[{index}]")
  @MethodSource("createBodies")
  void createRunNeverAnswers5xx(String body) {
    assertNo5xx(path(0), body.getBytes(StandardCharsets.UTF_8));
  }

  @ParameterizedTest(name = "[{index}]")
  @MethodSource("requestDataBodies")
  void createRunWithJunkRequestDataNeverAnswers5xx(String body) {
    assertNo5xx(path(1), body.getBytes(StandardCharsets.UTF_8));
  }

  @ParameterizedTest(name = "[{index}]")
  @MethodSource("stepsBodies")
  void checkpointStepsNeverAnswers5xx(String body) {
    assertNo5xx(path(2), body.getBytes(StandardCharsets.UTF_8));
  }

  @ParameterizedTest(name = "[{index}]")
  @MethodSource("eventBodies")
  void eventsNeverAnswer5xx(String body) {
    assertNo5xx(path(3), body.getBytes(StandardCharsets.UTF_8));
  }

  @FuzzTest(maxDuration = "20s")
  void anyBodyOnAnyEndpointIsAnsweredWithoutA5xx(FuzzedDataProvider data) {
    // Calling the app URL named in a create-run is the orchestrator's job (docs/protocol.md
    // §5.1), so Jazzer's SSRF detector would flag every accepted run. Its threads connect after an
    // input returns, so the permission is not closed; Jazzer resets it when the method ends.
    BugDetectors.allowNetworkConnections();
    int endpoint = data.consumeInt(0, 3);
    if (data.consumeBoolean()) {
      assertNo5xx(path(endpoint), data.consumeRemainingAsBytes());
      return;
    }
    Junk junk = Junk.fuzzed(data);
    String body = switch (endpoint) {
      case 0 -> junk.any();
      case 1 -> junk.junkRequestData();
      case 2 -> junk.steps(runId);
      default -> junk.events();
    };
    assertNo5xx(path(endpoint), body.getBytes(StandardCharsets.UTF_8));
  }

  private static Stream<String> cases(long seed, int count, Function<Junk, String> kind) {
    Junk junk = Junk.seeded(seed);
    return Stream.concat(Stream.of("", "{}", "[]", "null"),
        IntStream.range(0, count).mapToObj(i -> kind.apply(junk)));
  }

  private static String path(int endpoint) {
    return switch (endpoint) {
      case 0 -> "/v1/checkpoint";
      case 1 -> "/v1/http/runs";
      case 2 -> "/v1/checkpoint/" + runId + "/steps";
      default -> "/e/somekey";
    };
  }

  private static void assertNo5xx(String path, byte[] body) {
    Http.Result r = Http.post(orch.baseUrl() + path, "Bearer", body);
    assertThat(r.status()).as("POST %s %s -> %s", path,
        new String(body, StandardCharsets.UTF_8), r.body()).isLessThan(500);
  }
}
