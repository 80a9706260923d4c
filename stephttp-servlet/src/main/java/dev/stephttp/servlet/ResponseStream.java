package dev.stephttp.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.stephttp.StepFunction;
import dev.stephttp.internal.StepWrapper;
import dev.stephttp.internal.wire.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Chunks a durable endpoint streams to its caller while it runs ({@link StepHttp#stream()}), as
 * server-sent events that Inngest's {@code fetchWithStream} reads (docs/protocol.md §2.7). A caller
 * that asks for {@code Accept: text/event-stream} gets them on its own connection during the sync
 * phase; after the async switch each re-entry publishes its chunks to the orchestrator's realtime
 * relay, where the caller follows. Chunks pushed inside a step carry the step's hashed ID and are
 * committed when it succeeds, or rolled back when it fails (its retry pushes them again).
 *
 * <p>Outside a run, in a request that passes through without one, or when the caller did not ask
 * for a stream, chunks go nowhere (the handler runs the same). Thread-safe.
 */
public final class ResponseStream {
  /** Where a run's events go in one request: the caller's connection, or the relay. */
  interface Sink {
    /** One event; {@code activates} when it is a chunk, which starts the stream. */
    void write(byte[] event, boolean activates);
  }

  static final ResponseStream NONE = new ResponseStream(null);
  private static final ThreadLocal<String> STEP = new ThreadLocal<>();

  private final Sink sink;

  ResponseStream(Sink sink) {
    this.sink = sink;
  }

  /**
   * Sends {@code data}, converted to JSON, as one chunk.
   *
   * @throws IllegalArgumentException if {@code data} cannot be converted to JSON
   */
  public void push(Object data) {
    JsonNode json = Json.mapper().valueToTree(data);
    if (sink != null) {
      sink.write(SseEvents.stream(json == null ? Json.mapper().nullNode() : json, STEP.get()), true);
    }
  }

  /**
   * Sends {@code in}'s text (UTF-8), one chunk per read, until its end, and returns all of it. The
   * stream is not closed.
   *
   * @throws UncheckedIOException if reading fails
   */
  public String pipe(InputStream in) {
    Objects.requireNonNull(in, "in == null");
    return pipe(new InputStreamReader(in, StandardCharsets.UTF_8));
  }

  /**
   * Sends {@code in}'s text, one chunk per read, until its end, and returns all of it. The reader
   * is not closed.
   *
   * @throws UncheckedIOException if reading fails
   */
  public String pipe(Reader in) {
    Objects.requireNonNull(in, "in == null");
    StringBuilder all = new StringBuilder();
    char[] buf = new char[8192];
    try {
      int n;
      while ((n = in.read(buf)) >= 0) {
        if (n > 0) {
          String chunk = new String(buf, 0, n);
          all.append(chunk);
          push(chunk);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading the piped stream failed", e);
    }
    return all.toString();
  }

  /**
   * Subscribes to {@code publisher}, sends each item as one chunk (requesting one at a time) from
   * the calling thread, and returns them all joined once it completes.
   *
   * @throws IllegalStateException if the publisher signals an error (it is the cause), or the
   *     thread is interrupted (the subscription is cancelled)
   */
  public String pipe(Flow.Publisher<String> publisher) {
    Objects.requireNonNull(publisher, "publisher == null");
    BlockingQueue<Object> signals = new LinkedBlockingQueue<>();
    Object complete = new Object();
    Flow.Subscription[] subscription = new Flow.Subscription[1];
    publisher.subscribe(new Flow.Subscriber<>() {
      @Override
      public void onSubscribe(Flow.Subscription s) {
        signals.add(s);
      }

      @Override
      public void onNext(String item) {
        signals.add(TextNode.valueOf(item));
      }

      @Override
      public void onError(Throwable t) {
        signals.add(t);
      }

      @Override
      public void onComplete() {
        signals.add(complete);
      }
    });
    StringBuilder all = new StringBuilder();
    try {
      while (true) {
        Object signal = signals.take();
        if (signal instanceof Flow.Subscription s) {
          subscription[0] = s;
          s.request(1);
        } else if (signal instanceof TextNode chunk) {
          all.append(chunk.textValue());
          push(chunk.textValue());
          subscription[0].request(1);
        } else if (signal instanceof Throwable t) {
          throw new IllegalStateException("the piped publisher failed: " + t.getMessage(), t);
        } else {
          return all.toString();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      if (subscription[0] != null) {
        subscription[0].cancel();
      }
      throw new IllegalStateException("interrupted while piping a publisher", e);
    }
  }

  /** Tags the chunks each step pushes with its ID, and commits or rolls them back when it ends. */
  StepWrapper steps() {
    return new StepWrapper() {
      @Override
      public <T> StepFunction<T> wrap(String hashedId, StepFunction<T> fn) {
        return () -> {
          String outer = STEP.get();
          STEP.set(hashedId);
          try {
            T value = fn.call();
            sink.write(SseEvents.commit(hashedId), false);
            return value;
          } catch (Exception e) {
            sink.write(SseEvents.rollback(hashedId), false);
            throw e;
          } finally {
            if (outer == null) {
              STEP.remove();
            } else {
              STEP.set(outer);
            }
          }
        };
      }
    };
  }
}
