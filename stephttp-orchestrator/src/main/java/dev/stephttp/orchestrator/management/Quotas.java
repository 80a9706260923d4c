package dev.stephttp.orchestrator.management;

/**
 * The management API's rate limits as the gate applies them (docs/management-api.md §4.1); the
 * root package builds them from the public {@code RateLimits}.
 *
 * @param enabled whether requests are limited at all
 * @param read GET and HEAD requests per credential
 * @param global reads and cancels together per credential
 * @param write cancels per credential
 * @param events sent events and reruns per credential
 * @param authFailures failed authentications per client IP
 * @param logins login attempts per client IP
 */
public record Quotas(boolean enabled, Quota read, Quota global, Quota write, Quota events,
    Quota authFailures, Quota logins) {

  /** One bucket's limit: {@code perHour} requests an hour with a burst of {@code burst}. */
  public record Quota(long perHour, long burst) {

    /** The emission interval {@code T = 3600 s / perHour}, in microseconds. */
    long intervalMicros() {
      return Math.max(1, 3_600_000_000L / perHour);
    }
  }

  /** The limit of a route category ({@code read}, {@code write}, {@code events}, else global). */
  Quota category(String category) {
    return switch (category) {
      case "read" -> read;
      case "write" -> write;
      case "events" -> events;
      default -> global;
    };
  }
}
