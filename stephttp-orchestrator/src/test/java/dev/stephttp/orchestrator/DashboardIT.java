package dev.stephttp.orchestrator;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.Cookie;
import dev.stephttp.LazyStep;
import dev.stephttp.Step;
import dev.stephttp.StepResults;
import dev.stephttp.WaitForEvent;
import dev.stephttp.orchestrator.model.RunRecord;
import dev.stephttp.servlet.FunctionOptions;
import dev.stephttp.servlet.StepHttp;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 4, acceptance 3: the dashboard in headless Chromium (Playwright) against a real
 * orchestrator with a signing key and a real app built on the Java library. Runs are created by
 * real HTTP requests to the app; the browser only talks to the orchestrator's origin. No fixed
 * sleeps: every wait is an auto-waiting Playwright assertion with a bounded timeout.
 */
@Timeout(180)
class DashboardIT {
  static final String KEY = "signkey-test-0123456789abcdef0123456789abcdef";
  static final Duration UI_TIMEOUT = Duration.ofSeconds(20);
  static final ObjectMapper JSON = new ObjectMapper();
  static final OkHttpClient HTTP = new OkHttpClient.Builder().followRedirects(false)
      .callTimeout(Duration.ofSeconds(30)).build();

  static Orchestrator orch;
  static LibraryApp app;
  static String appUrl;
  static DashboardBrowser.Session chromium;
  static Browser browser;
  static Path shots;

  BrowserContext context;
  Page page;
  final List<String> pageErrors = new CopyOnWriteArrayList<>();

  /** The output of the sleeping endpoint's first step, shown as JSON in the timeline. */
  record Prepared(String orderId, int items, String warehouse) {}

  @BeforeAll
  static void start() throws Exception {
    shots = Paths.get(System.getProperty("stephttp.build.dir", "target"), "dashboard-screenshots");
    Files.createDirectories(shots);
    // Skip (fail in CI) with an install hint before starting any server.
    chromium = DashboardBrowser.start("DashboardIT");
    browser = chromium.browser();
    PlaywrightAssertions.setDefaultAssertionTimeout(UI_TIMEOUT.toMillis());

    // Every test signs in once from the same IP: more than the default login burst (10).
    orch = Orchestrator.builder().port(0).inMemoryStore().signingKey(KEY).eventKey("ek")
        .rateLimits(RateLimits.builder().logins(RateLimits.Limit.of(60, 30)).build())
        .retryBackoff(Duration.ofMillis(100)).start();
    app = LibraryApp.start(orch, KEY, Map.of("/greet", DashboardIT::greet, "/orders/fulfil", DashboardIT::fulfil,
        "/charge", DashboardIT::charge, "/approve", DashboardIT::approve, "/quotes", DashboardIT::quotes,
        "/await-signal", DashboardIT::awaitSignal, "/tell", DashboardIT::tell));
    appUrl = app.url;
  }

  @AfterAll
  static void stop() throws Exception {
    if (chromium != null) {
      chromium.close();
    }
    if (app != null) {
      app.close();
    }
    if (orch != null) {
      orch.close();
    }
  }

  @BeforeEach
  void openPage() {
    context = browser.newContext(new Browser.NewContextOptions().setViewportSize(1366, 900)
        .setLocale("en-US").setTimezoneId("Europe/Berlin"));
    context.setDefaultTimeout(UI_TIMEOUT.toMillis());
    page = context.newPage();
    page.onPageError(e -> pageErrors.add("page error: " + e));
    page.onConsoleMessage(m -> {
      if (m.text().contains("Content Security Policy")) {
        pageErrors.add("CSP violation: " + m.text());
      }
    });
  }

  @AfterEach
  void closePage() {
    context.close();
    assertThat(pageErrors).as("JavaScript errors and CSP violations in the dashboard").isEmpty();
  }

  // ---- the app: two durable endpoints ----

  static void greet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String who = req.getParameter("who");
    String greeting = Step.run("compose", String.class, () -> "hello " + who);
    resp.setContentType("text/plain");
    resp.getOutputStream().write(greeting.getBytes(StandardCharsets.UTF_8));
  }

  static void fulfil(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String order = req.getParameter("order");
    Prepared p = Step.run("prepare", Prepared.class, () -> new Prepared(order, 3, "berlin-2"));
    Step.sleep("cool-off", Duration.ofMinutes(30)); // long enough to stay asleep during the test
    resp.setStatus(201);
    resp.setContentType("application/json");
    resp.getOutputStream().write(("{\"shipped\":\"" + p.orderId() + "\"}")
        .getBytes(StandardCharsets.UTF_8));
  }

  static void charge(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    StepHttp.configure(FunctionOptions.builder().retries(1).build());
    String card = req.getParameter("card");
    Step.run("charge-card", String.class, () -> {
      throw new IllegalStateException("card " + card + " declined by the issuer");
    });
    resp.getOutputStream().write("unreachable".getBytes(StandardCharsets.UTF_8));
  }

  @SuppressWarnings("rawtypes")
  static void approve(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String order = req.getParameter("order");
    Optional<Map> ev = Step.waitForEvent("approval", WaitForEvent.named("order/approved")
        .timeout(Duration.ofMinutes(10)).where("data.orderId", order), Map.class);
    resp.getOutputStream().write((ev.isPresent() ? "approved" : "timed out")
        .getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Two steps at once; each waits (bounded) until the other has started and the millisecond clock
   * has passed both starts, so their recorded spans (milliseconds) overlap.
   */
  static void quotes(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    CountDownLatch bothStarted = new CountDownLatch(2);
    AtomicLong lastStart = new AtomicLong();
    LazyStep<Integer> a = Step.lazy("quote-a", Integer.class, () -> meet(bothStarted, lastStart, 10));
    LazyStep<Integer> b = Step.lazy("quote-b", Integer.class, () -> meet(bothStarted, lastStart, 20));
    StepResults r = Step.all(a, b);
    resp.getOutputStream().write(("best " + Math.min(r.get(a), r.get(b))).getBytes(StandardCharsets.UTF_8));
  }

  static int meet(CountDownLatch bothStarted, AtomicLong lastStart, int price)
      throws InterruptedException {
    lastStart.accumulateAndGet(System.currentTimeMillis(), Math::max);
    bothStarted.countDown();
    bothStarted.await(10, TimeUnit.SECONDS);
    while (System.currentTimeMillis() <= lastStart.get() + 1) {
      Thread.onSpinWait(); // at most 2 ms: until the clock has ticked past both starts
    }
    return price;
  }

  @SuppressWarnings("rawtypes")
  static void awaitSignal(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    Optional<Map> got = Step.waitForSignal("sign-off", req.getParameter("sig"), Duration.ofMinutes(10), Map.class);
    resp.getOutputStream().write(got.map(m -> "signed by " + m.get("by")).orElse("timed out")
        .getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Streams two chunks from a step after the async switch, so the relay gets them; the last sleep
   * makes that re-entry hand its chunks over before the run can end.
   */
  static void tell(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    Step.sleep("switch", Duration.ofMillis(200));
    Step.run("tell", String.class, () -> {
      StepHttp.stream().push("once upon");
      StepHttp.stream().push("a time");
      return "told";
    });
    Step.sleep("settle", Duration.ofMillis(200));
    resp.getOutputStream().write("the end".getBytes(StandardCharsets.UTF_8));
  }

  /** Sends an event through the management API with the signing key; returns its ID. */
  static String sendEvent(String json) throws IOException {
    Request req = new Request.Builder().url(orch.baseUrl() + "/api/v2/events")
        .header("Authorization", "Bearer " + KEY)
        .post(okhttp3.RequestBody.create(json, okhttp3.MediaType.get("application/json"))).build();
    try (Response r = HTTP.newCall(req).execute()) {
      assertThat(r.code()).as("POST /api/v2/events").isEqualTo(200);
      return JSON.readTree(r.body().string()).path("data").path("eventId").asText();
    }
  }

  /** Calls the app like an end user (without following the redirect) and returns the run ID. */
  static String request(String pathAndQuery) throws IOException {
    try (Response r = HTTP.newCall(new Request.Builder().url(appUrl + pathAndQuery).build())
        .execute()) {
      assertThat(r.code()).as("status of GET %s", pathAndQuery).isIn(200, 302, 303, 500);
      String runId = r.header("X-Run-ID");
      assertThat(runId).as("X-Run-ID of GET %s", pathAndQuery).isNotBlank();
      return runId;
    }
  }

  /** Starts a run like an end user, signs in and opens the run's page; returns the run ID. */
  String openRun(String pathAndQuery) throws IOException {
    String runId = request(pathAndQuery);
    signIn();
    page.navigate(orch.baseUrl() + "/#/runs/" + runId);
    return runId;
  }

  /** Reads a run through the management API with the signing key (not through the page). */
  static JsonNode apiRun(String runId) throws IOException {
    Request req = new Request.Builder().url(orch.baseUrl() + "/api/v2/runs/" + runId)
        .header("Authorization", "Bearer " + KEY).build();
    try (Response r = HTTP.newCall(req).execute()) {
      assertThat(r.code()).as("GET /api/v2/runs/%s", runId).isEqualTo(200);
      return JSON.readTree(r.body().string()).path("data");
    }
  }

  /**
   * Signs in from #/login directly: the page then makes no unauthenticated call, and every 401
   * is charged to the per-IP failure bucket (docs/management-api.md §4.4, burst 20).
   */
  void signIn() {
    page.navigate(orch.baseUrl() + "/#/login");
    page.getByLabel("Signing key").fill(KEY);
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();
    assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Runs")
        .setLevel(1))).isVisible();
  }

  Locator nav(String name) {
    return page.getByRole(AriaRole.NAVIGATION, new Page.GetByRoleOptions().setName("Main"))
        .getByRole(AriaRole.LINK, new Locator.GetByRoleOptions().setName(name));
  }

  Locator runRow(String runId) {
    return page.locator("tr[data-run-id='" + runId + "']");
  }

  Locator step(String stepId) {
    return page.locator("details.step[data-step-id='" + stepId + "']");
  }

  void screenshot(String name) {
    page.screenshot(new Page.ScreenshotOptions().setPath(shots.resolve(name)).setFullPage(true));
  }

  // ---- the acceptance checks ----

  @Test
  void loginIsRequiredWhenASigningKeyIsConfigured() {
    page.navigate(orch.baseUrl() + "/");
    Locator heading = page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Sign in"));
    assertThat(heading).isVisible();
    assertThat(page.locator("table.runs")).hasCount(0);
    screenshot("login.png");

    page.getByLabel("Signing key").fill("signkey-test-ffffffffffffffffffffffffffffffff");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();
    assertThat(page.getByRole(AriaRole.ALERT)).hasText("That signing key is not valid.");
    assertThat(heading).isVisible();

    page.getByLabel("Signing key").fill(KEY);
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();
    assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Runs")
        .setLevel(1))).isVisible();
    assertThat(page).hasURL(Pattern.compile("#/runs$"));
    Cookie session = context.cookies().stream()
        .filter(ck -> ck.name.equals("inngest_api_session")).findFirst().orElseThrow();
    assertThat(session.httpOnly).as("session cookie is HttpOnly").isTrue();
    assertThat(page.getByLabel("Signing key")).hasCount(0);

    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign out")).click();
    assertThat(heading).isVisible();
    page.reload(); // the cookie is gone: still signed out
    assertThat(heading).isVisible();
  }

  @Test
  void runsListShowsRunsCreatedByRealRequests() throws IOException {
    String first = request("/greet?who=ada");
    // Checkpoints go out on the library's sender threads: without this, the second run's
    // create-run could reach the orchestrator first and be the older run of the two.
    assertThat(StepHttp.awaitCheckpoints(Duration.ofSeconds(30))).as("first run delivered").isTrue();
    String second = request("/greet?who=grace");
    signIn();

    for (String id : List.of(first, second)) {
      Locator row = runRow(id);
      assertThat(row).isVisible();
      assertThat(row.locator(".badge")).hasText("Completed"); // live refresh catches late checkpoints
      assertThat(row).containsText("GET /greet");
      assertThat(row).containsText("/greet?who=");
    }
    // newest first
    assertThat(page.locator("tr[data-run-id]").first()).hasAttribute("data-run-id", second);

    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Failed")).click();
    assertThat(page).hasURL(Pattern.compile("#/runs\\?status=FAILED$"));
    assertThat(runRow(first)).hasCount(0);
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Completed")).click();
    assertThat(runRow(first)).isVisible();
    screenshot("runs-list.png");
  }

  @Test
  void sleepingRunShowsItsStepsAndWaitReason() throws IOException {
    String runId = request("/orders/fulfil?order=o-100");
    signIn();

    runRow(runId).getByRole(AriaRole.LINK).click();
    assertThat(page).hasURL(Pattern.compile("#/runs/" + runId + "$"));
    assertThat(page.locator(".page-sub .badge")).hasText("Running");
    assertThat(page.locator(".callout-wait")).containsText("Sleeping");
    assertThat(page.locator(".callout-wait")).containsText("Step cool-off is sleeping until");

    assertThat(step("prepare").locator("summary")).containsText("Completed");
    assertThat(step("prepare").locator("summary")).containsText("Run");
    assertThat(step("cool-off").locator("summary")).containsText("Waiting");
    assertThat(step("cool-off").locator("summary")).containsText("Sleep");
    step("prepare").locator("summary").click();
    assertThat(step("prepare").locator("pre.code")).containsText("\"warehouse\": \"berlin-2\"");

    // times are the browser's local time (the context runs in Europe/Berlin), not UTC
    Locator queued = page.locator("section[aria-label='Summary'] .kv-item",
        new Page.LocatorOptions().setHasText("Queued"))
        .locator("time");
    Instant queuedAt = Instant.parse(queued.getAttribute("datetime"));
    String berlin = DateTimeFormatter.ofPattern("MMM d, yyyy, hh:mm:ss a", Locale.US)
        .withZone(ZoneId.of("Europe/Berlin")).format(queuedAt);
    assertThat(queued.textContent().replace('\u202f', ' ').replace('\u00a0', ' '))
        .isEqualTo(berlin);

    assertThat(page.locator("#req-h + .req-line")).containsText("/orders/fulfil?order=o-100");
    assertThat(page.getByText("No response yet: the run has not finished.")).isVisible();
    screenshot("run-detail.png");
  }

  @Test
  void cancellingASleepingRunFromTheDashboardChangesItsStatus() throws IOException {
    String runId = openRun("/orders/fulfil?order=o-200");
    assertThat(page.locator(".callout-wait")).containsText("sleeping");

    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Cancel run")).click();
    Locator dialog = page.getByRole(AriaRole.DIALOG);
    assertThat(dialog).containsText("Cancel this run?");
    dialog.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Cancel run")).click();

    assertThat(page.locator(".page-sub .badge")).hasText("Cancelled");
    assertThat(page.locator(".callout-wait")).hasCount(0);
    assertThat(page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Cancel run")))
        .hasCount(0);
    assertThat(step("cool-off").locator("summary")).containsText("Cancelled");
    assertThat(apiRun(runId).path("status").asText()).isEqualTo("CANCELLED");
    screenshot("run-cancelled.png");

    page.navigate(orch.baseUrl() + "/#/runs");
    assertThat(runRow(runId).locator(".badge")).hasText("Cancelled");
  }

  @Test
  void failedRunShowsTheErrorOfEveryAttempt() throws IOException {
    openRun("/charge?card=4242");
    assertThat(page.locator(".page-sub .badge")).hasText("Failed"); // after the retry
    assertThat(page.locator(".callout-error")).containsText("card 4242 declined by the issuer");
    Locator charge = step("charge-card");
    assertThat(charge.locator("summary")).containsText("Failed");
    assertThat(charge.locator("summary")).containsText("2 / 2");
    assertThat(charge).hasAttribute("open", ""); // failed steps open by themselves
    assertThat(charge.locator("table.attempts tbody tr")).hasCount(2);
    assertThat(charge.locator("table.attempts tbody tr").first()).containsText("declined");
    screenshot("run-failed.png");
  }

  @Test
  void eventWaitIsShownAndTheEventListsTheRunItResumed() throws IOException {
    String runId = openRun("/approve?order=o-300");
    assertThat(page.locator(".callout-wait")).containsText("Waiting for an event");
    assertThat(page.locator(".callout-wait")).containsText("order/approved");
    assertThat(step("approval").locator("summary")).containsText("Wait for event");
    screenshot("run-waiting-for-event.png");

    String eventId = sendEvent("{\"name\":\"order/approved\",\"data\":{\"orderId\":\"o-300\",\"by\":\"alice\"}}");
    assertThat(page.locator(".page-sub .badge")).hasText("Completed"); // the page polls
    step("approval").locator("summary").click();
    assertThat(step("approval").locator("pre.code")).containsText("alice");

    page.navigate(orch.baseUrl() + "/#/events/" + eventId);
    assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions()
        .setName("order/approved").setLevel(1))).isVisible();
    Locator resumed = page.locator("section", new Page.LocatorOptions()
        .setHas(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Runs resumed by this event"))));
    assertThat(resumed.locator("tr[data-run-id='" + runId + "']")).isVisible();
  }

  @Test
  void stepsThatRanAtOnceAreDrawnAsParallelBars() throws IOException {
    openRun("/quotes");
    assertThat(page.locator(".page-sub .badge")).hasText("Completed");
    assertThat(page.locator("ol.step-list > li.parallel")).hasCount(2);
    assertThat(step("quote-a").locator(".bar-parallel")).isVisible();
    assertThat(step("quote-b").locator("summary .tag-parallel")).hasText("∥ 2");
    screenshot("run-parallel-steps.png");
  }

  @Test
  void signalWaitIsShownLikeAnEventWait() throws IOException {
    openRun("/await-signal?sig=order-9/signed");
    assertThat(page.locator(".callout-wait")).containsText("Waiting for a signal");
    assertThat(page.locator(".callout-wait")).containsText("Step sign-off is waiting for signal order-9/signed");
    assertThat(step("sign-off").locator("summary")).containsText("Wait for signal");
    screenshot("run-waiting-for-signal.png");

    Request signal = new Request.Builder().url(orch.baseUrl() + "/v1/signals")
        .header("Authorization", "Bearer " + KEY)
        .post(okhttp3.RequestBody.create("{\"signal\":\"order-9/signed\",\"data\":{\"by\":\"carol\"}}",
            okhttp3.MediaType.get("application/json"))).build();
    try (Response r = HTTP.newCall(signal).execute()) {
      assertThat(r.code()).as("POST /v1/signals").isEqualTo(200);
    }
    assertThat(page.locator(".page-sub .badge")).hasText("Completed"); // the page polls
    step("sign-off").locator("summary").click();
    assertThat(step("sign-off").locator("pre.code")).containsText("carol");
  }

  @Test
  void streamedChunkCountsAreShownOnTheRunPage() throws IOException {
    String runId = openRun("/tell");
    assertThat(page.locator(".page-sub .badge")).hasText("Completed"); // the page polls
    assertThat(page.locator(".stream-counts")).hasText("2 chunks · 2 committed");
    assertThat(apiRun(runId).path("stream").path("chunks").asInt()).isEqualTo(2);
    screenshot("run-streamed-chunks.png");

    String quiet = request("/greet?who=ada"); // never streamed: no counts
    Runs.await("run " + quiet + " recorded and finished", UI_TIMEOUT, () -> {
      RunRecord r = Runs.run(orch, quiet);
      return r != null && r.status().terminal();
    });
    page.navigate(orch.baseUrl() + "/#/runs/" + quiet);
    assertThat(page.locator(".run-id")).hasText(quiet);
    assertThat(page.locator(".page-sub .badge")).hasText("Completed");
    assertThat(page.locator(".stream-counts")).hasCount(0);
    assertThat(apiRun(quiet).path("stream").isNull()).isTrue();
  }

  @Test
  void rerunFromTheDashboardStartsALinkedRun() throws IOException {
    String runId = openRun("/greet?who=barbara");
    assertThat(page.locator(".page-sub .badge")).hasText("Completed");

    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Rerun")).click();
    assertThat(page).not().hasURL(Pattern.compile("#/runs/" + runId + "$"));
    String newId = page.url().replaceAll(".*#/runs/", "");
    Locator rerunOf = page.locator(".kv-item", new Page.LocatorOptions().setHasText("Rerun of"));
    assertThat(rerunOf.getByRole(AriaRole.LINK)).hasText(runId);
    assertThat(page.locator(".page-sub .badge")).hasText("Completed"); // re-entered and finished
    assertThat(page.locator("#res-h ~ p .http-status")).hasText("200");
    assertThat(apiRun(newId).path("originalRunId").asText()).isEqualTo(runId);
  }

  @Test
  void eventAndFunctionPagesLeadBackToTheRun() throws IOException {
    String runId = openRun("/greet?who=linus");
    assertThat(page.locator(".page-sub .badge")).hasText("Completed");
    assertThat(page.locator("#res-h ~ p .http-status")).hasText("200");

    page.locator(".kv-item", new Page.LocatorOptions().setHasText("Trigger event"))
        .getByRole(AriaRole.LINK).click();
    assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions()
        .setName("inngest/http.request").setLevel(1))).isVisible();
    assertThat(runRow(runId)).isVisible();
    screenshot("event-detail.png");

    nav("Events").click();
    assertThat(page.locator("tr[data-event-id]").first()).containsText("inngest/http.request");
    screenshot("events.png");

    nav("Functions").click();
    assertThat(page.locator("tr[data-function-id='GET /greet']")).isVisible();
    screenshot("functions.png");
    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Runs of GET /greet")).click();
    assertThat(page.locator(".filter-value").last()).hasText("GET /greet");
    assertThat(runRow(runId)).isVisible();
  }
}
