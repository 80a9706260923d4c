package dev.stephttp.internal.wire;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * One op as exchanged between client and orchestrator (docs/protocol.md §6.2); immutable.
 *
 * <p>Null components are omitted when written. For {@code data} a Java null means "absent"
 * (omitted), while a {@link com.fasterxml.jackson.databind.node.NullNode} is a JSON {@code null}
 * that is written, and reading {@code "data": null} yields a {@code NullNode}. Unknown keys (the
 * TS client sends e.g. {@code mode} and {@code hashedId}) are ignored.
 *
 * @param op the opcode
 * @param id the hashed step ID (§7.1)
 * @param name the user step ID, or the sleep duration / event name for TS ops
 * @param opts per-op options (§6.4), or null
 * @param data step output or completion payload; null when absent, NullNode for JSON null
 * @param error the error of a failed step, or null
 * @param displayName the UI name, or null
 * @param timing start and duration, or null
 * @param userland the original step ID and repeat index, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({
  "op", "id", "name", "opts", "data", "error", "displayName", "timing", "userland"
})
public record GeneratorOpcode(
    Opcode op,
    String id,
    String name,
    JsonNode opts,
    JsonNode data,
    OpError error,
    String displayName,
    Timing timing,
    Userland userland) {

  /**
   * Returns the text of option {@code field}, or null when {@code opts} is absent, JSON null, an
   * empty object (Errata 7), or has no such text field.
   */
  public String optText(String field) {
    if (opts == null || !opts.isObject()) {
      return null;
    }
    JsonNode value = opts.get(field);
    return value == null || !value.isTextual() ? null : value.asText();
  }

  /** Returns {@code displayName}, else {@code name}, else {@code id} (the UI fallback order). */
  @JsonIgnore
  public String displayNameOrFallback() {
    if (displayName != null && !displayName.isEmpty()) {
      return displayName;
    }
    return name != null && !name.isEmpty() ? name : id;
  }

  /** Returns a copy with a different opcode (e.g. a final {@code StepError} as {@code StepFailed}). */
  public GeneratorOpcode withOp(Opcode op) {
    return new GeneratorOpcode(op, id, name, opts, data, error, displayName, timing, userland);
  }

  /** Returns a copy with a different error. */
  public GeneratorOpcode withError(OpError error) {
    return new GeneratorOpcode(op, id, name, opts, data, error, displayName, timing, userland);
  }

  /** Returns a copy with different data (Java null = absent, NullNode = JSON null). */
  public GeneratorOpcode withData(JsonNode data) {
    return new GeneratorOpcode(op, id, name, opts, data, error, displayName, timing, userland);
  }
}
