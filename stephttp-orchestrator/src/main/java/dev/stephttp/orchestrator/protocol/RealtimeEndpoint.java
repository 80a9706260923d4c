package dev.stephttp.orchestrator.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stephttp.orchestrator.engine.OutputWaiters;
import dev.stephttp.orchestrator.engine.StreamCounts;
import dev.stephttp.orchestrator.model.BadRequest;
import dev.stephttp.orchestrator.model.RunRecord;
import dev.stephttp.orchestrator.model.RunStatus;
import dev.stephttp.orchestrator.model.StoredJson;
import dev.stephttp.orchestrator.model.Ulids;
import dev.stephttp.orchestrator.store.ReadStore;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The realtime relay's routes (docs/protocol.md §2.7): {@code POST /v1/realtime/publish/tee?channel=<runId>}
 * takes an app's SSE events for a run as they are produced, and {@code GET /v1/realtime/sse?token=}
 * streams them to subscribers holding the run's realtime token, replaying what a late subscriber
 * missed ({@link RealtimeRelay}), with keepalive comments. No thread is held per subscriber: a
 * subscriber's events are written by a shared pool, one writer at a time. Thread-safe.
 */
public final class RealtimeEndpoint implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RealtimeEndpoint.class);
  /** Bytes one upload may carry (Inngest caps it at 1000 KiB; ours allows a step's largest output). */
  static final int MAX_UPLOAD_BYTES = 4 << 20;
  /** Uploads read at once; each holds a request thread while it lasts. */
  static final int MAX_UPLOADS = 64;
  /** Subscribers connected at once, over all runs. */
  static final int MAX_SUBSCRIBERS = 1_000;
  /** Bytes queued for one subscriber that does not read; past it the subscriber is disconnected. */
  static final int MAX_QUEUED_BYTES = 2 << 20;
  /** How long one subscription lasts at most (Inngest: 15 minutes). */
  static final Duration MAX_SUBSCRIPTION = Duration.ofHours(1);
  private static final byte[] KEEPALIVE = ":\n\n".getBytes(StandardCharsets.US_ASCII);

  private final Auth auth;
  private final Tokens tokens;
  private final ReadStore store;
  private final OutputWaiters waiters;
  private final Duration grace;
  private final RealtimeRelay relay;
  /** Runs whose end this relay waits for, to answer their subscribers if their app does not. */
  private final Set<String> watched = ConcurrentHashMap.newKeySet();
  private final AtomicInteger uploads = new AtomicInteger();
  private final Set<SseClient> clients = ConcurrentHashMap.newKeySet();
  private final ExecutorService writers = Executors.newCachedThreadPool(r -> daemon(r, "stephttp-realtime"));
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
      r -> daemon(r, "stephttp-realtime-timer"));

  /**
   * A relay sending a keepalive comment to every subscriber each {@code keepAlive}; when a run
   * with subscribers ends and its app has published no answer within {@code grace}, the relay
   * publishes the stored one. Relayed chunks, commits and rollbacks are counted in {@code counts}.
   */
  public RealtimeEndpoint(Auth auth, Tokens tokens, ReadStore store, OutputWaiters waiters, StreamCounts counts,
      Clock clock, Duration keepAlive, Duration grace) {
    this.auth = auth;
    this.tokens = tokens;
    this.store = store;
    this.waiters = waiters;
    this.grace = grace;
    this.relay = new RealtimeRelay(clock, counts);
    long period = keepAlive.toMillis();
    timer.scheduleAtFixedRate(() -> clients.forEach(c -> c.send(KEEPALIVE)), period, period, TimeUnit.MILLISECONDS);
    timer.scheduleAtFixedRate(relay::expire, 1, 1, TimeUnit.MINUTES);
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /** Routes {@code /v1/realtime/{rest}}; false when {@code rest} is not one of its routes. */
  boolean handle(HttpServletRequest req, HttpServletResponse resp, String method, String rest) throws IOException {
    if (rest.equals("publish/tee")) {
      requireMethod(method, "POST");
      tee(req, resp);
      return true;
    }
    if (rest.equals("sse")) {
      requireMethod(method, "GET");
      sse(req, resp);
      return true;
    }
    return false;
  }

  private static void requireMethod(String actual, String expected) {
    if (!expected.equals(actual)) {
      throw new BadRequest(405, "Method " + actual + " not allowed; expected " + expected);
    }
  }

  private void tee(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    if (!auth.apiAllowed(req.getHeader("Authorization"))) {
      HttpIo.authFailed(resp);
      return;
    }
    String channel = req.getParameter("channel");
    if (channel == null || channel.isEmpty()) {
      throw new BadRequest("channel is required");
    }
    if (!Ulids.isValid(channel)) {
      throw new BadRequest("channel must be a run ID (a ULID)");
    }
    String runId = channel.toUpperCase(Locale.ROOT);
    if (uploads.incrementAndGet() > MAX_UPLOADS) {
      uploads.decrementAndGet();
      resp.setHeader("Retry-After", "1");
      HttpIo.error(resp, 429, "Too many streams are being published at once");
      return;
    }
    try {
      String refused = relayUpload(req.getInputStream(), runId);
      if (refused != null) {
        HttpIo.error(resp, 413, refused);
        return;
      }
    } finally {
      uploads.decrementAndGet();
    }
    resp.setStatus(200);
    resp.setContentType("application/json");
    resp.setContentLength(0);
  }

  /**
   * Relays each complete event of {@code in} as soon as its blank line arrives ({@link
   * SseSplitter}), so that events of concurrent uploads never interleave mid-event (Inngest relays
   * arbitrary byte chunks). An unfinished event at the end is dropped. Returns why the upload was
   * cut short, or null.
   */
  private String relayUpload(InputStream in, String runId) throws IOException {
    SseSplitter splitter = new SseSplitter();
    byte[] buf = new byte[8192];
    long total = 0;
    int n;
    while ((n = in.read(buf)) >= 0) {
      total += n;
      if (total > MAX_UPLOAD_BYTES) {
        return "The stream is larger than " + (MAX_UPLOAD_BYTES >> 20) + " MiB";
      }
      for (byte[] event : splitter.feed(buf, 0, n)) {
        if (!relay.publish(runId, event)) {
          throw new BadRequest(429, "Too many runs are streaming at once");
        }
      }
      if (splitter.pending() > RealtimeRelay.MAX_BUFFER_BYTES) {
        return "One event is larger than " + (RealtimeRelay.MAX_BUFFER_BYTES >> 20) + " MiB";
      }
    }
    if (splitter.pending() > 0) {
      LOG.debug("run {}: a published stream ended inside an event; its {} bytes were dropped", runId,
          splitter.pending());
    }
    return null;
  }

  private void sse(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String token = req.getParameter("token");
    if (token == null) {
      String bearer = req.getHeader("Authorization");
      token = bearer != null && bearer.regionMatches(true, 0, "Bearer ", 0, 7) ? bearer.substring(7).trim() : null;
    }
    String runId = tokens.verifyRealtimeToken(token);
    if (runId == null) {
      HttpIo.error(resp, 401, "Invalid or expired realtime token");
      return;
    }
    if (clients.size() >= MAX_SUBSCRIBERS) {
      resp.setHeader("Retry-After", "5");
      HttpIo.error(resp, 429, "Too many realtime subscribers");
      return;
    }
    resp.setStatus(200);
    resp.setContentType("text/event-stream");
    resp.setHeader("Cache-Control", "no-cache");
    resp.setHeader("X-Accel-Buffering", "no");
    resp.setHeader("Access-Control-Allow-Origin", "*");
    resp.setHeader("Access-Control-Expose-Headers", "Content-Type");
    AsyncContext async = req.startAsync();
    async.setTimeout(MAX_SUBSCRIPTION.toMillis());
    SseClient client = new SseClient(runId, async, resp.getOutputStream());
    async.addListener(client);
    resp.flushBuffer(); // the subscriber sees the stream open before the first event
    clients.add(client);
    RealtimeRelay.Subscribed subscribed = relay.subscribe(runId, client);
    if (subscribed == RealtimeRelay.Subscribed.FULL) {
      client.end();
    } else if (subscribed == RealtimeRelay.Subscribed.LIVE) {
      watch(runId);
    }
  }

  /**
   * Answers the subscribers of a run that ends without its app publishing a response (cancelled,
   * failed by the orchestrator, an app whose last upload was lost): {@code grace} after the run
   * ends, the stored result is published as {@code inngest.response}, unless the app's came first.
   */
  private void watch(String runId) {
    if (!watched.add(runId)) {
      return;
    }
    OutputWaiters.Waiter onEnd = new OutputWaiters.Waiter() {
      @Override
      public void finished() {
        watched.remove(runId);
        try {
          timer.schedule(() -> answerFromStore(runId), grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
          LOG.debug("run {}: the relay is closing", runId);
        }
      }

      @Override
      public void stopping() {
        watched.remove(runId); // close() ends the subscribers
      }
    };
    waiters.add(runId, onEnd);
    RunRecord run = store.read(tx -> tx.run(runId));
    if (run == null || !run.running()) { // ended before the waiter was registered
      waiters.remove(runId, onEnd);
      onEnd.finished();
    }
  }

  private void answerFromStore(String runId) {
    try {
      RunRecord run = store.read(tx -> tx.run(runId));
      if (run != null && !run.running()) {
        relay.publishIfOpen(runId, responseEvent(run));
      }
    } catch (RuntimeException e) {
      LOG.warn("run {}: could not answer its realtime subscribers from the store: {}", runId, e.toString());
    }
  }

  /** {@code inngest.response} for a stored run, as its app would have published it (§2.7). */
  static byte[] responseEvent(RunRecord run) {
    String output = run.output() == null ? "" : run.output();
    JsonNode out = output.isEmpty() ? null : StoredJson.parse(output);
    JsonNode data = out == null ? null : out.get("data");
    boolean failed = run.status() == RunStatus.FAILED || run.status() == RunStatus.CANCELLED;
    ObjectNode event = JsonNodeFactory.instance.objectNode().put("status", failed ? "failed" : "succeeded");
    ObjectNode response = event.putObject("response");
    ObjectNode headers = JsonNodeFactory.instance.objectNode();
    if (data != null && data.isObject() && data.path("status").canConvertToInt()) {
      response.put("body", data.path("body").isTextual() ? data.get("body").textValue() : "");
      response.put("statusCode", data.get("status").asInt());
      data.path("headers").properties().forEach(h -> {
        JsonNode v = h.getValue().isArray() ? h.getValue().path(0) : h.getValue();
        if (v.isValueNode() && !v.isNull()) {
          headers.put(h.getKey().toLowerCase(Locale.ROOT), v.asText());
        }
      });
    } else {
      JsonNode message = out == null ? null : out.path("error").path("message");
      response.put("body", failed ? JsonNodeFactory.instance.textNode(
          message != null && message.isTextual() ? message.textValue() : "The run failed").toString() : output);
      response.put("statusCode", failed ? 500 : 200);
      headers.put("content-type", "application/json");
    }
    response.set("headers", headers);
    return ("event: inngest.response\ndata: " + event + "\n\n").getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    timer.shutdownNow();
    relay.close();
    writers.shutdown();
  }

  /** One subscriber's connection: a queue written by one pool thread at a time. */
  private final class SseClient implements RealtimeRelay.Subscriber, AsyncListener {
    private final String runId;
    private final AsyncContext async;
    private final OutputStream out;
    private final ConcurrentLinkedQueue<byte[]> queue = new ConcurrentLinkedQueue<>();
    private final AtomicLong queued = new AtomicLong();
    private final AtomicBoolean writing = new AtomicBoolean();
    private final AtomicBoolean done = new AtomicBoolean();
    private volatile boolean ended;

    SseClient(String runId, AsyncContext async, OutputStream out) {
      this.runId = runId;
      this.async = async;
      this.out = out;
    }

    @Override
    public void send(byte[] event) {
      if (done.get()) {
        return;
      }
      if (queued.addAndGet(event.length) > MAX_QUEUED_BYTES) {
        LOG.debug("run {}: a realtime subscriber fell {} bytes behind and was disconnected", runId, queued.get());
        finish();
        return;
      }
      queue.add(event);
      schedule();
    }

    @Override
    public void end() {
      ended = true;
      schedule();
    }

    private void schedule() {
      if (!done.get() && writing.compareAndSet(false, true)) {
        try {
          writers.execute(this::drain);
        } catch (java.util.concurrent.RejectedExecutionException e) {
          finish(); // shutting down
        }
      }
    }

    private void drain() {
      try {
        byte[] event;
        while ((event = queue.poll()) != null) {
          out.write(event);
          queued.addAndGet(-event.length);
        }
        out.flush();
      } catch (IOException | RuntimeException e) {
        LOG.debug("run {}: a realtime subscriber went away: {}", runId, e.toString());
        writing.set(false);
        finish();
        return;
      }
      writing.set(false);
      if (ended && queue.isEmpty()) {
        finish();
      } else if (!queue.isEmpty()) {
        schedule();
      }
    }

    private void finish() {
      if (done.compareAndSet(false, true)) {
        clients.remove(this);
        relay.unsubscribe(runId, this);
        try {
          async.complete();
        } catch (IllegalStateException e) {
          LOG.debug("run {}: realtime subscription already completed", runId);
        }
      }
    }

    @Override
    public void onComplete(AsyncEvent event) {
      done.set(true);
      clients.remove(this);
      relay.unsubscribe(runId, this);
    }

    @Override
    public void onTimeout(AsyncEvent event) {
      finish();
    }

    @Override
    public void onError(AsyncEvent event) {
      finish();
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
      // not re-dispatched
    }
  }
}
