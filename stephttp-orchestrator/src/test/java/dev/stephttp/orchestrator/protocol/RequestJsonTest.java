package dev.stephttp.orchestrator.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import dev.stephttp.internal.wire.Json;
import dev.stephttp.orchestrator.model.BadRequest;
import dev.stephttp.orchestrator.model.Op;
import dev.stephttp.orchestrator.model.RequestJson;
import dev.stephttp.orchestrator.model.StoredJson;
import dev.stephttp.orchestrator.model.Ulids;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link RequestJson} answers every create-run and checkpoint body, and dispatch every SDK answer
 * tree, as the tree path before it ({@link TreeRequests}): the same 400 message, or the same run
 * ID, ops and stored trigger event text. A normal run replays the cases below and the corpus in
 * {@code RequestJsonTestInputs/}; {@code JAZZER_FUZZ=1} fuzzes.
 */
class RequestJsonTest {
  private static final String PATH_RUN_ID = "01J9Z3K6W8T6M0V2Q4R5S7X8Y9";
  private static final long NOW = 1_700_000_000_123L;
  private static final String EVENT = "\"event\":{\"name\":\"inngest/http.request\",\"data\":"
      + "{\"domain\":\"http://127.0.0.1:1\",\"method\":\"GET\",\"path\":\"/p\",\"body\":\"\"}}";

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"steps\":[{\"op\":\"StepRun\",\"id\":\"a\",\"data\":"
          + "{\"x\":[1,2.5,-3e2,\"\\u00e9\\n\",true,null]}}]}",
      "{\"steps\":[{\"data\":1.50,\"op\":\"RunComplete\"},{\"data\":null},{\"id\":\"b\"},7,[]]}",
      "{ \"steps\" : [ { \"data\" : { \"a\" : 1 , \"a\" : 2 } } ] , \"steps2\" : {\"data\":3} }",
      "{\"steps\":[{\"data\":123456789012345678901234567890,\"data\":9223372036854775807}]}",
      "{\"steps\":{\"0\":{\"data\":1}},\"event\":{\"data\":{\"steps\":[{\"data\":\"x\"}]}}}",
      "[{\"op\":\"Step\",\"data\":1}]", "\"text\"", "12", "null", "  true  ",
      "", "   ", "{", "{\"a\":1} {\"b\":2}", "{\"a\":1}]", "{\"steps\":[{\"data\":}]}",
      "{\"steps\":[{\"data\":[1,]}]}", "{\"steps\":[{\"data\":\"\\q\"}]}", "{\"a\":01}",
      "{\"steps\":[{\"data\":NaN}]}", "{\"steps\":[{\"data\":1e999999}]}", "{'a':1}",
      "{\"steps\":[{\"data\":\"unterminated}]}", "{\"steps\":[{\"data\":{\"k\"}}]}", "[1] 2",
      // checkpoints: ops of every shape, data compact or not, repeated keys
      "{\"run_id\":\"01j9z3k6w8t6m0v2q4r5s7x8y9\",\"steps\":[{\"op\":\"StepRun\",\"id\":\"a\","
          + "\"data\":{\"s\":\"q\\\"\\\\\\n\\t\\/\\u0041\",\"n\":-0,\"m\":-1,\"e\":1E5,"
          + "\"t\":true}}]}",
      "{\"steps\":[{\"op\":\"Step\",\"id\":\"a\",\"data\":\"x\",\"data\":[1, 2],\"timing\":"
          + "{\"a\":\"5000000\",\"b\":2.9e6,\"a\":true},\"userland\":{\"id\":7,\"id\":\"u\"}}]}",
      "{\"steps\":[{\"op\":\"Step\",\"id\":\"a\",\"timing\":{\"a\":99999999999999999999},"
          + "\"timing\":[1],\"displayName\":\"\",\"userland\":[]}]}",
      "{\"steps\":[{\"op\":\"Sleep\",\"id\":\"s\",\"opts\":{},\"error\":null,\"name\":null}]}",
      "{\"steps\":[{\"op\":\"StepError\",\"id\":\"s\",\"opts\":[],\"error\":1}]}",
      "{\"steps\":[{\"op\":\"StepError\",\"id\":\"s\",\"error\":\"e\",\"op\":1}]}",
      "{\"steps\":[{\"op\":\"Nope\"}],\"run_id\":7}", "{\"steps\":[{\"op\":\"Step\",\"id\":1}]}",
      "{\"steps\":[{\"op\":\"Step\",\"id\":\"\"}],\"steps\":null}", "{\"steps\":\"x\"}",
      "{\"run_id\":null,\"steps\":[{\"op\":\"None\"},{\"op\":\"RunComplete\",\"id\":\"\","
          + "\"data\":{\"status\":200,\"body\":\"{\\\"ok\\\":true}\"}}]}",
      "{\"run_id\":\"x\",\"steps\":[{\"op\":1}]}",
      "[{\"op\":\"Step\",\"id\":\"a\",\"data\":null},{\"op\":\"RunComplete\",\"data\":"
          + "{\"status\":\"201\",\"status\":500.7}},{\"op\":\"RunComplete\",\"data\":[1]}]",
      "{\"op\":\"RunComplete\",\"data\":{\"status\":{},\"body\":\"\"}}",
      "{\"run_id\":{},\"steps\":[1,]}",
      // create-runs
      "{\"run_id\":\"01J9Z3K6W8T6M0V2Q4R5S7X8Y9\"," + EVENT + ",\"steps\":[],\"retries\":-1}",
      "{\"run_id\":\"01J9Z3K6W8T6M0V2Q4R5S7X8Y9\"," + EVENT + ",\"retries\":99,"
          + "\"request_version\":2.5}",
      "{\"run_id\":\"01J9Z3K6W8T6M0V2Q4R5S7X8Y9\",\"event\":{\"name\":\"inngest/http.request\","
          + "\"id\":\"ev1\",\"ts\":12345678901234567890,\"user\":{\"u\":[1, 2.0]},\"v\":\"1\","
          + "\"data\":{\"domain\":\"http://a\",\"x\":{\"k\":1,\"k\":2},\"path\":\"/p?q\","
          + "\"query_params\":\"a=b\",\"method\":\"get\",\"body\":\"e30=\",\"fn\":\"f\","
          + "\"content_type\":\"application/json\"}},\"idempotency\":\"k\"}",
      "{\"run_id\":\"01J9Z3K6W8T6M0V2Q4R5S7X8Y9\",\"event\":{\"name\":\"inngest/http.request\","
          + "\"data\":{\"domain\":\"http://a\", \"path\":\"/\\u00e9\",\"e\":1.5e3,\"n\":-0},"
          + "\"data\":{\"domain\":\"http://b\",\"s\":\"\u00e9\u2028\\\"\",\"a\":[{},[],null]}}}",
      "{\"run_id\":\"01J9Z3K6W8T6M0V2Q4R5S7X8Y9\",\"event\":{\"name\":\"go/http.request\","
          + "\"data\":{\"domain\":\"http://a\",\"body\":\"not base64\"}}}",
      "{\"run_id\":\"01J9Z3K6W8T6M0V2Q4R5S7X8Y9\",\"event\":{\"name\":\"\",\"data\":7}}",
      "{\"run_id\":\"01J9Z3K6W8T6M0V2Q4R5S7X8Y9\",\"event\":{\"name\":\"n\",\"data\":7}}",
      "{\"run_id\":\"01J9Z3K6W8T6M0V2Q4R5S7X8Y9\",\"event\":{\"name\":\"n\",\"data\":null}}",
      "{\"run_id\":\"01J9Z3K6W8T6M0V2Q4R5S7X8Y9\",\"event\":{\"name\":\"n\",\"data\":"
          + "{\"domain\":{\"a\":1},\"method\":[]}}}",
      "{\"run_id\":\"01J9Z3K6W8T6M0V2Q4R5S7X8Y9\",\"event\":{\"name\":\"n\",\"data\":"
          + "{\"domain\":\"http://a\",\"method\":\"G T\",\"content_type\":\"\\u0001\"}}}",
      "{\"run_id\":\"01J9Z3K6W8T6M0V2Q4R5S7X8Y9\",\"event\":{\"name\":\"n\",\"data\":"
          + "{\"domain\":\"http://a\",\"method\":\"G T\"}}}",
      "{\"run_id\":\"01J9Z3K6W8T6M0V2Q4R5S7X8Y9\",\"event\":{\"name\":\"n\",\"data\":"
          + "{\"domain\":\"nope\"}}}",
      "{\"run_id\":\"01J9Z3K6W8T6M0V2Q4R5S7X8Y9\",\"event\":[],\"event\":{\"name\":1}}",
      "{\"run_id\":\"01J9Z3K6W8T6M0V2Q4R5S7X8Y9\",\"event\":{},\"event\":[]}",
      "{\"run_id\":\"01J9Z3K6W8T6M0V2Q4R5S7X8Y9\"," + EVENT + ",\"retries\":\"1\"}",
      "{\"run_id\":\"01J9Z3K6W8T6M0V2Q4R5S7X8Y9\"," + EVENT + ",\"idempotency\":1,\"steps\":[7]}",
      "{\"run_id\":\"01J9Z3K6W8T6M0V2Q4R5S7X8Y9\"," + EVENT + ",\"steps\":[7],\"x\":[1,}"})
  void readsLikeTheTreePath(String body) {
    assertSame(body.getBytes(StandardCharsets.UTF_8));
  }

  @ParameterizedTest
  @ValueSource(strings = {"7b227374657073223a5b7b2264617461223a22c3\"", "7b2264223a22ff227d",
      "7b227374657073223a5b7b2264617461223a22e282227d5d7d", "efbbbf7b7d", "00",
      // op data with a DEL and with a 4-byte UTF-8 character, after a BOM
      "efbbbf7b227374657073223a5b7b226f70223a2253746570222c226964223a2261222c2264617461223a"
          + "227f"
          + "f09f9880227d5d7d"})
  void readsBytesLikeTheTreePath(String hex) {
    assertSame(HexFormat.of().parseHex(hex.replace("\"", "")));
  }

  @FuzzTest(maxDuration = "20s")
  void anyBodyReadsLikeTheTreePath(byte[] body) {
    assertSame(body);
  }

  @Test
  void compactOpDataIsTheReceivedTextAndOtherDataTheTextATreeWouldGive() {
    String data = "{ \"x\" : [ 1, 2.50, -3e2, \"\\u00e9\", {\"k\":null} ], \"d\":1, \"d\":2 }";
    String compact = "{\"s\":\"\u00e9\\\"\\n\",\"n\":[-1,0,true,false,null],\"d\":1,\"d\":2}";
    List<Op> ops = RequestJson.read(("{\"steps\":[{\"op\":\"Step\",\"id\":\"a\",\"data\":" + data
        + "},{\"op\":\"Step\",\"id\":\"b\",\"data\":" + compact + "}]}")
        .getBytes(StandardCharsets.UTF_8)).steps().ops("steps");
    assertThat(ops.get(0).data())
        .isEqualTo("{\"x\":[1,2.5,-300.0,\"\u00e9\",{\"k\":null}],\"d\":1,\"d\":2}");
    assertThat(StoredJson.parse(ops.get(0).data()))
        .isEqualTo(Json.parse(data.getBytes(StandardCharsets.UTF_8)));
    assertThat(ops.get(1).data()).isEqualTo(compact);
  }

  @Test
  void theStoredEventKeepsItsKeyOrderAndAGeneratedIdIsAUlid() {
    RunRequests.Create create = RunRequests.parseCreate(RequestJson.read(("{\"run_id\":\""
        + PATH_RUN_ID + "\",\"event\":{\"v\":\"2\",\"user\":{\"a\":1},\"ts\":5,"
        + EVENT.substring(9)
        + "}").getBytes(StandardCharsets.UTF_8)), NOW);
    String event = create.run().event();
    String id = StoredJson.parse(event).get("id").textValue();
    assertThat(Ulids.isValid(id)).isTrue();
    assertThat(event).isEqualTo("{\"name\":\"inngest/http.request\",\"data\":{\"domain\":"
        + "\"http://127.0.0.1:1\",\"method\":\"GET\",\"path\":\"/p\",\"body\":\"\"},\"id\":\""
        + id + "\",\"ts\":5,\"user\":{\"a\":1},\"v\":\"2\"}");
    assertThat(Ulids.isValid(create.run().eventId())).isTrue();
    assertThat(create.run().eventId()).isGreaterThan(id);
  }

  private static void assertSame(byte[] body) {
    same(() -> TreeRequests.checkpoint(body, PATH_RUN_ID), () -> {
      RequestJson.Body read = HttpIo.read(body, "invalid request body");
      return new TreeRequests.Checkpoint(RunRequests.stepsRunId(read, PATH_RUN_ID),
          read.steps().ops("invalid request body: steps"));
    });
    same(() -> TreeRequests.create(body, NOW),
        () -> asTreePath(body, RunRequests.parseCreate(HttpIo.read(body, "Invalid request body"),
            NOW)));
    JsonNode tree;
    try {
      tree = Json.parse(body);
    } catch (IllegalArgumentException e) {
      return;
    }
    if (tree.isArray() || tree.isObject()) { // an SDK's answer, as dispatch reads it
      same(() -> TreeRequests.answer(tree), () -> RequestJson.ops(tree, "response"));
    }
  }

  private static void same(Supplier<Object> expected, Supplier<Object> actual) {
    Object want = null;
    Throwable wantError = catchThrowable(() -> expected.get());
    if (wantError == null) {
      want = expected.get();
    }
    Object got = null;
    Throwable error = catchThrowable(() -> actual.get());
    if (error == null) {
      got = actual.get();
    }
    if (wantError != null) {
      assertThat(wantError).isInstanceOf(BadRequest.class);
      assertThat(error).isInstanceOf(BadRequest.class).hasMessage(wantError.getMessage());
      assertThat(((BadRequest) error).status()).isEqualTo(((BadRequest) wantError).status());
      return;
    }
    assertThat(error).isNull();
    assertThat(got).isEqualTo(want);
  }

  /** The create-run as the oracle gives it: a generated event ID replaced by its stand-in. */
  private static TreeRequests.Create asTreePath(byte[] body, RunRequests.Create c) {
    String event = c.run().event();
    String id = StoredJson.parse(event).get("id").textValue();
    JsonNode sent = RequestJson.read(body).event().id();
    if (sent == null || !sent.isTextual() || sent.textValue().isEmpty()) {
      assertThat(Ulids.isValid(id)).isTrue();
      event = event.replace("\"id\":\"" + id + "\"", "\"id\":\"" + TreeRequests.GENERATED_ID
          + "\"");
    }
    return new TreeRequests.Create(c.run().id(), event, c.run().method(), c.run().url(),
        c.run().contentType(), HexFormat.of().formatHex(c.run().body()),
        c.run().requestVersion(), c.run().retries(), c.run().appSlug(), c.run().fnSlug(), c.ops(),
        c.eventName());
  }
}
