package dev.stephttp.internal;

import dev.stephttp.internal.wire.GeneratorOpcode;
import java.util.List;

/**
 * Unwinds a handler that cannot continue in this request: an async step was reached, a step
 * failed and will be retried, or (on re-entry) a new step was executed and must be reported.
 *
 * <p>It is an {@link Error}, not an {@link Exception}, so that a user's {@code catch (Exception
 * e)} cannot swallow it, and it is stackless because it is control flow, not a fault.
 */
public final class Suspension extends Error {
  private static final long serialVersionUID = 1L;

  /** Why the handler stopped. */
  public enum Reason {
    /**
     * New ops were produced: {@link #ops()} holds them, one op, or the {@code StepPlanned} ops of a
     * parallel group (docs/protocol.md §6.1).
     */
    OP,
    /** A re-entry targeted a step ({@code X-Inngest-Step-ID}) that the handler did not reach. */
    TARGET_NOT_FOUND,
    /**
     * A sync-phase op could not be recorded: the orchestrator stayed busy past the backpressure
     * bound. {@link #op()} holds it; the run ends and the request is answered 503.
     */
    UNRECORDED
  }

  private final transient List<GeneratorOpcode> ops;
  private final Reason reason;

  private Suspension(Reason reason, List<GeneratorOpcode> ops) {
    super(ops.isEmpty() ? reason.name() : (reason == Reason.OP ? "suspended" : "not recorded") + " at "
        + ops.get(0).op() + " " + ops.get(0).name(), null, false, false);
    this.reason = reason;
    this.ops = ops;
  }

  static Suspension at(GeneratorOpcode op) {
    return new Suspension(Reason.OP, List.of(op));
  }

  static Suspension planned(List<GeneratorOpcode> ops) {
    return new Suspension(Reason.OP, List.copyOf(ops));
  }

  static Suspension unrecorded(GeneratorOpcode op) {
    return new Suspension(Reason.UNRECORDED, List.of(op));
  }

  static Suspension targetNotFound() {
    return new Suspension(Reason.TARGET_NOT_FOUND, List.of());
  }

  /** Why the handler stopped. */
  public Reason reason() {
    return reason;
  }

  /** The (first) op that stopped the handler, or null for {@link Reason#TARGET_NOT_FOUND}. */
  public GeneratorOpcode op() {
    return ops.isEmpty() ? null : ops.get(0);
  }

  /** Every op that stopped the handler, in order; empty for {@link Reason#TARGET_NOT_FOUND}. */
  public List<GeneratorOpcode> ops() {
    return ops;
  }
}
