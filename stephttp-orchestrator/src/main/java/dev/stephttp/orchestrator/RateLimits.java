package dev.stephttp.orchestrator;

import dev.stephttp.orchestrator.management.Quotas;
import java.util.Objects;

/**
 * Rate limits of the management API ({@code /api/v2}): each credential (a signing key or a
 * dashboard session) has its own buckets, and failed authentications and logins are counted per
 * client IP. Each bucket is a leaky bucket with an hourly rate and a burst (docs/management-api.md
 * §4.1): {@code burst + 1} requests may arrive at once, then one every {@code 3600 s / rate}.
 *
 * <p>The defaults fit one self-hosted orchestrator watched through its dashboard (a run page
 * reads a run and its trace every 3 s, 2,400 reads an hour per open page), while keeping key
 * guessing slow:
 *
 * <table>
 *   <caption>Defaults</caption>
 *   <tr><th>bucket</th><th>counts</th><th>per hour</th><th>burst</th></tr>
 *   <tr><td>{@link #read()}</td><td>GET and HEAD per credential</td><td>36,000 (10/s)</td>
 *       <td>300</td></tr>
 *   <tr><td>{@link #global()}</td><td>reads and cancels together per credential</td>
 *       <td>36,000</td><td>300</td></tr>
 *   <tr><td>{@link #write()}</td><td>cancels per credential</td><td>3,600 (1/s)</td>
 *       <td>60</td></tr>
 *   <tr><td>{@link #events()}</td><td>sent events and reruns per credential</td>
 *       <td>18,000 (5/s)</td><td>300</td></tr>
 *   <tr><td>{@link #authFailures()}</td><td>failed authentications per client IP; while it is
 *       empty the IP is refused</td><td>120</td><td>20</td></tr>
 *   <tr><td>{@link #logins()}</td><td>login attempts per client IP</td><td>60</td>
 *       <td>10</td></tr>
 * </table>
 *
 * <p>Limiting is on by default, except in dev mode where it applies only when limits are
 * configured. {@link #off()} turns it off. Immutable and thread-safe.
 */
public final class RateLimits {
  private static final RateLimits DEFAULTS = new Builder().build();
  private static final RateLimits OFF = new Builder().enabled(false).build();

  private final boolean enabled;
  private final Limit read;
  private final Limit global;
  private final Limit write;
  private final Limit events;
  private final Limit authFailures;
  private final Limit logins;

  private RateLimits(Builder b) {
    enabled = b.enabled;
    read = b.read;
    global = b.global;
    write = b.write;
    events = b.events;
    authFailures = b.authFailures;
    logins = b.logins;
  }

  /** The documented defaults (see the class description), limiting on. */
  public static RateLimits defaults() {
    return DEFAULTS;
  }

  /** No rate limiting at all. */
  public static RateLimits off() {
    return OFF;
  }

  /** A builder that starts from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder that starts from these limits. */
  public Builder toBuilder() {
    return new Builder().enabled(enabled).read(read).global(global).write(write).events(events)
        .authFailures(authFailures).logins(logins);
  }

  /** Whether requests are limited at all. */
  public boolean enabled() {
    return enabled;
  }

  /** GET and HEAD requests per credential. */
  public Limit read() {
    return read;
  }

  /** Reads and cancels together per credential. */
  public Limit global() {
    return global;
  }

  /** Cancels per credential. */
  public Limit write() {
    return write;
  }

  /** Sent events and reruns per credential (not counted in {@link #global()}). */
  public Limit events() {
    return events;
  }

  /** Failed authentications per client IP; an IP whose bucket is empty is refused. */
  public Limit authFailures() {
    return authFailures;
  }

  /** Login attempts per client IP. */
  public Limit logins() {
    return logins;
  }


  /** These limits as the management API's gate applies them. */
  Quotas quotas() {
    return new Quotas(enabled, quota(read), quota(global), quota(write), quota(events),
        quota(authFailures), quota(logins));
  }

  private static Quotas.Quota quota(Limit l) {
    return new Quotas.Quota(l.perHour(), l.burst());
  }

  @Override
  public String toString() {
    return enabled ? "RateLimits{read=" + read + ", global=" + global + ", write=" + write
        + ", events=" + events + ", authFailures=" + authFailures + ", logins=" + logins + "}"
        : "RateLimits{off}";
  }

  /**
   * One bucket: {@code perHour} requests an hour sustained (1 to 36,000,000) and a burst of
   * {@code burst} more at once (0 to 1,000,000).
   */
  public record Limit(long perHour, long burst) {
    /** Validates the ranges. */
    public Limit {
      if (perHour < 1 || perHour > 36_000_000L) {
        throw new IllegalArgumentException("perHour must be in 1..36000000 but was " + perHour);
      }
      if (burst < 0 || burst > 1_000_000L) {
        throw new IllegalArgumentException("burst must be in 0..1000000 but was " + burst);
      }
    }

    /** A limit of {@code perHour} requests an hour with a burst of {@code burst}. */
    public static Limit of(long perHour, long burst) {
      return new Limit(perHour, burst);
    }


    @Override
    public String toString() {
      return perHour + "/h burst " + burst;
    }
  }

  /** Builds {@link RateLimits}; starts from the defaults. Not thread-safe. */
  public static final class Builder {
    private boolean enabled = true;
    private Limit read = new Limit(36_000, 300);
    private Limit global = new Limit(36_000, 300);
    private Limit write = new Limit(3_600, 60);
    private Limit events = new Limit(18_000, 300);
    private Limit authFailures = new Limit(120, 20);
    private Limit logins = new Limit(60, 10);

    private Builder() {}

    /** Whether to limit at all; default true. */
    public Builder enabled(boolean enabled) {
      this.enabled = enabled;
      return this;
    }

    /** Reads per credential; default 36,000/h, burst 300. */
    public Builder read(Limit limit) {
      this.read = Objects.requireNonNull(limit, "read == null");
      return this;
    }

    /** Reads and cancels together per credential; default 36,000/h, burst 300. */
    public Builder global(Limit limit) {
      this.global = Objects.requireNonNull(limit, "global == null");
      return this;
    }

    /** Cancels per credential; default 3,600/h, burst 60. */
    public Builder write(Limit limit) {
      this.write = Objects.requireNonNull(limit, "write == null");
      return this;
    }

    /** Sent events and reruns per credential; default 18,000/h, burst 300. */
    public Builder events(Limit limit) {
      this.events = Objects.requireNonNull(limit, "events == null");
      return this;
    }

    /** Failed authentications per client IP; default 120/h, burst 20. */
    public Builder authFailures(Limit limit) {
      this.authFailures = Objects.requireNonNull(limit, "authFailures == null");
      return this;
    }

    /** Login attempts per client IP; default 60/h, burst 10. */
    public Builder logins(Limit limit) {
      this.logins = Objects.requireNonNull(limit, "logins == null");
      return this;
    }

    /** The limits. */
    public RateLimits build() {
      return new RateLimits(this);
    }
  }
}
