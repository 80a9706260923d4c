package dev.stephttp.servlet;

import dev.stephttp.Event;
import dev.stephttp.NonRetriableException;
import dev.stephttp.Step;
import dev.stephttp.StepFailedException;
import dev.stephttp.WaitForEvent;
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
import java.util.concurrent.atomic.AtomicInteger;

/** Servlets used by the integration tests; each counts the side effects of its steps. */
final class Handlers {
  static final Map<String, AtomicInteger> COUNTS = new ConcurrentHashMap<>();
  /** When set, {@link Sync} waits for it after its first step (to pin down checkpoint batching). */
  static volatile java.util.concurrent.CountDownLatch afterFirstStep;

  private Handlers() {}

  static int count(String name) {
    AtomicInteger c = COUNTS.get(name);
    return c == null ? 0 : c.get();
  }

  static int bump(String name) {
    return COUNTS.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
  }

  static Map<String, HttpServlet> all() {
    return Map.ofEntries(
        Map.entry("/sync", new Sync()),
        Map.entry("/flow", new Flow()),
        Map.entry("/wait", new Wait()),
        Map.entry("/fail", new Fail()),
        Map.entry("/throws", new Throws()),
        Map.entry("/form", new Form()),
        Map.entry("/forward", new Forward()),
        Map.entry("/events", new Events()),
        Map.entry("/plain", new Plain()),
        Map.entry("/omit", new Omit()),
        Map.entry("/async", new AsyncServlet()),
        Map.entry("/swallow", new Swallow()),
        Map.entry("/upload", new Upload()),
        Map.entry("/late-body", new LateBody()),
        Map.entry("/async-body", new AsyncBody()));
  }

  static void text(HttpServletResponse resp, int status, String body) throws IOException {
    resp.setStatus(status);
    resp.setContentType("text/plain;charset=utf-8");
    resp.getWriter().write(body);
  }

  /** Two steps, then a 201 with a custom header. */
  static final class Sync extends HttpServlet {
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      String body = new String(req.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      String a = Step.run("a", String.class, () -> {
        bump("sync.a");
        return "A:" + body;
      });
      java.util.concurrent.CountDownLatch gate = afterFirstStep;
      try {
        if (gate != null && !gate.await(10, java.util.concurrent.TimeUnit.SECONDS)) {
          throw new IllegalStateException("gate not opened");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      int b = Step.run("b", Integer.class, () -> bump("sync.b"));
      resp.setHeader("X-Custom", "yes");
      resp.setStatus(201);
      resp.setContentType("application/json");
      resp.getWriter().write("{\"a\":\"" + a + "\",\"b\":" + b + "}");
    }
  }

  /** A step, a sleep, another step; the async response is chosen by the {@code respond} parameter. */
  static final class Flow extends HttpServlet {
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      String respond = req.getParameter("respond");
      if ("token".equals(respond)) {
        StepHttp.configure(FunctionOptions.builder().asyncResponse(AsyncResponse.token()).build());
      } else if ("custom".equals(respond)) {
        StepHttp.configure(FunctionOptions.builder().asyncResponse(AsyncResponse.custom((run, rq, rs) -> {
          rs.setStatus(202);
          rs.getWriter().write("accepted " + run.runId());
        })).build());
      }
      String a = Step.run("a", String.class, () -> "a" + bump("flow.a"));
      resp.getWriter().write("partial output that must not reach the client");
      Step.sleep("wait", Duration.ofMinutes(1));
      String b = Step.run("b", String.class, () -> "b" + bump("flow.b"));
      resp.setHeader("X-Flow", "done");
      resp.setStatus(200);
      resp.setContentType("application/json");
      resp.getWriter().write("{\"a\":\"" + a + "\",\"b\":\"" + b + "\"}");
    }
  }

  /** Waits for an approval whose order ID needs quoting. */
  static final class Wait extends HttpServlet {
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      String orderId = Step.run("order", String.class, () -> "o-\"1\\");
      Optional<Event> approved = Step.waitForEvent("approval",
          WaitForEvent.named("order/approved").where("data.orderId", orderId).timeout(Duration.ofHours(1)),
          Event.class);
      text(resp, 200, approved.map(e -> "approved by " + e.data().get("by")).orElse("timed out"));
    }
  }

  /**
   * A step that fails; {@code retries} from the query; {@code nonretriable} to fail at once;
   * {@code propagate=plain} lets the step's final failure propagate, {@code propagate=wrap} wraps
   * it in a {@code ServletException} as frameworks do; otherwise the handler answers 402.
   */
  static final class Fail extends HttpServlet {
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException, ServletException {
      StepHttp.configure(FunctionOptions.builder().retries(Integer.parseInt(req.getParameter("retries"))).build());
      boolean nonRetriable = req.getParameter("nonretriable") != null;
      try {
        Step.run("charge", () -> {
          bump("fail.charge");
          if (nonRetriable) {
            throw new NonRetriableException("card stolen");
          }
          throw new IllegalStateException("card declined");
        });
        text(resp, 200, "charged");
      } catch (StepFailedException e) {
        String propagate = String.valueOf(req.getParameter("propagate"));
        if (propagate.equals("plain")) {
          throw e;
        } else if (propagate.equals("wrap")) {
          throw new ServletException("Request processing failed: " + e, e);
        }
        text(resp, 402, "payment failed: " + e.errorMessage());
      }
    }
  }

  /** A handler that throws after a step. */
  static final class Throws extends HttpServlet {
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      Step.run("a", () -> bump("throws.a"));
      throw new IllegalArgumentException("secret internal detail");
    }
  }

  /** Reads form parameters and the body. */
  static final class Form extends HttpServlet {
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      String name = req.getParameter("name");
      String q = req.getParameter("q");
      Step.run("greet", String.class, () -> "hello " + name);
      text(resp, 200, "name=" + name + " q=" + q);
    }
  }

  /**
   * A step before the body or the form is read: the run reads the body at its first op, and the
   * handler still gets all of it.
   */
  static final class LateBody extends HttpServlet {
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      Step.run("first", () -> bump("late.first"));
      if (req.getContentType().startsWith("application/x-www-form-urlencoded")) {
        text(resp, 200, "name=" + req.getParameter("name") + " q=" + req.getParameter("q"));
      } else {
        text(resp, 200, "body=" + new String(req.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
      }
    }
  }

  /** Forwards to /sync: the logic must not run twice. */
  static final class Forward extends HttpServlet {
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      try {
        req.getRequestDispatcher("/sync").forward(req, resp);
      } catch (jakarta.servlet.ServletException e) {
        throw new IOException(e);
      }
    }
  }

  /** Sends an event as a step. */
  static final class Events extends HttpServlet {
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      var ids = Step.sendEvent("notify", Event.of("order/created", Map.of("orderId", "o1")));
      text(resp, 200, String.join(",", ids));
    }
  }

  /** Keeps both bodies from the orchestrator. */
  static final class Omit extends HttpServlet {
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      StepHttp.configure(FunctionOptions.builder().omitRequestBody(true).id("omitting").build());
      Step.run("a", () -> bump("omit.a"));
      StepHttp.omitResponseBody(true);
      text(resp, 200, "secret response");
    }
  }

  /** A step, then the response completes on another thread (async servlet). */
  static final class AsyncServlet extends HttpServlet {
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      Step.run("before-async", () -> bump("async.step"));
      resp.setStatus(202);
      jakarta.servlet.AsyncContext async = req.startAsync();
      new Thread(() -> {
        try {
          async.getResponse().getWriter().write("finished asynchronously");
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        } finally {
          async.complete();
        }
      }).start();
    }
  }

  /**
   * An async servlet whose own thread reads the body before the first step, which runs on the
   * request's thread: the run records the body that thread consumed.
   */
  static final class AsyncBody extends HttpServlet {
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      jakarta.servlet.AsyncContext async = req.startAsync();
      java.util.concurrent.CompletableFuture<String> body = new java.util.concurrent.CompletableFuture<>();
      new Thread(() -> {
        try {
          body.complete(new String(req.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
          body.completeExceptionally(e);
        }
      }).start();
      String read;
      try {
        read = body.get(10, java.util.concurrent.TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IOException(e);
      }
      Step.run("after-read", () -> bump("async-body.step"));
      text(resp, 200, "body=" + read);
      async.complete();
    }
  }

  /**
   * A multipart upload: records the {@code name} part in a step, sleeps, runs another step, and
   * answers with the name and how many parts this execution saw.
   */
  @jakarta.servlet.annotation.MultipartConfig
  static final class Upload extends HttpServlet {
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException, ServletException {
      int parts = req.getParts().size();
      jakarta.servlet.http.Part part = req.getPart("name");
      String name = Step.run("name", String.class, () -> {
        bump("upload.name");
        return part == null ? null : new String(part.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      });
      Step.sleep("nap", Duration.ofMinutes(1));
      Step.run("after", () -> bump("upload.after"));
      text(resp, 200, "name=" + name + " parts=" + parts + " tag=" + req.getParameter("tag"));
    }
  }

  /** No steps at all. */
  static final class Plain extends HttpServlet {
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      byte[] body = req.getInputStream().readAllBytes();
      text(resp, 200, "plain " + body.length);
    }
  }

  /**
   * Plays the handler, framework or container that gets in the way of the suspension signal:
   * {@code how=error} catches every Throwable and sends its own 500 naming it, {@code how=flush}
   * writes and flushes a body naming it, {@code how=continue} swallows it and runs another step,
   * {@code how=wrap} rethrows it wrapped as Tomcat and Spring do.
   */
  static final class Swallow extends HttpServlet {
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException, ServletException {
      String how = String.valueOf(req.getParameter("how"));
      String a = Step.run("a", String.class, () -> "a" + bump("swallow.a"));
      try {
        Step.sleep("wait", Duration.ofMinutes(1));
      } catch (Throwable t) {
        switch (how) {
          case "error" -> resp.sendError(500, t.toString());
          case "flush" -> {
            resp.setStatus(500);
            resp.setHeader("X-Leak", "yes");
            resp.getWriter().write("failed: " + t);
            resp.flushBuffer();
          }
          case "continue" -> Step.run("after", String.class, () -> "after" + bump("swallow.after"));
          default -> throw new ServletException("Handler dispatch failed: " + t, t);
        }
      }
      String b = Step.run("b", String.class, () -> "b" + bump("swallow.b"));
      text(resp, 200, a + b);
    }
  }
}
