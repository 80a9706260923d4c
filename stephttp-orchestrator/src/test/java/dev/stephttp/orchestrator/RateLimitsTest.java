package dev.stephttp.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stephttp.orchestrator.RateLimits.Limit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Management API rate limits fit a self-hosted orchestrator watched through its dashboard, are
 * configurable from the builder, and can be turned off (docs/management-api.md §4). Real sockets,
 * an injected clock for the hour of polling.
 */
@Timeout(60)
class RateLimitsTest {

  /** Every bucket the same limit. */
  static RateLimits uniform(long perHour, long burst) {
    Limit l = Limit.of(perHour, burst);
    return RateLimits.builder().read(l).global(l).write(l).events(l).authFailures(l).logins(l)
        .build();
  }

  static String login(Orchestrator o) {
    Http.Result login = new Api(o, null).post("/login", "{\"signingKey\": \"" + Api.KEY + "\"}");
    Api.ok(login);
    String setCookie = login.header("Set-Cookie");
    return setCookie.substring(0, setCookie.indexOf(';'));
  }

  @Test
  void twoRunPagesPollingRunAndTraceEveryThreeSecondsForAnHourAreNeverThrottled() {
    AtomicLong clock = new AtomicLong(1_800_000_000_000L);
    try (Orchestrator o = Orchestrator.builder().port(0).inMemoryStore().signingKey(Api.KEY)
        .clock(new ManualClock(clock)).start()) {
      List<String> runs = List.of(Api.sleepingRun(o, "http://127.0.0.1:1", "/a"),
          Api.sleepingRun(o, "http://127.0.0.1:1", "/b"));
      String cookie = login(o);
      Api session = new Api(o, null);
      List<Integer> statuses = new ArrayList<>();
      for (int tick = 0; tick < 1200; tick++) { // 3 s × 1200 = one hour, 4,800 reads
        for (String run : runs) {
          statuses.add(session.get("/runs/" + run + "?includeOutput=true",
              b -> b.header("Cookie", cookie)).status());
          statuses.add(session.get("/runs/" + run + "/trace?includeOutput=true",
              b -> b.header("Cookie", cookie)).status());
        }
        clock.addAndGet(3_000);
      }
      assertThat(statuses).hasSize(4800).containsOnly(200);
    }
  }

  @Test
  void tinyConfiguredReadLimitAnswers429WithRetryAfter() {
    AtomicLong clock = new AtomicLong(1_800_000_000_000L);
    try (Orchestrator o = Orchestrator.builder().port(0).inMemoryStore().signingKey(Api.KEY)
        .rateLimits(RateLimits.builder().read(Limit.of(60, 1)).build()).clock(new ManualClock(clock))
        .start()) {
      Api api = Api.bearer(o);
      Api.ok(api.get("/runs"));
      Api.ok(api.get("/runs")); // burst 1: two at once
      Http.Result throttled = api.get("/runs");
      Api.error(throttled, 429, "rate_limited");
      assertThat(throttled.header("Retry-After")).isEqualTo("60"); // one read a minute
      assertThat(throttled.header("X-RateLimit-Limit")).isEqualTo("60");
      assertThat(throttled.header("X-RateLimit-Remaining")).isEqualTo("0");
      clock.addAndGet(60_000);
      Api.ok(api.get("/runs"));
    }
  }

  @Test
  void limitsOffLetEveryRequestThroughWithoutHeaders() {
    try (Orchestrator o = Orchestrator.builder().port(0).inMemoryStore().signingKey(Api.KEY)
        .rateLimits(uniform(1, 0).toBuilder().enabled(false).build()).start()) {
      Api api = Api.bearer(o);
      for (int i = 0; i < 20; i++) {
        Http.Result r = api.get("/apps");
        Api.ok(r);
        assertThat(r.header("X-RateLimit-Limit")).isNull();
      }
    }
  }

  @Test
  void devModeLimitsOnlyWhenLimitsAreConfigured() {
    try (Orchestrator free = Orchestrator.builder().port(0).inMemoryStore().dev(true).start();
        Orchestrator limited = Orchestrator.builder().port(0).inMemoryStore().dev(true)
            .rateLimits(uniform(60, 0)).start()) {
      for (int i = 0; i < 30; i++) {
        Api.ok(new Api(free, null).get("/apps"));
      }
      Api.ok(new Api(limited, null).get("/apps"));
      Api.error(new Api(limited, null).get("/apps"), 429, "rate_limited");
    }
  }

  @Test
  void defaultsAreGenerousForReadsAndStrictForFailedSignIns() {
    RateLimits d = RateLimits.defaults();
    assertThat(d.enabled()).isTrue();
    assertThat(d.read()).isEqualTo(Limit.of(36_000, 300));
    assertThat(d.global()).isEqualTo(Limit.of(36_000, 300));
    assertThat(d.write()).isEqualTo(Limit.of(3_600, 60));
    assertThat(d.events()).isEqualTo(Limit.of(18_000, 300));
    assertThat(d.authFailures()).isEqualTo(Limit.of(120, 20));
    assertThat(d.logins()).isEqualTo(Limit.of(60, 10));
    assertThat(RateLimits.off().enabled()).isFalse();
    assertThat(d.toBuilder().build().toString()).isEqualTo(d.toString());
  }

  @Test
  void limitOutsideItsRangeNamesTheParameter() {
    assertThatThrownBy(() -> Limit.of(0, 5)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("perHour must be in 1..36000000 but was 0");
    assertThatThrownBy(() -> Limit.of(60, -1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("burst must be in 0..1000000 but was -1");
  }
}
