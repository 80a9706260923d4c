package dev.stephttp.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import dev.stephttp.WaitForEvent;
import dev.stephttp.internal.wire.Json;
import dev.stephttp.orchestrator.engine.CelMatcher;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Any condition a handler passes to {@code WaitForEvent.ifExpression} reaches the orchestrator in a
 * create-run and is answered with a 4xx that leaves the store as it was, or accepted (a condition
 * that does not compile fails the run) — never a 5xx; evaluating it against an event never throws.
 * A coverage-guided fuzz test ({@code JAZZER_FUZZ=1} fuzzes; a normal run replays {@code
 * WaitConditionFuzzTestInputs/}). Corpus files: the condition text.
 */
class WaitConditionFuzzTest {
  static final JsonNode EVENT = Json.parse(("{\"name\":\"order/paid\",\"data\":{\"orderId\":\"o1\","
      + "\"n\":5,\"tags\":[\"a\"],\"m\":{\"k\":null}}}").getBytes(StandardCharsets.UTF_8));
  static Orchestrator orch;
  static CelMatcher cel = new CelMatcher();

  @BeforeAll
  static void start() {
    orch = Orchestrator.builder().port(0).inMemoryStore().signingKey(Api.KEY)
        .rateLimits(RateLimits.off()).start();
  }

  @AfterAll
  static void stop() {
    orch.close();
  }

  @FuzzTest(maxDuration = "20s")
  void anyConditionIsAcceptedOrRefusedWithoutA5xx(FuzzedDataProvider data) {
    // The orchestrator may call the app URL of an accepted run (docs/protocol.md §5.1).
    BugDetectors.allowNetworkConnections();
    String condition = data.consumeRemainingAsString();
    WaitForEvent wait;
    try {
      wait = WaitForEvent.named("order/paid").ifExpression(condition)
          .timeout(java.time.Duration.ofHours(1));
    } catch (IllegalArgumentException blank) {
      assertThat(condition).isBlank();
      return;
    }
    String expr = wait.expression();
    Map<String, Long> before = Runs.counts(orch);

    Http.Result r = Http.post(orch.baseUrl() + "/v1/checkpoint", Api.KEY,
        Runs.create(Runs.newRunId(), "http://127.0.0.1:1", "/wait", 0,
            Runs.waitFor("w", wait.event(), "1h", expr)).toString());

    String what = "if " + expr + " -> " + r.status() + " " + r.body();
    assertThat(r.status()).as(what).isLessThan(500);
    if (r.status() >= 400) {
      assertThat(Runs.counts(orch)).as(what).isEqualTo(before);
    } else {
      assertThat(r.status()).as(what).isEqualTo(200);
    }
    cel.matches(expr, EVENT, EVENT); // returns true or false; throws nothing
  }
}
