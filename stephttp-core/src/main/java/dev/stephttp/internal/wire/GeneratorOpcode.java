package dev.stephttp.internal.wire;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

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

  /**
   * The {@code RunComplete} op that ends a run with the handler's HTTP result (docs/protocol.md
   * §7.2): its ID is {@link StepIds#COMPLETE_ID}, with no name, timing or userland.
   */
  public static GeneratorOpcode runComplete(ApiResult result) {
    return new GeneratorOpcode(Opcode.RUN_COMPLETE, StepIds.COMPLETE_ID, null, null,
        Json.mapper().valueToTree(Objects.requireNonNull(result, "result == null")), null, null, null, null);
  }
}
