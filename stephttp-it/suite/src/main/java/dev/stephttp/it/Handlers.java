package dev.stephttp.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stephttp.LazyStep;
import dev.stephttp.NonRetriableException;
import dev.stephttp.Step;
import dev.stephttp.StepFailedException;
import dev.stephttp.StepFunction;
import dev.stephttp.StepResults;
import dev.stephttp.WaitForEvent;
import dev.stephttp.servlet.FunctionOptions;
import dev.stephttp.servlet.StepHttp;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The scenario handlers. Each reads its {@code tag} parameter and counts its step bodies under
 * {@code <tag>/<step>}; a body that ran in the user's own request (not in a signed re-entry) is
 * also counted under {@code <tag>/<step>/sync}.
 */
public final class Handlers {
  /** The sleep of every sleeping scenario. */
  public static final Duration SLEEP = Duration.ofSeconds(1);
  /** The size of the large response. */
  public static final int BIG_BODY_BYTES = 64 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  private Handlers() {}

  /** A handler body. */
  @FunctionalInterface
  public interface Handler {
    /** Handles one request. */
    void handle(HttpServletRequest req, HttpServletResponse resp) throws IOException, ServletException;
  }

  /** A servlet that runs {@code handler} for every method. */
  public static HttpServlet servlet(Handler handler) {
    return new HttpServlet() {
      private static final long serialVersionUID = 1L;

      @Override
      protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException, ServletException {
        handler.handle(req, resp);
      }
    };
  }

  /** {@code a}, {@code b}, then 200 with its own body and header. */
  public static void sync(Counters counts, HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String a = step(counts, req, "a");
    String b = step(counts, req, "b");
    resp.setHeader("X-Handler", "sync");
    write(resp, 200, "sync " + a + " " + b);
  }

  /** {@code a}, a 1 s sleep, {@code b}, then 201 with its own body and header. */
  public static void sleep(Counters counts, HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String a = step(counts, req, "a");
    Step.sleep("s", SLEEP);
    String b = step(counts, req, "b");
    resp.setHeader("X-Handler", "slept");
    write(resp, 201, "slept " + a + " " + b);
  }

  /** Latches the two first parallel steps of each tag meet at. */
  private static final Map<String, CountDownLatch> MEETINGS = new ConcurrentHashMap<>();

  /**
   * {@code Step.all} of {@code a} and {@code b}, which must run at the same time (each waits, at
   * most 10 s, until both started), a 1 s sleep, then {@code Step.all} of {@code c} and {@code d}
   * (planned, one re-entry each); 200 with all four results.
   */
  public static void parallel(Counters counts, HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String tag = tag(req);
    CountDownLatch both = MEETINGS.computeIfAbsent(tag, k -> new CountDownLatch(2));
    LazyStep<String> a = lazyStep(counts, req, "a", both);
    LazyStep<String> b = lazyStep(counts, req, "b", both);
    StepResults first = Step.all(a, b);
    Step.sleep("s", SLEEP);
    LazyStep<String> c = lazyStep(counts, req, "c", null);
    LazyStep<String> d = lazyStep(counts, req, "d", null);
    StepResults second = Step.all(c, d);
    write(resp, 200, "parallel " + first.get(a) + " " + first.get(b) + " " + second.get(c) + " " + second.get(d));
  }

  private static LazyStep<String> lazyStep(Counters counts, HttpServletRequest req, String id, CountDownLatch meeting) {
    return Step.lazy(id, String.class, body(counts, req, id, meeting));
  }

  /**
   * Streams a chunk in step {@code intro}, sleeps (the async switch), streams another in step
   * {@code tale} from the re-entry, then answers 201 {@code the end}.
   */
  public static void story(Counters counts, HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String tag = tag(req);
    Step.run("intro", String.class, () -> {
      counts.increment(tag + "/intro");
      StepHttp.stream().push("once upon");
      return "intro";
    });
    Step.sleep("pause", SLEEP);
    Step.run("tale", String.class, () -> {
      counts.increment(tag + "/tale");
      StepHttp.stream().push("a time");
      return "tale";
    });
    write(resp, 201, "the end");
  }

  /** Waits for {@code it/approved} with {@code data.tag} equal to the tag, up to {@code timeoutMs}. */
  @SuppressWarnings("rawtypes")
  public static void waitForApproval(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String tag = tag(req);
    Duration timeout = Duration.ofMillis(Long.parseLong(req.getParameter("timeoutMs")));
    Optional<Map> event = Step.waitForEvent("approval",
        WaitForEvent.named("it/approved").where("data.tag", tag).timeout(timeout), Map.class);
    write(resp, 200, event.map(e -> "approved by " + ((Map<?, ?>) e.get("data")).get("by")).orElse("no approval"));
  }

  /** A step that fails its first attempt, with 2 retries. */
  public static void flaky(Counters counts, HttpServletRequest req, HttpServletResponse resp) throws IOException {
    StepHttp.configure(FunctionOptions.builder().retries(2).build());
    String tag = tag(req);
    String v = Step.run("charge", String.class, () -> {
      if (counts.increment(tag + "/charge") == 1) {
        throw new IllegalStateException("declined once");
      }
      return "charged";
    });
    write(resp, 200, v);
  }

  /** A step that throws {@link NonRetriableException}; the handler answers 422 itself. */
  public static void fatal(Counters counts, HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String tag = tag(req);
    try {
      Step.run("charge", String.class, () -> {
        counts.increment(tag + "/charge");
        throw new NonRetriableException("card reported stolen");
      });
      write(resp, 200, "unreachable");
    } catch (StepFailedException e) {
      write(resp, 422, "refused: " + e.errorMessage());
    }
  }

  /**
   * The attacker: catches everything the sleep throws and then, by {@code mode}, sends an error
   * with the throwable's text ({@code senderror}), writes and flushes it ({@code flush}), or
   * carries on to the next step ({@code continue}).
   */
  public static void swallow(Counters counts, HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String mode = req.getParameter("mode");
    String a = step(counts, req, "a");
    try {
      Step.sleep("s", SLEEP);
    } catch (Throwable t) {
      switch (mode) {
        case "senderror":
          resp.sendError(500, t.toString());
          return;
        case "flush":
          resp.setStatus(500);
          resp.setContentType("text/plain");
          resp.getWriter().write("caught " + t + "\n\tat " + t.getStackTrace().length);
          resp.flushBuffer();
          return;
        default:
          counts.increment(tag(req) + "/caught");
      }
    }
    String b = step(counts, req, "b");
    write(resp, 200, "done " + a + " " + b);
  }

  /** Forwards to {@code /inner/<to>} ({@code sleep} or {@code sync}). */
  public static void forward(HttpServletRequest req, HttpServletResponse resp) throws IOException, ServletException {
    String to = "sync".equals(req.getParameter("to")) ? "sync" : "sleep";
    req.getRequestDispatcher("/inner/" + to).forward(req, resp);
  }

  /** Includes {@code /inner/sleep} in its own 200 response. */
  public static void include(HttpServletRequest req, HttpServletResponse resp) throws IOException, ServletException {
    resp.setContentType("text/plain;charset=utf-8");
    resp.setHeader("X-Outer", "include");
    req.getRequestDispatcher("/inner/sleep").include(req, resp);
  }

  /** Runs {@code a}, starts async, and streams its answer from {@code executor} in two flushed parts. */
  public static void async(Counters counts, Executor executor, HttpServletRequest req, HttpServletResponse resp) {
    String a = step(counts, req, "a");
    AsyncContext async = req.startAsync();
    async.setTimeout(30_000);
    executor.execute(() -> {
      try {
        resp.setStatus(200);
        resp.setContentType("text/plain;charset=utf-8");
        resp.getWriter().write("streamed " + a + "\n");
        resp.flushBuffer();
        resp.getWriter().write("and done\n");
      } catch (IOException e) {
        resp.setStatus(500);
      } finally {
        async.complete();
      }
    });
  }

  /** Reads form parameter {@code item}, records it in a step, sleeps, and shows both. */
  public static void form(Counters counts, HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String item = req.getParameter("item");
    replayed(counts, req, resp, item, false);
  }

  /** Reads JSON field {@code item}, records it in a step, sleeps, and shows both. */
  public static void json(Counters counts, HttpServletRequest req, HttpServletResponse resp) throws IOException {
    byte[] body = req.getInputStream().readAllBytes();
    String item = body.length == 0 ? "<no body>" : JSON.readTree(body).path("item").asText("<no item>");
    replayed(counts, req, resp, item, true);
  }

  /** Answers through {@code getWriter()} when {@code viaWriter}: the filter's encoder in every container. */
  private static void replayed(Counters counts, HttpServletRequest req, HttpServletResponse resp, String item,
      boolean viaWriter) throws IOException {
    String tag = tag(req);
    String first = Step.run("first-seen", String.class, () -> {
      counts.increment(tag + "/first-seen");
      return item;
    });
    Step.sleep("s", SLEEP);
    String answer = "first=" + first + " now=" + item;
    if (viaWriter) {
      resp.setStatus(200);
      resp.setContentType("text/plain;charset=utf-8");
      resp.getWriter().write(answer);
    } else {
      write(resp, 200, answer);
    }
  }

  /** Runs {@code a} and answers with {@link #bigBody()}. */
  public static void big(Counters counts, HttpServletRequest req, HttpServletResponse resp) throws IOException {
    step(counts, req, "a");
    write(resp, 200, bigBody());
  }

  /** {@link #BIG_BODY_BYTES} of numbered ASCII lines. */
  public static String bigBody() {
    StringBuilder sb = new StringBuilder(BIG_BODY_BYTES);
    for (int line = 0; sb.length() < BIG_BODY_BYTES; line++) {
      sb.append(String.format("line %06d abcdefghijklmnopqrstuvwxyz0123456789\n", line));
    }
    sb.setLength(BIG_BODY_BYTES);
    return sb.toString();
  }

  /** Runs step {@code id} once per run, returning {@code <id>-<tag>}. */
  static String step(Counters counts, HttpServletRequest req, String id) {
    return Step.run(id, String.class, body(counts, req, id, null));
  }

  /**
   * A step body counted under {@code <tag>/<id>} (and {@code /sync} in the user's request) that,
   * given a {@code meeting}, waits at most 10 s until its siblings started too.
   */
  private static StepFunction<String> body(Counters counts, HttpServletRequest req, String id, CountDownLatch meeting) {
    String tag = tag(req);
    boolean userRequest = req.getHeader("X-Inngest-Signature") == null;
    return () -> {
      counts.increment(tag + "/" + id);
      if (userRequest) {
        counts.increment(tag + "/" + id + "/sync");
      }
      if (meeting != null) {
        meeting.countDown();
        if (!meeting.await(10, TimeUnit.SECONDS)) {
          throw new NonRetriableException("step " + id + " never ran beside its sibling");
        }
      }
      return id + "-" + tag;
    };
  }

  static String tag(HttpServletRequest req) {
    String tag = req.getParameter("tag");
    if (tag == null) {
      throw new IllegalArgumentException("tag missing");
    }
    return tag;
  }

  static void write(HttpServletResponse resp, int status, String body) throws IOException {
    resp.setStatus(status);
    resp.setContentType("text/plain;charset=utf-8");
    resp.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
  }
}
