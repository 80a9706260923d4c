package dev.stephttp.orchestrator;

import dev.stephttp.orchestrator.RateLimiter.Limit;

/**
 * Rate-limit configuration of the management API (MANAGEMENT_API.md §4.2, §4.4). Defaults are
 * the documented ones; dev mode turns limiting off unless limits are configured.
 */
record ApiLimits(boolean enabled, Limit keyGlobal, Limit keyRead, Limit keyWrite,
    Limit keyEvents, Limit sessionGlobal, Limit sessionRead, Limit sessionWrite,
    Limit sessionEvents, Limit ipAuthFailures, Limit login) {

  static final ApiLimits DEFAULTS = new ApiLimits(true, new Limit(1000, 50), new Limit(500, 25),
      new Limit(200, 10), new Limit(2000, 100), new Limit(3600, 120), new Limit(3600, 120),
      new Limit(200, 10), new Limit(600, 30), new Limit(120, 20), new Limit(60, 10));

  static final ApiLimits OFF = DEFAULTS.withEnabled(false);

  ApiLimits withEnabled(boolean on) {
    return new ApiLimits(on, keyGlobal, keyRead, keyWrite, keyEvents, sessionGlobal, sessionRead,
        sessionWrite, sessionEvents, ipAuthFailures, login);
  }

  /** Every bucket the same limit (tests). */
  static ApiLimits uniform(long perHour, long burst) {
    Limit l = new Limit(perHour, burst);
    return new ApiLimits(true, l, l, l, l, l, l, l, l, l, l);
  }

  Limit category(String category, boolean session) {
    return switch (category) {
      case "read" -> session ? sessionRead : keyRead;
      case "write" -> session ? sessionWrite : keyWrite;
      case "events" -> session ? sessionEvents : keyEvents;
      default -> session ? sessionGlobal : keyGlobal;
    };
  }
}
