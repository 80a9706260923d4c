package dev.stephttp.internal;

import dev.stephttp.internal.wire.GeneratorOpcode;

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
    /** A new op was produced: {@link #op()} holds it. */
    OP,
    /** A re-entry targeted a step ({@code X-Inngest-Step-ID}) that the handler did not reach. */
    TARGET_NOT_FOUND,
    /**
     * A sync-phase op could not be recorded: the orchestrator stayed busy past the backpressure
     * bound. {@link #op()} holds it; the run ends and the request is answered 503.
     */
    UNRECORDED
  }

  private final transient GeneratorOpcode op;
  private final Reason reason;

  private Suspension(Reason reason, GeneratorOpcode op) {
    super(op == null ? reason.name() : (reason == Reason.OP ? "suspended" : "not recorded") + " at " + op.op() + " "
        + op.name(), null, false, false);
    this.reason = reason;
    this.op = op;
  }

  static Suspension at(GeneratorOpcode op) {
    return new Suspension(Reason.OP, op);
  }

  static Suspension unrecorded(GeneratorOpcode op) {
    return new Suspension(Reason.UNRECORDED, op);
  }

  static Suspension targetNotFound() {
    return new Suspension(Reason.TARGET_NOT_FOUND, null);
  }

  /** Why the handler stopped. */
  public Reason reason() {
    return reason;
  }

  /** The op that stopped the handler, or null for {@link Reason#TARGET_NOT_FOUND}. */
  public GeneratorOpcode op() {
    return op;
  }
}
