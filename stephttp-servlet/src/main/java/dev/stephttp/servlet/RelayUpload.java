package dev.stephttp.servlet;

import dev.stephttp.internal.OrchestratorClient;
import dev.stephttp.internal.wire.ApiResult;
import dev.stephttp.internal.wire.Json;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.MediaType;
import okhttp3.RequestBody;
import okio.BufferedSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A re-entry's events for the orchestrator's realtime relay (docs/protocol.md §2.7): one {@code
 * POST /v1/realtime/publish/tee?channel=<runId>} per re-entry, opened at its first chunk (or at the
 * run's answer) with {@code inngest.metadata} and written as events come, with a keepalive comment
 * every 10 s. A re-entry that does not finish the run ends it before it answers the orchestrator,
 * so one re-entry's events reach the relay before the next re-entry starts; the one that finishes
 * the run answers without waiting. Thread-safe.
 */
final class RelayUpload extends RequestBody implements ResponseStream.Sink {
  private static final Logger log = LoggerFactory.getLogger(RelayUpload.class);
  private static final MediaType OCTETS = MediaType.get("application/octet-stream");
  private static final byte[] END = new byte[0];
  private static final byte[] KEEPALIVE = ":\n\n".getBytes(StandardCharsets.US_ASCII);
  /**
   * How long a re-entry that does not finish the run waits for the relay to take its events before
   * it answers anyway (2 s; tests lengthen it).
   */
  static volatile Duration endWait = Duration.ofSeconds(2);
  private static final AtomicBoolean WARNED = new AtomicBoolean();

  private final OrchestratorClient client;
  private final String runId;
  private final BlockingQueue<byte[]> queue = new LinkedBlockingQueue<>();
  private final List<byte[]> early = new ArrayList<>();
  private CompletableFuture<Integer> status;
  private boolean ended;

  RelayUpload(OrchestratorClient client, String runId) {
    this.client = client;
    this.runId = runId;
  }

  @Override
  public synchronized void write(byte[] event, boolean activates) {
    if (ended) {
      return;
    }
    if (status == null && !activates) {
      early.add(event);
      return;
    }
    open();
    if (!status.isDone()) { // an upload that already ended (refused, connection lost) takes no more
      queue.add(event);
    }
  }

  /** Publishes the run's answer ({@code inngest.response}): the re-entry finished the run. */
  synchronized void respond(ApiResult result, boolean failed) {
    if (!ended) {
      open();
      queue.add(SseEvents.response(result, failed));
    }
  }

  /** Publishes that the run failed for good with {@code message}, as Inngest's SDK does, and ends. */
  void fail(String message) {
    String body = Json.mapper().getNodeFactory().textNode(String.valueOf(message)).toString();
    respond(ApiResult.of(500, Map.of("content-type", "application/json"), body), true);
    endLast();
  }

  /**
   * Ends the upload, if any, and waits up to {@link #endWait} for the relay's answer, so that the
   * next re-entry's events reach the relay after these.
   */
  void end() {
    CompletableFuture<Integer> s = close();
    if (s == null) {
      return;
    }
    try {
      checked(s.get(endWait.toMillis(), TimeUnit.MILLISECONDS), null);
    } catch (ExecutionException | TimeoutException e) {
      checked(null, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Ends the upload of the re-entry that finished the run: no re-entry follows it, so the answer to
   * the orchestrator does not wait for the relay (a finished run's output is not delayed by it).
   */
  void endLast() {
    CompletableFuture<Integer> s = close();
    if (s != null) {
      s.whenComplete(this::checked);
    }
  }

  private synchronized CompletableFuture<Integer> close() {
    if (ended) {
      return null;
    }
    ended = true;
    queue.add(END);
    return status;
  }

  private void checked(Integer code, Throwable failure) {
    if (failure != null) {
      problem("the stream of run " + runId + " did not reach the realtime relay: " + failure);
    } else if (code != 200) {
      problem("the realtime relay answered " + code + " to the stream of run " + runId);
    }
  }

  /**
   * Logged once at WARN, then at DEBUG: every finishing re-entry publishes, so an orchestrator
   * without a relay (404) would otherwise log once per run.
   */
  private static void problem(String message) {
    if (WARNED.compareAndSet(false, true)) {
      log.warn("{} (logged once; later ones at DEBUG)", message);
    } else {
      log.debug(message);
    }
  }

  private void open() {
    if (status == null) {
      queue.add(SseEvents.metadata(runId));
      queue.addAll(early);
      early.clear();
      status = client.publishStream(runId, this);
    }
  }

  @Override
  public MediaType contentType() {
    return OCTETS;
  }

  @Override
  public boolean isOneShot() {
    return true; // a stream cannot be sent again
  }

  @Override
  public void writeTo(BufferedSink sink) throws IOException {
    try {
      while (true) {
        byte[] event = queue.poll(10, TimeUnit.SECONDS);
        if (event == END) {
          return;
        }
        sink.write(event == null ? KEEPALIVE : event);
        sink.flush();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while streaming run " + runId);
    }
  }
}
