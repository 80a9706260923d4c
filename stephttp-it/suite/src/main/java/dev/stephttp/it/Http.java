package dev.stephttp.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * The suite's only HTTP client: redirects are never followed on their own, and every response
 * body it reads is checked for leaked internals (internal class names, qualified exception names,
 * stack trace lines), so that each scenario also checks what its responses disclose. Thread-safe.
 */
public final class Http {
  /** Texts no response of a run may carry, whatever the handler did. */
  private static final List<String> LEAKS = List.of("dev.stephttp.internal", "Suspension", "\tat ",
      "jakarta.servlet.ServletException");
  /** A fully qualified exception or error class name, such as {@code java.lang.IllegalStateException}. */
  private static final Pattern QUALIFIED_THROWABLE =
      Pattern.compile("\\b(?:[a-z_][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*(?:Exception|Error)\\b");

  private static final OkHttpClient CLIENT = new OkHttpClient.Builder()
      .followRedirects(false)
      .followSslRedirects(false)
      .connectTimeout(Duration.ofSeconds(5))
      .readTimeout(Duration.ofSeconds(40))
      .callTimeout(Duration.ofSeconds(60))
      .build();

  private Http() {}

  /** One response, read in full. */
  public record Reply(int status, Map<String, List<String>> headers, String body) {
    /** The first value of header {@code name} (case-insensitive), or null. */
    public String header(String name) {
      for (Map.Entry<String, List<String>> h : headers.entrySet()) {
        if (h.getKey().equalsIgnoreCase(name) && !h.getValue().isEmpty()) {
          return h.getValue().get(0);
        }
      }
      return null;
    }

    /** The run ID the library stamped on the response. */
    public String runId() {
      return Objects.requireNonNull(header("X-Run-ID"), () -> "no X-Run-ID on " + this);
    }

    @Override
    public String toString() {
      return status + " " + headers + " " + (body.length() > 300 ? body.substring(0, 300) + "..." : body);
    }
  }

  /** {@code GET url}. */
  public static Reply get(String url) {
    return send(new Request.Builder().url(url).build());
  }

  /** {@code GET url} with {@code Authorization: Bearer key}. */
  public static Reply get(String url, String bearerKey) {
    return send(new Request.Builder().url(url).header("Authorization", "Bearer " + bearerKey).build());
  }

  /** {@code POST url} with {@code body} of {@code contentType}. */
  public static Reply post(String url, String contentType, String body) {
    return send(new Request.Builder().url(url)
        .post(RequestBody.create(body, MediaType.get(contentType))).build());
  }

  /** Checks that {@code first} is a 303 to the run's output URL and follows it once. */
  public static Reply follow(Reply first) {
    assertThat(first.status()).as("the async switch answers 303: %s", first).isEqualTo(303);
    String location = first.header("Location");
    assertThat(location).as("Location of %s", first).isNotNull().contains("/v1/http/runs/" + first.runId() + "/output");
    return get(location);
  }

  /**
   * Sends {@code request} and reads the whole body.
   *
   * @throws AssertionError when the body discloses internals (see the class comment)
   */
  public static Reply send(Request request) {
    try (Response r = CLIENT.newCall(request).execute()) {
      String body = r.body().string();
      Reply reply = new Reply(r.code(), r.headers().toMultimap(), body);
      assertNoInternals(request.method() + " " + request.url(), reply);
      return reply;
    } catch (IOException e) {
      throw new UncheckedIOException(request.method() + " " + request.url() + ": " + e.getMessage(), e);
    }
  }

  /** Fails when {@code reply}'s body names an internal class, an exception class or a stack frame. */
  public static void assertNoInternals(String what, Reply reply) {
    for (String leak : LEAKS) {
      assertThat(reply.body()).as("the body of %s must not contain %s: %s", what, leak.replace("\t", "\\t"), reply)
          .doesNotContain(leak);
    }
    assertThat(QUALIFIED_THROWABLE.matcher(reply.body()).find())
        .as("the body of %s must not name an exception class: %s", what, reply).isFalse();
  }
}
