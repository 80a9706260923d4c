package dev.stephttp.internal.wire;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The op of a {@link GeneratorOpcode}, written on the wire as its name (docs/protocol.md §6.1). */
public enum Opcode {
  NONE("None", false, false, false),
  STEP("Step", true, false, false),
  STEP_RUN("StepRun", true, false, false),
  STEP_ERROR("StepError", false, false, false),
  STEP_PLANNED("StepPlanned", true, false, false),
  SLEEP("Sleep", false, false, false),
  WAIT_FOR_EVENT("WaitForEvent", false, false, true),
  INVOKE_FUNCTION("InvokeFunction", false, false, false),
  AI_GATEWAY("AIGateway", false, false, false),
  GATEWAY("Gateway", false, false, false),
  WAIT_FOR_SIGNAL("WaitForSignal", false, false, false),
  RUN_COMPLETE("RunComplete", true, false, false),
  STEP_FAILED("StepFailed", true, false, false),
  SYNC_RUN_COMPLETE("SyncRunComplete", true, false, false),
  DISCOVERY_REQUEST("DiscoveryRequest", false, false, false),
  DEFER_ADD("DeferAdd", true, true, true),
  DEFER_ABORT("DeferAbort", true, true, true);

  private final String wireName;
  private final boolean sync;
  private final boolean lazy;
  private final boolean priority;

  Opcode(String wireName, boolean sync, boolean lazy, boolean priority) {
    this.wireName = wireName;
    this.sync = sync;
    this.lazy = lazy;
    this.priority = priority;
  }

  /** Returns the name written on the wire, e.g. {@code StepRun}. */
  @JsonValue
  public String wireName() {
    return wireName;
  }

  /**
   * Decodes a wire name like the upstream server: exact match first, then case-insensitive.
   *
   * @throws IllegalArgumentException for null or an unknown name
   */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static Opcode fromWire(String name) {
    if (name == null) {
      throw new IllegalArgumentException("Expected an opcode name but found null");
    }
    for (Opcode op : values()) {
      if (op.wireName.equals(name)) {
        return op;
      }
    }
    String lower = name.toLowerCase(Locale.ROOT);
    for (Opcode op : values()) {
      if (op.wireName.toLowerCase(Locale.ROOT).equals(lower)) {
        return op;
      }
    }
    throw new IllegalArgumentException("Unknown opcode \"" + name + "\"");
  }

  /** True for ops that may be checkpointed without switching the run to async (§6.1). */
  public boolean isSync() {
    return sync;
  }

  /** True for ops that ride along with a host op and do not count as parallelism (§6.1). */
  public boolean isLazy() {
    return lazy;
  }

  /** True for ops processed before all others in the same batch (§6.1, §9.2). */
  public boolean isPriority() {
    return priority;
  }

  @Override
  public String toString() {
    return wireName;
  }
}
