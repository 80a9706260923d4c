package dev.stephttp.reliability;

import java.time.Duration;
import java.util.Objects;

/**
 * What {@link FaultProxy} does with one HTTP request. Immutable and thread-safe.
 *
 * <p>Every fault except {@link #resetAfterForwarding()} acts before anything reaches the upstream,
 * so the upstream never sees the request; {@code resetAfterForwarding} is the lost answer: the
 * upstream did the work, the caller never hears of it.
 */
public final class Fault {
  /** The kinds of fault. */
  public enum Kind {
    /** Forward the request and relay the answer. */
    PASS,
    /** Wait, then forward as {@link #PASS}. */
    DELAY,
    /** Reset the caller's connection (TCP RST) without forwarding. */
    RESET,
    /** Read the request and never answer, never forward. */
    BLACKHOLE,
    /** Answer an HTTP error status (5xx or 429) without forwarding. */
    STATUS,
    /** Forward the request, wait for the upstream to start answering, then reset the caller. */
    RESET_AFTER_FORWARDING
  }

  private static final Fault PASS = new Fault(Kind.PASS, Duration.ZERO, 0, Duration.ZERO);
  private static final Fault RESET = new Fault(Kind.RESET, Duration.ZERO, 0, Duration.ZERO);
  private static final Fault BLACKHOLE = new Fault(Kind.BLACKHOLE, Duration.ZERO, 0, Duration.ZERO);
  private static final Fault RESET_AFTER = new Fault(Kind.RESET_AFTER_FORWARDING, Duration.ZERO, 0, Duration.ZERO);

  private final Kind kind;
  private final Duration delay;
  private final int status;
  private final Duration retryAfter;

  private Fault(Kind kind, Duration delay, int status, Duration retryAfter) {
    this.kind = kind;
    this.delay = delay;
    this.status = status;
    this.retryAfter = retryAfter;
  }

  /** No fault: forward and relay. */
  public static Fault pass() {
    return PASS;
  }

  /** Holds the request for {@code delay} before forwarding it. */
  public static Fault delay(Duration delay) {
    Objects.requireNonNull(delay, "delay == null");
    if (delay.isNegative() || delay.isZero()) {
      throw new IllegalArgumentException("delay must be positive, was " + delay);
    }
    return new Fault(Kind.DELAY, delay, 0, Duration.ZERO);
  }

  /** Resets the caller's connection ({@code SO_LINGER 0}, then close) instead of forwarding. */
  public static Fault reset() {
    return RESET;
  }

  /**
   * Reads the request and never answers. The connection stays open until the caller gives up, the
   * proxy's faults are cleared ({@link FaultProxy#clear()} resets it) or the proxy closes.
   */
  public static Fault blackhole() {
    return BLACKHOLE;
  }

  /** Answers {@code status} (500–599) itself, with a small JSON body, without forwarding. */
  public static Fault serverError(int status) {
    if (status < 500 || status > 599) {
      throw new IllegalArgumentException("status must be in 500..599, was " + status);
    }
    return new Fault(Kind.STATUS, Duration.ZERO, status, Duration.ZERO);
  }

  /** Answers {@code 429} with {@code Retry-After: <whole seconds>} itself, without forwarding. */
  public static Fault tooManyRequests(Duration retryAfter) {
    Objects.requireNonNull(retryAfter, "retryAfter == null");
    if (retryAfter.isNegative()) {
      throw new IllegalArgumentException("retryAfter must not be negative, was " + retryAfter);
    }
    return new Fault(Kind.STATUS, Duration.ZERO, 429, retryAfter);
  }

  /** Forwards the request and resets the caller once the upstream starts answering. */
  public static Fault resetAfterForwarding() {
    return RESET_AFTER;
  }

  /** The kind of fault. */
  public Kind kind() {
    return kind;
  }

  /** The delay of a {@link Kind#DELAY}, else zero. */
  public Duration delay() {
    return delay;
  }

  /** The answered status of a {@link Kind#STATUS}, else 0. */
  public int status() {
    return status;
  }

  /** The {@code Retry-After} of a 429, else zero. */
  public Duration retryAfter() {
    return retryAfter;
  }

  @Override
  public String toString() {
    return switch (kind) {
      case DELAY -> "delay " + delay.toMillis() + " ms";
      case STATUS -> status == 429 ? "429 Retry-After " + retryAfter.toSeconds() : String.valueOf(status);
      default -> kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    };
  }
}
