package dev.stephttp.servlet;

import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run's events on the caller's own connection during the sync phase (docs/protocol.md §2.7):
 * {@code 200 text/event-stream}, opened at the first chunk (or when the request ends) with {@code
 * inngest.metadata}, each event flushed at once. Events before the first chunk (a step's commit)
 * wait for it. A caller that went away ends the stream, not the run. Thread-safe.
 */
final class CallerStream implements ResponseStream.Sink {
  private static final Logger log = LoggerFactory.getLogger(CallerStream.class);

  private final HttpServletResponse response;
  private final String runId;
  private final ByteArrayOutputStream early = new ByteArrayOutputStream();
  private boolean started;
  private boolean closed;

  CallerStream(HttpServletResponse response, String runId) {
    this.response = response;
    this.runId = runId;
  }

  @Override
  public synchronized void write(byte[] event, boolean activates) {
    if (closed) {
      return;
    }
    if (!started && !activates) {
      early.writeBytes(event);
      return;
    }
    send(event);
  }

  /** Whether the connection carries the stream (the answer can no longer be changed). */
  synchronized boolean started() {
    return started;
  }

  /** Opens the stream if needed, sends {@code last} and closes the stream. */
  synchronized void end(byte[] last) {
    if (!closed) {
      send(last);
      closed = true;
    }
  }

  private void send(byte[] event) {
    try {
      if (!started) {
        started = true;
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType("text/event-stream");
        response.setHeader("Cache-Control", "no-cache");
        response.setHeader("X-Accel-Buffering", "no"); // proxies must not hold the events back
        response.getOutputStream().write(SseEvents.metadata(runId));
        early.writeTo(response.getOutputStream());
        early.reset();
      }
      response.getOutputStream().write(event);
      response.flushBuffer();
    } catch (IOException | IllegalStateException e) {
      log.debug("run {}: the caller's stream went away; the run goes on: {}", runId, e.toString());
      closed = true;
    }
  }
}
