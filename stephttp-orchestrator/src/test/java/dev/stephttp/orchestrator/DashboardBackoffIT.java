package dev.stephttp.orchestrator;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import dev.stephttp.orchestrator.RateLimits.Limit;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The dashboard's live refresh backs off instead of hammering the orchestrator: it honours
 * Retry-After on 429, backs off exponentially (at most 60 s) on errors, says so in the header,
 * recovers on the first success, and fetches nothing while the tab is hidden. The page's timers
 * run on Playwright's fake clock, so minutes of backoff take no time; the orchestrator's rate
 * limiter runs on an injected clock.
 */
@Timeout(120)
class DashboardBackoffIT {
  static final String KEY = Api.KEY;
  static final AtomicLong API_CLOCK = new AtomicLong(System.currentTimeMillis());
  /** Counts the page's calls to the API (wrapped before the dashboard's scripts run). */
  static final String COUNT_FETCHES = "window.__apiCalls = 0; const realFetch = window.fetch;"
      + " window.fetch = (...args) => { if (String(args[0]).includes('/api/v2/runs/'))"
      + " window.__apiCalls++; return realFetch(...args); };";

  static DashboardBrowser.Session chromium;
  static Orchestrator limited;
  static Orchestrator open;

  BrowserContext context;
  Page page;
  final List<String> pageErrors = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() {
    chromium = DashboardBrowser.start("DashboardBackoffIT");
    // Reads: burst 5 (six at once: sign-in and the first load), then one every 10 s.
    limited = Orchestrator.builder().port(0).inMemoryStore().signingKey(KEY)
        .rateLimits(RateLimits.builder().read(Limit.of(360, 5)).build())
        .clock(new ManualClock(API_CLOCK)).start();
    open = Orchestrator.builder().port(0).inMemoryStore().signingKey(KEY).start();
  }

  @AfterAll
  static void stop() {
    if (chromium != null) {
      chromium.close();
    }
    if (limited != null) {
      limited.close();
    }
    if (open != null) {
      open.close();
    }
  }

  @BeforeEach
  void openPage() {
    Browser browser = chromium.browser();
    context = browser.newContext(new Browser.NewContextOptions().setViewportSize(1366, 900));
    context.setDefaultTimeout(20_000);
    page = context.newPage();
    page.onPageError(e -> pageErrors.add("page error: " + e));
    page.addInitScript(COUNT_FETCHES);
    page.clock().install();
  }

  @AfterEach
  void closePage() {
    context.close();
    assertThat(pageErrors).as("JavaScript errors in the dashboard").isEmpty();
  }

  void signIn(Orchestrator o) {
    page.navigate(o.baseUrl() + "/#/login");
    page.getByLabel("Signing key").fill(KEY);
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();
    assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Runs")
        .setLevel(1))).isVisible();
  }

  void openRun(Orchestrator o, String runId) {
    page.navigate(o.baseUrl() + "/#/runs/" + runId);
    assertThat(page.locator(".page-sub .badge")).hasText("Running");
  }

  int apiCalls() {
    return ((Number) page.evaluate("() => window.__apiCalls")).intValue();
  }

  Locator notice() {
    return page.locator("#refresh-notice");
  }

  @Test
  void rateLimitedRefreshHonoursRetryAfterSaysSoAndRecovers() {
    String runId = Api.sleepingRun(limited, "http://127.0.0.1:1", "/nap");
    signIn(limited);
    openRun(limited, runId);

    page.clock().runFor(3_000); // the next refresh: the read bucket is empty now
    assertThat(notice()).isVisible();
    assertThat(notice()).hasAttribute("data-reason", "rate-limited");
    assertThat(notice()).containsText("rate limiting; retrying in 10 s"); // Retry-After, not 3 s
    assertThat(page.locator(".page-sub .badge")).hasText("Running"); // the last data stays
    int calls = apiCalls();
    page.clock().runFor(9_000);
    assertThat(apiCalls()).as("no refresh before Retry-After has passed").isEqualTo(calls);

    API_CLOCK.addAndGet(Duration.ofHours(1).toMillis()); // the bucket refills
    page.clock().runFor(1_000);
    assertThat(notice()).isHidden();
    assertThat(apiCalls()).isGreaterThan(calls);
  }

  @Test
  void failingRefreshBacksOffExponentiallyUpToAMinuteThenRecovers() {
    String runId = Api.sleepingRun(open, "http://127.0.0.1:1", "/nap");
    signIn(open);
    openRun(open, runId);

    page.route(url -> url.contains("/api/v2/runs/"), route -> route.fulfill(
        new com.microsoft.playwright.Route.FulfillOptions().setStatus(503)
            .setContentType("application/json")
            .setBody("{\"errors\":[{\"code\":\"storage_unavailable\","
                + "\"message\":\"Storage is busy.\",\"field\":null}]}")));
    long wait = 3_000;
    for (int expected : new int[] {6, 12, 24, 48, 60, 60}) {
      page.clock().runFor(wait);
      assertThat(notice()).hasText("Live refresh failed (Storage is busy.); retrying in "
          + expected + " s.");
      assertThat(notice()).hasAttribute("data-reason", "error");
      wait = expected * 1000L;
    }
    page.unrouteAll();
    page.clock().runFor(wait);
    assertThat(notice()).isHidden();
    assertThat(page.locator(".page-sub .badge")).hasText("Running");
  }

  @Test
  void hiddenTabFetchesNothingAndRefreshesWhenVisibleAgain() {
    String runId = Api.sleepingRun(open, "http://127.0.0.1:1", "/nap");
    signIn(open);
    openRun(open, runId);
    page.clock().runFor(3_000);
    page.waitForFunction("() => window.__apiCalls >= 4"); // first load + one refresh

    page.evaluate("() => { Object.defineProperty(document, 'visibilityState',"
        + " { configurable: true, get: () => 'hidden' });"
        + " document.dispatchEvent(new Event('visibilitychange')); }");
    int calls = apiCalls();
    page.clock().runFor(60_000); // twenty refresh intervals while hidden
    assertThat(apiCalls()).as("refreshes while the tab is hidden").isEqualTo(calls);

    page.evaluate("() => { Object.defineProperty(document, 'visibilityState',"
        + " { configurable: true, get: () => 'visible' });"
        + " document.dispatchEvent(new Event('visibilitychange')); }");
    page.waitForFunction("n => window.__apiCalls > n", calls); // at once, no timer needed
    assertThat(notice()).isHidden();
  }
}
