package dev.stephttp.internal.wire;

import static dev.stephttp.internal.wire.GeneratorOpcodeJsonTest.tree;
import static dev.stephttp.internal.wire.GeneratorOpcodeJsonTest.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class WireDtoJsonTest {
  private static final String RUN = "01J9Z3K6W8T6M0V2Q4R5S7X8Y9";

  @Test
  void opErrorAlwaysWritesDataEvenWhenAbsent() {
    assertThat(write(OpError.of("Step failed", "card declined")))
        .isEqualTo("{\"name\":\"Step failed\",\"message\":\"card declined\",\"data\":null}");
  }

  @Test
  void opErrorWritesAllFieldsInOrder() {
    ObjectNode data = JsonNodeFactory.instance.objectNode().put("x", 1);
    ObjectNode cause = JsonNodeFactory.instance.objectNode().put("name", "Inner");
    OpError e = new OpError("Error", "m", "at x", data, true, cause);

    assertThat(write(e))
        .isEqualTo(
            "{\"name\":\"Error\",\"message\":\"m\",\"stack\":\"at x\",\"data\":{\"x\":1},"
                + "\"noRetry\":true,\"cause\":{\"name\":\"Inner\"}}");
  }

  @Test
  void opErrorReadsJsonNullDataAsAbsent() throws Exception {
    OpError e =
        Json.mapper().readValue("{\"name\":\"n\",\"message\":\"m\",\"data\":null,\"cause\":null}", OpError.class);

    assertThat(e).isEqualTo(OpError.of("n", "m"));
    assertThat(write(e)).isEqualTo("{\"name\":\"n\",\"message\":\"m\",\"data\":null}");
  }

  @Test
  void apiResultOmitsNullFields() {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("content-type", "application/json");
    ApiResult ts = new ApiResult(200, headers, "\"hello\"", null, null, 2);

    assertThat(write(ts))
        .isEqualTo(
            "{\"status\":200,\"headers\":{\"content-type\":\"application/json\"},"
                + "\"body\":\"\\\"hello\\\"\",\"version\":2}");
    assertThat(write(ApiResult.of(204, null, null))).isEqualTo("{\"status\":204}");
  }

  @Test
  void apiResultRoundTripsGoShape() throws Exception {
    String json =
        "{\"status\":500,\"headers\":{\"X-Run-Id\":\"" + RUN + "\"},\"body\":\"oops\","
            + "\"duration\":9007199254740993,\"error\":\"panic: boom\"}";
    ApiResult r = Json.mapper().readValue(json, ApiResult.class);

    assertThat(r.duration()).isEqualTo(9007199254740993L);
    assertThat(r.error()).isEqualTo("panic: boom");
    assertThat(write(r)).isEqualTo(json);
  }

  @Test
  void httpRequestDataUsesSnakeCaseKeys() {
    HttpRequestData d =
        new HttpRequestData(
            "https://api.example.com", "POST", "/v1/orders", "", "203.0.113.7", "application/json",
            "dry=1", "eyJza3UiOiJhYmMifQ==");

    assertThat(write(d))
        .isEqualTo(
            "{\"domain\":\"https://api.example.com\",\"method\":\"POST\",\"path\":\"/v1/orders\","
                + "\"fn\":\"\",\"ip\":\"203.0.113.7\",\"content_type\":\"application/json\","
                + "\"query_params\":\"dry=1\",\"body\":\"eyJza3UiOiJhYmMifQ==\"}");
  }

  @Test
  void triggerEventOmitsNullsAndHasNoDerivedKeys() {
    TriggerEvent e =
        new TriggerEvent(
            TriggerEvent.GO_HTTP_RUN_STARTED,
            new HttpRequestData("http://h", "GET", "/", "", "", "", "", null), null, null, null, null);

    assertThat(write(e))
        .isEqualTo(
            "{\"name\":\"http/run.started\",\"data\":{\"domain\":\"http://h\",\"method\":\"GET\","
                + "\"path\":\"/\",\"fn\":\"\",\"ip\":\"\",\"content_type\":\"\",\"query_params\":\"\"}}");
    assertThat(e.isGoClient()).isTrue();
    assertThat(TriggerEvent.HTTP_REQUEST).isEqualTo("inngest/http.request");
  }

  @Test
  void readsTheGoCreateRunExampleFromSection21() throws Exception {
    String json =
        "{\"run_id\":\"" + RUN + "\",\"idempotency\":\"\",\"event\":{\"name\":\"http/run.started\","
            + "\"data\":{\"domain\":\"https://api.example.com\",\"method\":\"POST\",\"path\":\"/v1/orders\","
            + "\"fn\":\"\",\"ip\":\"203.0.113.7\",\"content_type\":\"application/json\","
            + "\"query_params\":\"dry=1\",\"body\":\"eyJza3UiOiJhYmMifQ==\"}},"
            + "\"steps\":[{\"op\":\"StepRun\",\"id\":\"86f7e437faa5a7fce15d1ddcb9eaeaea377667b8\",\"name\":\"a\","
            + "\"opts\":null,\"data\":{\"ok\":true},\"error\":null,\"displayName\":null,"
            + "\"timing\":{\"a\":1735732800000000000,\"b\":1500000},\"userland\":{\"id\":\"a\"}},"
            + "{\"op\":\"Sleep\",\"id\":\"x\",\"name\":\"wait\",\"opts\":{\"duration\":\"1m\"},"
            + "\"data\":null,\"error\":null,\"displayName\":null,\"timing\":{\"a\":0,\"b\":0},"
            + "\"userland\":{\"id\":\"wait\"}}]}";
    CreateRunRequest r = Json.mapper().readValue(json, CreateRunRequest.class);

    assertThat(r.runId()).isEqualTo(RUN);
    assertThat(r.idempotency()).isEmpty();
    assertThat(r.event().isGoClient()).isTrue();
    assertThat(r.event().data().contentType()).isEqualTo("application/json");
    assertThat(r.event().data().queryParams()).isEqualTo("dry=1");
    assertThat(r.steps()).extracting(GeneratorOpcode::op).containsExactly(Opcode.STEP_RUN, Opcode.SLEEP);
    assertThat(Durations.parse(r.steps().get(1).optText("duration"))).hasMinutes(1);
    assertThat(r.requestVersion()).isNull();
    assertThat(r.retries()).isNull();
    assertThat(write(r)).doesNotContain("request_version", "retries", "\"ts\"");
  }

  @Test
  void readsTheTsCreateRunExampleFromSection21() throws Exception {
    String json =
        "{\"run_id\":\"" + RUN + "\",\"event\":{\"name\":\"inngest/http.request\",\"data\":{"
            + "\"content_type\":\"\",\"domain\":\"http://localhost:3000\",\"ip\":\"\",\"method\":\"GET\","
            + "\"path\":\"/api/hello\",\"query_params\":\"test=x\",\"body\":\"\",\"fn\":\"\"}},"
            + "\"steps\":[{\"id\":\"86f7e437faa5a7fce15d1ddcb9eaeaea377667b8\",\"op\":\"StepRun\",\"name\":\"a\","
            + "\"displayName\":\"a\",\"userland\":{\"id\":\"a\"},\"data\":\"hello\","
            + "\"timing\":{\"a\":1735732800000000000,\"b\":2000000}}],"
            + "\"ts\":1735732800002,\"request_version\":2,\"retries\":3}";
    CreateRunRequest r = Json.mapper().readValue(json, CreateRunRequest.class);

    assertThat(r.idempotency()).isNull();
    assertThat(r.event().isGoClient()).isFalse();
    assertThat(r.requestVersion()).isEqualTo(2);
    assertThat(r.retries()).isEqualTo(3);
    assertThat(r.ts()).isEqualTo(1735732800002L);
    assertThat(tree(write(r))).isEqualTo(tree(json));
  }

  @Test
  void createRunResponseWritesSnakeCaseAndOmitsEmptyTokens() {
    UUID fn = UUID.fromString("1704f22c-f0a0-569a-ae08-53c927c1b8d7");
    UUID app = UUID.fromString("9ffc093b-9320-5c47-9d50-c8d7947613fd");

    assertThat(write(CreateRunResponse.of(fn, app, RUN, "tok", "rt")))
        .isEqualTo(
            "{\"fn_id\":\"1704f22c-f0a0-569a-ae08-53c927c1b8d7\",\"app_id\":\"9ffc093b-9320-5c47-9d50-c8d7947613fd\","
                + "\"run_id\":\"" + RUN + "\",\"token\":\"tok\",\"realtime_token\":\"rt\"}");
    assertThat(write(new CreateRunResponse("f", "a", RUN, "", null)))
        .isEqualTo("{\"fn_id\":\"f\",\"app_id\":\"a\",\"run_id\":\"" + RUN + "\"}");
  }

  @Test
  void readsEnvelopedCreateRunResponse() throws Exception {
    String json =
        "{\"data\":{\"fn_id\":\"f\",\"app_id\":\"a\",\"run_id\":\"" + RUN + "\",\"token\":\"t\","
            + "\"realtime_token\":\"r\",\"extra\":1},\"metadata\":{\"fetched_at\":\"2025-01-01T12:00:00.1234Z\"}}\n";
    // As OrchestratorClient reads it: the "data" member, unknown keys and the metadata ignored.
    CreateRunResponse data = Json.mapper().treeToValue(
        Json.parse(json.getBytes(java.nio.charset.StandardCharsets.UTF_8)).path("data"), CreateRunResponse.class);

    assertThat(data).isEqualTo(new CreateRunResponse("f", "a", RUN, "t", "r"));
  }

  @Test
  void checkpointStepsRequestUsesSnakeCase() throws Exception {
    CheckpointStepsRequest r =
        new CheckpointStepsRequest(
            RUN, "f", "a",
            List.of(new GeneratorOpcode(Opcode.RUN_COMPLETE, StepIds.COMPLETE_ID, null, null, null, null, null, null, null)),
            1735732800002L);
    String json = write(r);

    assertThat(json)
        .isEqualTo(
            "{\"run_id\":\"" + RUN + "\",\"fn_id\":\"f\",\"app_id\":\"a\",\"steps\":[{\"op\":\"RunComplete\","
                + "\"id\":\"0737c22d3bfae812339732d14d8c7dbd6dc4e09c\"}],\"ts\":1735732800002}");
    assertThat(Json.mapper().readValue(json, CheckpointStepsRequest.class)).isEqualTo(r);
  }
}
