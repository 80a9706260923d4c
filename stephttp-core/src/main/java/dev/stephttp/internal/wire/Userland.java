package dev.stephttp.internal.wire;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The user's own step ID and repeat index of an op (docs/protocol.md §6.2, §7.1); immutable.
 *
 * @param id the step ID as the user wrote it
 * @param index the repeat index, or null for the first occurrence
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Userland(String id, Integer index) {
  /** Returns the userland of the first occurrence of {@code id}. */
  public static Userland of(String id) {
    return new Userland(id, null);
  }
}
