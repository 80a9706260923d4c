package dev.stephttp.orchestrator.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;

/** What a re-entry call produced, interpreted per docs/protocol.md §5.5 before the transaction. */
public sealed interface Outcome {

  /** The app reported ops (206 array, or a single op object). */
  record Ops(List<Op> ops, boolean noRetry, Instant retryAfter) implements Outcome {}

  /** The run finished with this APIResult (Go plain response, 2xx non-generator, 201 stream). */
  record Complete(JsonNode apiResult) implements Outcome {}

  /** The call failed; retried per §9.3 when {@code retryable}. */
  record Failure(String reason, boolean retryable, Instant retryAfter) implements Outcome {}

  /**
   * The app was not reached or gave no answer: connection refused or reset, closed before a
   * status line, timed out. The handler may not have run at all, so this has its own budget
   * instead of using up the step's retries.
   *
   * @param failures consecutive such failures of the run, this one included (set by the
   *     scheduler)
   */
  record Unreachable(String reason, int failures) implements Outcome {
    public Unreachable withFailures(int n) {
      return new Unreachable(reason, n);
    }
  }
}
