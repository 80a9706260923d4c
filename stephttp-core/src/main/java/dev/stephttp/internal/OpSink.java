package dev.stephttp.internal;

import dev.stephttp.internal.wire.GeneratorOpcode;

/** Receives the ops a sync-phase execution produces, in order. */
@FunctionalInterface
public interface OpSink {
  /**
   * Accepts one op, waiting at most a bounded time (backpressure, docs/how-it-works.md).
   *
   * @return false when the op cannot be recorded (the orchestrator stayed busy past the bound): the
   *     execution stops, and the request is answered 503
   */
  boolean emit(GeneratorOpcode op);
}
