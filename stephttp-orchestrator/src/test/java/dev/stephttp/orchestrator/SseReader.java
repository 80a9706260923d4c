package dev.stephttp.orchestrator;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * A plain SSE client over okhttp (loopback, bounded waits): reads a {@code text/event-stream} on a
 * background thread and hands out its events, each as its raw text without the blank line
 * ({@code "event: x\ndata: {…}"}, or {@code ":"} for a keepalive comment).
 */
final class SseReader implements AutoCloseable {
  /** Marks the end of the stream in {@link #events}. */
  static final String EOF = "<eof>";
  private static final OkHttpClient CLIENT = new OkHttpClient.Builder()
      .readTimeout(Duration.ofSeconds(60)).followRedirects(false).build();

  final Response response;
  private final Call call;
  private final BlockingQueue<String> events = new LinkedBlockingQueue<>();
  private final Thread reader;

  private SseReader(Call call) throws IOException {
    this.call = call;
    this.response = call.execute();
    this.reader = new Thread(this::read, "sse-reader");
    reader.setDaemon(true);
    if (response.isSuccessful()) {
      reader.start();
    }
  }

  /** Opens {@code url} with {@code Accept: text/event-stream}. */
  static SseReader open(String url) throws IOException {
    return open(new Request.Builder().url(url).header("Accept", "text/event-stream").build());
  }

  static SseReader open(Request request) throws IOException {
    return new SseReader(CLIENT.newCall(request));
  }

  private void read() {
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(response.body().byteStream(), StandardCharsets.UTF_8))) {
      StringBuilder event = new StringBuilder();
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isEmpty()) {
          if (event.length() > 0) {
            events.add(event.toString());
            event.setLength(0);
          }
        } else {
          event.append(event.length() > 0 ? "\n" : "").append(line);
        }
      }
    } catch (IOException e) {
      // closed by the test, or the server went away: EOF either way
    } finally {
      events.add(EOF);
    }
  }

  /** The next event (comments included), or fails after {@code timeout}. */
  String next(Duration timeout) throws InterruptedException {
    String e = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (e == null) {
      throw new AssertionError("no SSE event within " + timeout);
    }
    return e;
  }

  /** The events up to and including the first named {@code name} (comments skipped), or fails at EOF. */
  List<String> until(String name, Duration timeout) throws InterruptedException {
    List<String> seen = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      String e = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
      if (e.equals(EOF)) {
        throw new AssertionError("the stream ended before '" + name + "'; events: " + seen);
      }
      if (e.startsWith(":")) {
        continue;
      }
      seen.add(e);
      if (e.startsWith("event: " + name + "\n")) {
        return seen;
      }
    }
  }

  /** Cancels the call (thread-safe: the reader thread may be reading), then closes what is left. */
  @Override
  public void close() {
    call.cancel();
    if (!reader.isAlive()) {
      response.close();
    }
  }
}
