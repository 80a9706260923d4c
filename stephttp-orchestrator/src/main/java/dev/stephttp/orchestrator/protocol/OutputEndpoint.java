package dev.stephttp.orchestrator.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stephttp.orchestrator.engine.OutputWaiters;
import dev.stephttp.orchestrator.model.RunRecord;
import dev.stephttp.orchestrator.model.RunStatus;
import dev.stephttp.orchestrator.model.StoredJson;
import dev.stephttp.orchestrator.store.ReadStore;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET …/{runId}/output?token=} (docs/protocol.md §3): verifies the token, then answers at once
 * if the run ended, else suspends the request (servlet async, no thread held) until the run
 * finishes — pushed by {@link OutputWaiters} — or the maximum wait elapses.
 */
public final class OutputEndpoint {
  private static final Logger LOG = LoggerFactory.getLogger(OutputEndpoint.class);
  private static final Set<String> SKIPPED =
      Set.of("content-length", "transfer-encoding", "connection", "keep-alive",
          "content-security-policy", "x-content-type-options");

  private final ReadStore store;
  private final Tokens tokens;
  private final OutputWaiters waiters;
  private final Duration maxWait;

  public OutputEndpoint(ReadStore store, Tokens tokens, OutputWaiters waiters, Duration maxWait) {
    this.store = store;
    this.tokens = tokens;
    this.waiters = waiters;
    this.maxWait = maxWait;
  }

  void handle(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    // §3.2: the path's run ID is ignored; the run comes from the token's RunID claim.
    String runId = tokens.verifyOutputToken(req.getParameter("token"));
    RunRecord run = runId == null ? null : store.read(tx -> tx.run(runId));
    if (run == null) {
      HttpIo.error(resp, 401, "Unable to find run with auth token");
      return;
    }
    if (!run.running()) {
      replay(resp, run);
      return;
    }
    if (maxWait.toMillis() <= 0) {
      stillRunning(resp); // servlet timeout 0 would mean "never": answer at once instead
      return;
    }
    AsyncContext async = req.startAsync();
    async.setTimeout(maxWait.toMillis());
    AtomicBoolean done = new AtomicBoolean();
    OutputWaiters.Waiter onFinished = new OutputWaiters.Waiter() {
      @Override
      public void finished() {
        if (done.compareAndSet(false, true)) {
          try {
            replay((HttpServletResponse) async.getResponse(), store.read(tx -> tx.run(runId)));
          } catch (IOException | RuntimeException e) {
            LOG.debug("output client went away: {}", e.toString());
          } finally {
            async.complete();
          }
        }
      }

      @Override
      public void stopping() {
        if (done.compareAndSet(false, true)) {
          try {
            stillRunning((HttpServletResponse) async.getResponse());
          } catch (IOException | RuntimeException e) {
            LOG.debug("output client went away: {}", e.toString());
          } finally {
            async.complete();
          }
        }
      }
    };
    async.addListener(new AsyncListener() {
      @Override
      public void onTimeout(AsyncEvent event) throws IOException {
        waiters.remove(runId, onFinished);
        if (done.compareAndSet(false, true)) {
          stillRunning((HttpServletResponse) async.getResponse());
          async.complete();
        }
      }

      @Override
      public void onError(AsyncEvent event) {
        waiters.remove(runId, onFinished);
        done.set(true);
      }

      @Override
      public void onComplete(AsyncEvent event) {
        waiters.remove(runId, onFinished);
      }

      @Override
      public void onStartAsync(AsyncEvent event) {
        // not re-dispatched
      }
    });
    waiters.add(runId, onFinished);
    // The run may have finished between the first read and the registration: check again.
    RunRecord again = store.read(tx -> tx.run(runId));
    if (again != null && !again.running()) {
      waiters.remove(runId, onFinished);
      onFinished.finished();
    }
  }

  private void stillRunning(HttpServletResponse resp) throws IOException {
    HttpIo.untrusted(resp);
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("status", "running");
    o.put("message", "run did not end within " + describe(maxWait));
    resp.setHeader("Retry-After", "2");
    HttpIo.json(resp, 200, o);
  }

  private static String describe(Duration d) {
    if (d.toSeconds() % 60 == 0 && d.toMinutes() > 0) {
      return d.toMinutes() + (d.toMinutes() == 1 ? " minute" : " minutes");
    }
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " seconds" : d.toMillis() + " ms";
  }

  /** §3.3 step 3 + §3.4 RECOMMENDATION: replay the APIResult; failed runs answer 500. */
  static void replay(HttpServletResponse resp, RunRecord run) throws IOException {
    // The run's response is the app's, replayed on the orchestrator's origin: never let it run
    // there (an app's own policy is not copied, it could not be weaker than this anyway).
    HttpIo.untrusted(resp);
    String output = run.output() == null ? "" : run.output();
    JsonNode out = output.isEmpty() ? null : StoredJson.parse(output);
    JsonNode data = out == null ? null : out.get("data");
    if (data != null && data.isObject() && data.path("status").canConvertToInt()
        && data.path("status").asInt() > 0 && data.path("status").asInt() < 1000) {
      JsonNode headers = data.path("headers");
      if (headers.isObject()) {
        for (Map.Entry<String, JsonNode> h : headers.properties()) {
          if (SKIPPED.contains(h.getKey().toLowerCase(Locale.ROOT))) {
            continue;
          }
          JsonNode v = h.getValue().isArray() ? h.getValue().path(0) : h.getValue();
          if (v.isValueNode() && !v.isNull()) {
            resp.setHeader(h.getKey(), v.asText());
          }
        }
      }
      byte[] body = data.path("body").isTextual()
          ? data.get("body").textValue().getBytes(StandardCharsets.UTF_8) : new byte[0];
      resp.setStatus(data.get("status").asInt());
      resp.setContentLength(body.length);
      resp.getOutputStream().write(body);
      return;
    }
    byte[] bytes = output.getBytes(StandardCharsets.UTF_8);
    boolean failed = (run.status() == RunStatus.FAILED || run.status() == RunStatus.CANCELLED)
        && out != null && out.has("error");
    resp.setStatus(failed ? 500 : 200);
    resp.setContentType("application/json");
    resp.setContentLength(bytes.length);
    resp.getOutputStream().write(bytes);
  }
}
