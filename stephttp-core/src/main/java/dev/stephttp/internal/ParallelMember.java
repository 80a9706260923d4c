package dev.stephttp.internal;

import com.fasterxml.jackson.databind.JavaType;
import dev.stephttp.StepFunction;
import java.util.Objects;

/**
 * One step of a parallel group ({@code Step.all}, {@code Step.race}): its ID, result type and
 * function. Immutable.
 *
 * @param id the user's step ID
 * @param type the result type the memoized value is read as
 * @param fn the step's function
 */
public record ParallelMember(String id, JavaType type, StepFunction<?> fn) {
  /** Validates the components. */
  public ParallelMember {
    Objects.requireNonNull(id, "id == null");
    Objects.requireNonNull(type, "type == null");
    Objects.requireNonNull(fn, "fn == null");
    if (id.isEmpty()) {
      throw new IllegalArgumentException("step id must not be empty");
    }
  }
}
