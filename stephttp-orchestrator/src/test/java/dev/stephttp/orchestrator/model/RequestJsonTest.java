package dev.stephttp.orchestrator.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import dev.stephttp.internal.wire.Json;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link RequestJson} reads every body as core's {@link Json#parse(byte[])} does: the same tree,
 * serialised to the same text (each op's data kept as text), or the same error message. A normal run replays
 * the cases below and the corpus in {@code RequestJsonTestInputs/}; {@code JAZZER_FUZZ=1} fuzzes.
 */
class RequestJsonTest {

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"steps\":[{\"op\":\"StepRun\",\"id\":\"a\",\"data\":{\"x\":[1,2.5,-3e2,\"\\u00e9\\n\",true,null]}}]}",
      "{\"steps\":[{\"data\":1.50,\"op\":\"RunComplete\"},{\"data\":null},{\"id\":\"b\"},7,[]]}",
      "{ \"steps\" : [ { \"data\" : { \"a\" : 1 , \"a\" : 2 } } ] , \"steps2\" : {\"data\":3} }",
      "{\"steps\":[{\"data\":123456789012345678901234567890,\"data\":9223372036854775807}]}",
      "{\"steps\":{\"0\":{\"data\":1}},\"event\":{\"data\":{\"steps\":[{\"data\":\"x\"}]}}}",
      "[{\"op\":\"Step\",\"data\":1}]", "\"text\"", "12", "null", "  true  ",
      "", "   ", "{", "{\"a\":1} {\"b\":2}", "{\"a\":1}]", "{\"steps\":[{\"data\":}]}",
      "{\"steps\":[{\"data\":[1,]}]}", "{\"steps\":[{\"data\":\"\\q\"}]}", "{\"a\":01}",
      "{\"steps\":[{\"data\":NaN}]}", "{\"steps\":[{\"data\":1e999999}]}", "{'a':1}",
      "{\"steps\":[{\"data\":\"unterminated}]}", "{\"steps\":[{\"data\":{\"k\"}}]}", "[1] 2"})
  void readsLikeCoreJson(String body) {
    assertSame(body.getBytes(StandardCharsets.UTF_8));
  }

  @ParameterizedTest
  @ValueSource(strings = {"7b227374657073223a5b7b2264617461223a22c3\"", "7b2264223a22ff227d",
      "7b227374657073223a5b7b2264617461223a22e282227d5d7d", "efbbbf7b7d", "00"})
  void readsBytesLikeCoreJson(String hex) {
    assertSame(java.util.HexFormat.of().parseHex(hex.replace("\"", "")));
  }

  @FuzzTest(maxDuration = "20s")
  void anyBodyReadsLikeCoreJson(byte[] body) {
    assertSame(body);
  }

  private static void assertSame(byte[] body) {
    JsonNode expected = null;
    Throwable expectedError = catchThrowable(() -> Json.parse(body));
    if (expectedError == null) {
      expected = Json.parse(body);
    }
    JsonNode actual = null;
    Throwable error = catchThrowable(() -> RequestJson.parse(body));
    if (error == null) {
      actual = RequestJson.parse(body);
    }
    if (expectedError != null) {
      assertThat(error).isInstanceOf(IllegalArgumentException.class)
          .hasMessage(expectedError.getMessage());
      return;
    }
    assertThat(error).isNull();
    // the text the store keeps (a tree's serialisation before, each op's data kept as text now)
    // means the same (a key repeated inside data is kept; read back, the last still wins)
    assertThat(StoredJson.parse(actual.toString())).isEqualTo(StoredJson.parse(expected.toString()));
  }

  @org.junit.jupiter.api.Test
  void opDataIsKeptAsTheCompactTextATreeWouldGive() {
    String data = "{ \"x\" : [ 1, 2.50, -3e2, \"\\u00e9\", {\"k\":null} ], \"d\":1, \"d\":2 }";
    JsonNode node = RequestJson.parse(("{\"steps\":[{\"op\":\"Step\",\"id\":\"a\",\"data\":"
        + data + "}]}").getBytes(StandardCharsets.UTF_8));
    Op op = Op.parseList(node.get("steps"), "steps").get(0);
    assertThat(op.data())
        .isEqualTo("{\"x\":[1,2.5,-300.0,\"\u00e9\",{\"k\":null}],\"d\":1,\"d\":2}");
    assertThat(StoredJson.parse(op.data())).isEqualTo(Json.parse(data.getBytes(StandardCharsets.UTF_8)));
  }
}
