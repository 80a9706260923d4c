package dev.stephttp.orchestrator.engine;

import java.time.Duration;
import java.util.List;

/**
 * Immutable runtime settings derived from {@link Orchestrator.Builder}.
 *
 * @param syncRetryBackoff delay before retrying a step error reported in the sync phase (§9.3)
 * @param retryBackoff backoff table for async-phase retries, indexed by attempt (§9.3)
 * @param retryJitter maximum uniform jitter added to table backoffs
 * @param outputMaxWait how long the output endpoint blocks before answering "running" (§3.3)
 * @param reentryTimeout whole-exchange timeout of a re-entry call (§5.1)
 * @param reentryConcurrency re-entry calls in flight at once, in all
 * @param reentryConcurrencyPerOrigin re-entry calls in flight at once to one callback origin
 * @param reentryFanOutPerRun re-entry calls of one run's planned (parallel) steps in flight at once
 * @param connectionRetries how often a re-entry that did not reach the app is tried again
 * @param orphanTimeout how long a run in its sync phase may go without a checkpoint before
 *     the orchestrator re-enters it ({@link Watchdog})
 * @param connectionRetryDelay the first delay of those tries; each next one doubles, up to
 *     {@link #MAX_CONNECTION_RETRY_DELAY}
 * @param appOrigins the callback origins runs may name (any when empty)
 */
public record Settings(
    boolean dev,
    String signingKey,
    String signingKeyFallback,
    List<String> eventKeys,
    Duration syncRetryBackoff,
    List<Duration> retryBackoff,
    Duration retryJitter,
    Duration outputMaxWait,
    Duration reentryTimeout,
    int reentryConcurrency,
    int reentryConcurrencyPerOrigin,
    int reentryFanOutPerRun,
    int connectionRetries,
    Duration connectionRetryDelay,
    Duration orphanTimeout,
    AppOrigins appOrigins) {

  /** docs/protocol.md §9.6 limits. */
  public static final int MAX_CREATE_BODY = 4 * 1024 * 1024;
  public static final int MAX_STEPS_BODY = 8 * 1024 * 1024;
  static final int MAX_STEP_OUTPUT = 4 * 1024 * 1024;
  static final long MAX_RUN_STATE = 32L * 1024 * 1024;
  public static final int MAX_EVENT_BYTES = 3 * 1024 * 1024;
  public static final int MAX_EVENTS_BODY = 16 * 1024 * 1024;
  public static final int MAX_EVENTS = 5000;
  /** Longest signal name a signal request may carry (docs/protocol.md §10.3). */
  public static final int MAX_SIGNAL_NAME = 512;
  public static final int MAX_REENTRY_RESPONSE = 8 * 1024 * 1024;
  static final Duration MAX_SLEEP = Duration.ofDays(366);
  public static final int MAX_RETRIES = 20;

  public static final List<Duration> UPSTREAM_BACKOFF = List.of(
      Duration.ofSeconds(15), Duration.ofSeconds(30), Duration.ofMinutes(1),
      Duration.ofMinutes(2), Duration.ofMinutes(5), Duration.ofMinutes(10),
      Duration.ofMinutes(20), Duration.ofMinutes(40), Duration.ofHours(1), Duration.ofHours(2));

  static final Duration MAX_CONNECTION_RETRY_DELAY = Duration.ofSeconds(20);

  /**
   * How long a dispatched re-entry stays leased, also across a restart: the call's timeout plus
   * a margin (a tenth of it, 1 s to 1 minute) for the time between leasing and sending.
   */
  public long reentryLeaseMillis() {
    long timeout = reentryTimeout.toMillis();
    return timeout + Math.min(Math.max(timeout / 10, 1_000), 60_000);
  }

  /** Delay before the next try after {@code failures} consecutive unreachable re-entries. */
  Duration connectionBackoff(int failures) {
    Duration d = connectionRetryDelay;
    for (int i = 1; i < failures && d.compareTo(MAX_CONNECTION_RETRY_DELAY) < 0; i++) {
      d = d.multipliedBy(2);
    }
    return d.compareTo(MAX_CONNECTION_RETRY_DELAY) > 0 ? MAX_CONNECTION_RETRY_DELAY : d;
  }

  Duration backoff(int attempt) {
    Duration base = retryBackoff.get(Math.min(Math.max(attempt, 0), retryBackoff.size() - 1));
    if (retryJitter.isZero()) {
      return base;
    }
    long jitter = (long) (Math.random() * retryJitter.toMillis());
    return base.plusMillis(jitter);
  }

  public boolean hasSigningKey() {
    return signingKey != null && !signingKey.isEmpty();
  }

  @Override
  public String toString() {
    return "Settings[dev=" + dev + ", signingKey=" + (hasSigningKey() ? "***" : "none")
        + ", eventKeys=" + eventKeys.size() + "]";
  }
}
