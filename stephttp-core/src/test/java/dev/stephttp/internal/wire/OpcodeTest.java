package dev.stephttp.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpcodeTest {

  @Test
  void wireNamesAreExactlyTheProtocolNamesInOrder() {
    assertThat(Arrays.stream(Opcode.values()).map(Opcode::wireName))
        .containsExactly(
            "None", "Step", "StepRun", "StepError", "StepPlanned", "Sleep", "WaitForEvent",
            "InvokeFunction", "AIGateway", "Gateway", "WaitForSignal", "RunComplete", "StepFailed",
            "SyncRunComplete", "DiscoveryRequest", "DeferAdd", "DeferAbort");
  }

  @Test
  void serialisesAsItsWireName() throws JsonProcessingException {
    assertThat(Json.mapper().writeValueAsString(List.of(Opcode.STEP_RUN, Opcode.AI_GATEWAY)))
        .isEqualTo("[\"StepRun\",\"AIGateway\"]");
  }

  @Test
  void fromWireMatchesExactNames() {
    for (Opcode op : Opcode.values()) {
      assertThat(Opcode.fromWire(op.wireName())).isSameAs(op);
    }
  }

  @Test
  void fromWireMatchesCaseInsensitively() {
    assertThat(Opcode.fromWire("steprun")).isSameAs(Opcode.STEP_RUN);
    assertThat(Opcode.fromWire("STEPRUN")).isSameAs(Opcode.STEP_RUN);
    assertThat(Opcode.fromWire("aigateway")).isSameAs(Opcode.AI_GATEWAY);
    assertThat(Opcode.fromWire("waitForEvent")).isSameAs(Opcode.WAIT_FOR_EVENT);
  }

  @Test
  void fromWireRejectsUnknownNames() {
    assertThatThrownBy(() -> Opcode.fromWire("StepNotFound"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("StepNotFound");
    assertThatThrownBy(() -> Opcode.fromWire("STEP_RUN")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Opcode.fromWire("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Opcode.fromWire(null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void deserialisesCaseInsensitivelyAndRejectsUnknownAndNumbers() throws Exception {
    assertThat(Json.mapper().readValue("\"sleep\"", Opcode.class)).isSameAs(Opcode.SLEEP);
    assertThatThrownBy(() -> Json.mapper().readValue("\"Nap\"", Opcode.class))
        .isInstanceOf(JsonProcessingException.class);
    assertThatThrownBy(() -> Json.mapper().readValue("2", Opcode.class))
        .isInstanceOf(JsonProcessingException.class);
  }

  @Test
  void syncSetMatchesSection61() {
    EnumSet<Opcode> sync = EnumSet.noneOf(Opcode.class);
    for (Opcode op : Opcode.values()) {
      if (op.isSync()) {
        sync.add(op);
      }
    }
    assertThat(sync)
        .containsExactlyInAnyOrder(
            Opcode.STEP, Opcode.STEP_RUN, Opcode.STEP_PLANNED, Opcode.RUN_COMPLETE,
            Opcode.SYNC_RUN_COMPLETE, Opcode.STEP_FAILED, Opcode.DEFER_ADD, Opcode.DEFER_ABORT);
  }

  @Test
  void onlyDeferOpsAreLazy() {
    assertThat(Arrays.stream(Opcode.values()).filter(Opcode::isLazy))
        .containsExactly(Opcode.DEFER_ADD, Opcode.DEFER_ABORT);
  }

  @Test
  void waitForEventAndDeferOpsArePriority() {
    assertThat(Arrays.stream(Opcode.values()).filter(Opcode::isPriority))
        .containsExactly(Opcode.WAIT_FOR_EVENT, Opcode.DEFER_ADD, Opcode.DEFER_ABORT);
  }
}
