package dev.stephttp.internal;

import dev.stephttp.internal.wire.GeneratorOpcode;

/** Receives the ops a sync-phase execution produces, in order. */
@FunctionalInterface
public interface OpSink {
  /** Accepts one op; must not block for long. */
  void emit(GeneratorOpcode op);
}
