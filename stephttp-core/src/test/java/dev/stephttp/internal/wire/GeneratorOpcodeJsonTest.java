package dev.stephttp.internal.wire;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GeneratorOpcodeJsonTest {
  private static final String A = "86f7e437faa5a7fce15d1ddcb9eaeaea377667b8";

  // docs/protocol.md §2.1, Go client: every field present, absent values as JSON null.
  private static final String GO_STEP_RUN =
      "{\"op\":\"StepRun\",\"id\":\"" + A + "\",\"name\":\"a\",\"opts\":null,"
          + "\"data\":{\"ok\":true},\"error\":null,\"displayName\":null,"
          + "\"timing\":{\"a\":1735732800000000000,\"b\":1500000},\"userland\":{\"id\":\"a\"}}";

  // docs/protocol.md §2.1/§6.2, TS client: fields omitted, internal keys leaking through.
  private static final String TS_STEP_RUN =
      "{\"id\":\"" + A + "\",\"op\":\"StepRun\",\"name\":\"a\",\"displayName\":\"a\","
          + "\"userland\":{\"id\":\"a\",\"index\":2},\"data\":\"hello\","
          + "\"timing\":{\"a\":1735732800000000000,\"b\":2000000},"
          + "\"mode\":\"sync\",\"hashedId\":\"" + A + "\",\"fulfilled\":true,"
          + "\"metadata\":[{\"kind\":\"x\"}]}";

  @Test
  void readsGoStyleOpWithNulls() {
    GeneratorOpcode op = read(GO_STEP_RUN);

    assertThat(op.op()).isEqualTo(Opcode.STEP_RUN);
    assertThat(op.id()).isEqualTo(A);
    assertThat(op.name()).isEqualTo("a");
    assertThat(op.opts()).isEqualTo(NullNode.getInstance());
    assertThat(op.data().get("ok").booleanValue()).isTrue();
    assertThat(op.error()).isNull();
    assertThat(op.displayName()).isNull();
    assertThat(op.timing()).isEqualTo(new Timing(1735732800000000000L, 1500000L));
    assertThat(op.userland()).isEqualTo(new Userland("a", null));
  }

  @Test
  void goStyleOpSurvivesARoundTrip() {
    GeneratorOpcode op = read(GO_STEP_RUN);
    String written = write(op);

    assertThat(read(written)).isEqualTo(op);
    assertThat(written)
        .isEqualTo(
            "{\"op\":\"StepRun\",\"id\":\"" + A + "\",\"name\":\"a\",\"opts\":null,"
                + "\"data\":{\"ok\":true},"
                + "\"timing\":{\"a\":1735732800000000000,\"b\":1500000},\"userland\":{\"id\":\"a\"}}");
  }

  @Test
  void readsTsStyleOpIgnoringUnknownKeys() {
    GeneratorOpcode op = read(TS_STEP_RUN);

    assertThat(op.op()).isEqualTo(Opcode.STEP_RUN);
    assertThat(op.opts()).isNull();
    assertThat(op.error()).isNull();
    assertThat(op.data().textValue()).isEqualTo("hello");
    assertThat(op.displayName()).isEqualTo("a");
    assertThat(op.userland()).isEqualTo(new Userland("a", 2));
    assertThat(write(op)).doesNotContain("mode", "hashedId", "fulfilled", "metadata");
  }

  @Test
  void tsStyleOpWritesOnlyItsFields() {
    String written = write(read(TS_STEP_RUN));
    assertThat(written)
        .isEqualTo(
            "{\"op\":\"StepRun\",\"id\":\"" + A + "\",\"name\":\"a\",\"data\":\"hello\","
                + "\"displayName\":\"a\",\"timing\":{\"a\":1735732800000000000,\"b\":2000000},"
                + "\"userland\":{\"id\":\"a\",\"index\":2}}");
  }

  @Test
  void jsonNullDataIsReadAsNullNodeAndWrittenBack() {
    GeneratorOpcode op = read("{\"op\":\"StepRun\",\"id\":\"" + A + "\",\"data\":null}");

    assertThat(op.data()).isNotNull().isEqualTo(NullNode.getInstance());
    assertThat(write(op)).isEqualTo("{\"op\":\"StepRun\",\"id\":\"" + A + "\",\"data\":null}");
  }

  @Test
  void absentDataIsReadAsJavaNullAndOmitted() {
    GeneratorOpcode op = read("{\"op\":\"StepRun\",\"id\":\"" + A + "\"}");

    assertThat(op.data()).isNull();
    assertThat(write(op)).isEqualTo("{\"op\":\"StepRun\",\"id\":\"" + A + "\"}");
  }

  @Test
  void constructedOpDistinguishesNullNodeFromJavaNull() {
    GeneratorOpcode absent =
        new GeneratorOpcode(Opcode.SLEEP, A, "a", null, null, null, null, null, null);

    assertThat(write(absent)).doesNotContain("data");
    GeneratorOpcode jsonNull =
        new GeneratorOpcode(Opcode.SLEEP, A, "a", null, NullNode.getInstance(), null, null, null, null);
    assertThat(write(jsonNull)).contains("\"data\":null");
  }

  @Test
  void timingAbove2To53RoundTripsExactly() {
    long big = 1735732800000000123L;
    GeneratorOpcode op =
        read("{\"op\":\"StepRun\",\"id\":\"x\",\"timing\":{\"a\":" + big + ",\"b\":9007199254740993}}");

    assertThat(op.timing().a()).isEqualTo(big);
    assertThat(op.timing().b()).isEqualTo(9007199254740993L);
    assertThat(write(op)).contains("\"a\":1735732800000000123", "\"b\":9007199254740993");
  }

  @Test
  void opcodeIsReadCaseInsensitively() {
    assertThat(read("{\"op\":\"runcomplete\",\"id\":\"x\"}").op()).isEqualTo(Opcode.RUN_COMPLETE);
    assertThat(read("{\"op\":\"WAITFOREVENT\",\"id\":\"x\"}").op()).isEqualTo(Opcode.WAIT_FOR_EVENT);
  }

  @Test
  void unknownOpcodeFailsTheWholeDecode() {
    assertThatThrownBy(
            () -> Json.mapper().readValue("{\"op\":\"Teleport\",\"id\":\"x\"}", GeneratorOpcode.class))
        .isInstanceOf(JsonProcessingException.class)
        .hasMessageContaining("Teleport");
  }

  @Test
  void readsGoRunCompleteWithApiResultData() throws Exception {
    String json =
        "{\"op\":\"RunComplete\",\"id\":\"0737c22d3bfae812339732d14d8c7dbd6dc4e09c\",\"name\":\"\","
            + "\"opts\":null,\"data\":{\"status\":201,\"headers\":{\"Content-Type\":\"application/json\","
            + "\"X-Run-Id\":\"01J9Z3K6W8T6M0V2Q4R5S7X8Y9\",\"X-Inngest-Sdk\":\"go:0.16.0\"},"
            + "\"body\":\"{\\\"id\\\":\\\"o1\\\"}\",\"duration\":12500000},\"error\":null,"
            + "\"displayName\":null,\"timing\":{\"a\":0,\"b\":0},\"userland\":{\"id\":\"complete\"}}";
    GeneratorOpcode op = read(json);
    ApiResult result = Json.mapper().treeToValue(op.data(), ApiResult.class);

    assertThat(op.id()).isEqualTo(StepIds.COMPLETE_ID);
    assertThat(op.timing()).isEqualTo(new Timing(0, 0));
    assertThat(result.status()).isEqualTo(201);
    assertThat(result.headers()).containsEntry("Content-Type", "application/json");
    assertThat(result.body()).isEqualTo("{\"id\":\"o1\"}");
    assertThat(result.duration()).isEqualTo(12_500_000L);
    assertThat(result.version()).isNull();
  }

  @Test
  void readsTsSleepWithEmptyOptsAsNoOptions() {
    GeneratorOpcode op = read("{\"op\":\"Sleep\",\"id\":\"x\",\"name\":\"1m\",\"opts\":{}}");

    assertThat(op.optText("duration")).isNull();
    assertThat(op.name()).isEqualTo("1m");
  }

  @Test
  void optTextReadsTextOptions() {
    GeneratorOpcode op =
        read("{\"op\":\"WaitForEvent\",\"id\":\"x\",\"opts\":{\"timeout\":\"1h\",\"event\":\"e\",\"n\":1}}");

    assertThat(op.optText("timeout")).isEqualTo("1h");
    assertThat(op.optText("event")).isEqualTo("e");
    assertThat(op.optText("n")).isNull();
    assertThat(op.optText("if")).isNull();
    assertThat(read("{\"op\":\"Sleep\",\"id\":\"x\",\"opts\":null}").optText("duration")).isNull();
  }

  @Test
  void stepErrorKeepsErrorDataAsJsonNull() {
    GeneratorOpcode op =
        new GeneratorOpcode(
            Opcode.STEP_ERROR, A, "a", null, null, OpError.of("Step error", "boom"), null,
            new Timing(0, 0), Userland.of("a"));

    assertThat(write(op))
        .contains("\"error\":{\"name\":\"Step error\",\"message\":\"boom\",\"data\":null}");
  }

  @Test
  void readsTsErrorDroppingExtraKeys() {
    GeneratorOpcode op =
        read(
            "{\"op\":\"StepError\",\"id\":\"x\",\"error\":{\"name\":\"Error\",\"message\":\"m\","
                + "\"stack\":\"\",\"__serialized\":true,\"cause\":{\"name\":\"Inner\"}}}");

    assertThat(op.error().name()).isEqualTo("Error");
    assertThat(op.error().stack()).isEmpty();
    assertThat(op.error().cause().get("name").textValue()).isEqualTo("Inner");
    assertThat(op.error().data()).isNull();
    assertThat(write(op)).doesNotContain("__serialized");
  }

  @Test
  void readsAnArrayOfOps() throws Exception {
    List<GeneratorOpcode> ops =
        Json.mapper().readValue("[" + GO_STEP_RUN + "," + TS_STEP_RUN + "]", new TypeReference<>() {});
    assertThat(ops).extracting(GeneratorOpcode::op).containsExactly(Opcode.STEP_RUN, Opcode.STEP_RUN);
  }

  @Test
  void runCompleteCarriesTheResultUnderTheCompletionId() {
    GeneratorOpcode op = GeneratorOpcode.runComplete(ApiResult.of(201, Map.of("x-a", "b"), "{}"));

    // docs/protocol.md §7.2: id is sha1("complete"); no name, timing or userland.
    assertThat(write(op)).isEqualTo("{\"op\":\"RunComplete\",\"id\":\"0737c22d3bfae812339732d14d8c7dbd6dc4e09c\","
        + "\"data\":{\"status\":201,\"headers\":{\"x-a\":\"b\"},\"body\":\"{}\"}}");
  }

  static GeneratorOpcode read(String json) {
    try {
      return Json.mapper().readValue(json.getBytes(UTF_8), GeneratorOpcode.class);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  static String write(Object value) {
    return new String(Json.write(value), UTF_8);
  }

  static JsonNode tree(String json) {
    return Json.parse(json.getBytes(UTF_8));
  }
}
