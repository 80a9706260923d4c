package dev.stephttp.servlet;

import com.github.f4b6a3.ulid.Ulid;
import dev.stephttp.internal.CheckpointPipeline;
import dev.stephttp.internal.Execution;
import dev.stephttp.internal.PassThrough;
import dev.stephttp.internal.ClientSettings;
import dev.stephttp.internal.OrchestratorClient;
import dev.stephttp.internal.Sdk;
import dev.stephttp.internal.StepThreads;
import dev.stephttp.internal.wire.Signatures;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@link StepHttpFilter} and {@link StepHttpServlet} share: tells user requests from
 * orchestrator re-entries (docs/how-it-works.md) and hands each to its phase. Thread-safe.
 */
final class DurableRequests {
  private static final Logger log = LoggerFactory.getLogger(DurableRequests.class);
  static final String HANDLED = DurableRequests.class.getName() + ".handled";
  private static final Set<String> NOT_DURABLE = Set.of("HEAD", "OPTIONS", "TRACE");

  /** The handler being made durable: the rest of the filter chain, or the wrapped servlet. */
  @FunctionalInterface
  interface Handler {
    void handle(HttpServletRequest request, HttpServletResponse response) throws IOException, ServletException;
  }

  private final StepHttpConfig config;
  private final ClientSettings settings;
  private final CheckpointPipeline pipeline;
  private final StepThreads threads;
  private final SyncPhase sync;
  private final Reentry reentry;

  DurableRequests(StepHttpConfig config) {
    this.config = config;
    this.settings = config.clientSettings();
    CallbackOrigin origin = config.callbackOrigin(settings);
    this.pipeline = new CheckpointPipeline(new OrchestratorClient(settings), config.checkpointBackpressureTimeout,
        config.checkpointLinger);
    String redirectBase = config.redirectBaseUrl != null ? stripSlash(config.redirectBaseUrl) : settings.baseUrl();
    Suspensions suspensions = new Suspensions();
    this.threads = new StepThreads(config.parallelStepThreads);
    this.sync = new SyncPhase(config, origin, pipeline, threads, redirectBase, suspensions);
    this.reentry = new Reentry(pipeline.client(), threads, suspensions);
    StepHttp.register(this);
    log.info("stephttp ready: {}, re-entries to {} (SDK {})", settings, origin, Sdk.HEADER_VALUE);
  }

  void handle(HttpServletRequest request, HttpServletResponse response, Handler handler)
      throws IOException, ServletException {
    // Forwards, includes, error and async dispatches, and a second filter on the same request
    // must not run the logic twice.
    if (request.getDispatcherType() != DispatcherType.REQUEST || request.getAttribute(HANDLED) != null) {
      handler.handle(request, response);
      return;
    }
    request.setAttribute(HANDLED, Boolean.TRUE);
    if (OutputProxyServlet.isOutputPath(request)) {
      handler.handle(request, response); // the run-output proxy's route: answering it is no run of its own
      return;
    }
    if (NOT_DURABLE.contains(request.getMethod())) {
      passThrough(request, response, handler);
      return;
    }
    String runId = request.getHeader("X-Run-ID");
    String signature = request.getHeader("X-Inngest-Signature");
    if (runId == null || runId.isBlank() || signature == null) {
      sync.handle(CapturedRequest.capture(request, config.maxCapturedRequestBytes), response, handler);
      return;
    }
    // docs/protocol.md §5.2: the signature covers the body the orchestrator sends, whatever its type
    // (a multipart run's recorded body is empty), so a re-entry's body is always read to verify it.
    CapturedRequest captured = CapturedRequest.captureReentry(request, config.maxCapturedRequestBytes);
    if (isValidReentry(captured, runId, signature)) {
      reentry.handle(runId.trim(), captured, response, handler);
      return;
    }
    // docs/protocol.md §5.3: never load another run's state on an unverified request; and never run
    // it as a new request either (docs/how-it-works.md: one unverifiable re-entry, retried by the
    // orchestrator, created a new run each time). No retry: a retry cannot make it verify.
    String message = captured.complete() ? "X-Inngest-Signature does not verify for this request"
        : "the request body exceeds maxCapturedRequestBytes (" + config.maxCapturedRequestBytes
            + " bytes), so X-Inngest-Signature cannot be verified";
    log.warn("{} {}: X-Run-ID with a signature that cannot be accepted ({}); answered 401",
        request.getMethod(), request.getRequestURI(), message);
    response.setHeader("X-Inngest-SDK", Sdk.HEADER_VALUE);
    response.setHeader("x-inngest-no-retry", "true");
    ErrorBodies.write(response, 401, ErrorBodies.errors("invalid_signature", message));
  }

  /**
   * HEAD, OPTIONS and TRACE are never durable (docs/how-it-works.md): a HEAD caller cannot receive
   * a redirect body, and a HEAD re-entry's empty answer used to complete its run. They run as if
   * the filter were absent; an asynchronous step in them, and a re-entry with such a method, is
   * answered 405.
   */
  private void passThrough(HttpServletRequest request, HttpServletResponse response, Handler handler)
      throws IOException, ServletException {
    String method = request.getMethod();
    if (request.getHeader("X-Run-ID") != null && request.getHeader("X-Inngest-Signature") != null) {
      // No run is ever created for this method, so there is nothing to re-enter; a retry cannot help.
      log.warn("{} {}: a re-entry with a method that is never durable; answered 405", method, request.getRequestURI());
      response.setHeader("X-Inngest-SDK", Sdk.HEADER_VALUE);
      response.setHeader("x-inngest-no-retry", "true");
      notAllowed(response, method + " requests are not durable, so they cannot be re-entered");
      return;
    }
    try (Execution.Scope scope = PassThrough.enter(method)) {
      handler.handle(request, response);
    } catch (IOException | ServletException | RuntimeException e) {
      PassThrough.Refused refused = Suspensions.find(e, PassThrough.Refused.class);
      if (refused == null || response.isCommitted()) {
        throw e;
      }
      log.debug("{} {}: {}; answered 405", method, request.getRequestURI(), refused.getMessage());
      response.reset();
      notAllowed(response, refused.getMessage());
    }
  }

  private static void notAllowed(HttpServletResponse response, String message) throws IOException {
    // RFC 9110 §15.5.6: a 405 lists the methods that can be made durable.
    response.setHeader("Allow", "GET, POST, PUT, PATCH, DELETE");
    ErrorBodies.write(response, 405, ErrorBodies.errors("method_not_durable", message));
  }

  private boolean isValidReentry(CapturedRequest request, String runId, String signature) {
    if (!Ulid.isValid(runId.trim())) {
      return false;
    }
    if (settings.dev()) {
      return true; // docs/protocol.md §11: dev mode skips verification
    }
    return request.complete() && Signatures.verifyReentry(signature, request.getMethod(), request.body(),
        settings.signingKey(), settings.signingKeyFallback(), Instant.now());
  }

  boolean awaitCheckpoints(Duration timeout) {
    try {
      return pipeline.awaitIdle(timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  CheckpointStats stats() {
    return new CheckpointStats(pipeline.queued(), pipeline.runsDropped(), pipeline.runsRefused());
  }

  void close() {
    if (!awaitCheckpoints(Duration.ofSeconds(10))) {
      log.warn("{} checkpoints were not sent before shutdown", pipeline.queued());
    }
    StepHttp.unregister(this);
    threads.close();
    pipeline.close();
  }

  static String stripSlash(String url) {
    String u = url;
    while (u.endsWith("/")) {
      u = u.substring(0, u.length() - 1);
    }
    return u;
  }

  static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
