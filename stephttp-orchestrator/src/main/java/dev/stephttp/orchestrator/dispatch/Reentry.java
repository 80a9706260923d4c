package dev.stephttp.orchestrator.dispatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stephttp.internal.wire.Json;
import dev.stephttp.internal.wire.Signatures;
import dev.stephttp.orchestrator.engine.Settings;
import dev.stephttp.orchestrator.model.BadRequest;
import dev.stephttp.orchestrator.model.ClientFamily;
import dev.stephttp.orchestrator.model.Outcome;
import dev.stephttp.orchestrator.model.RequestJson;
import dev.stephttp.orchestrator.model.RunRecord;
import dev.stephttp.orchestrator.model.WorkItem;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import okhttp3.Call;
import okhttp3.EventListener;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;

/**
 * Calls the app to re-enter a run (docs/protocol.md §5.1–5.2) and interprets its answer (§5.5). The
 * only class that touches okhttp. Thread-safe; blocking (run it on the dispatch pool).
 */
final class Reentry {
  private static final Set<String> SKIPPED_HEADERS =
      Set.of("content-length", "transfer-encoding", "connection", "keep-alive", "date");

  private final OkHttpClient http;
  /** Pools nothing: the one immediate retry after a pooled connection turned out dead. */
  private final OkHttpClient fresh;
  private final Settings settings;
  private final java.time.Clock clock;

  /** Whether a call opened a connection of its own (else it took a pooled one). */
  private static final class Connected {
    volatile boolean opened;
  }

  Reentry(Settings settings, java.time.Clock clock) {
    this.clock = clock;
    this.settings = settings;
    this.http = new OkHttpClient.Builder()
        .callTimeout(settings.reentryTimeout())
        .readTimeout(settings.reentryTimeout())
        .connectTimeout(Duration.ofSeconds(10))
        // okhttp keeps 5 idle connections for 5 minutes by default: under load the surplus
        // connections to the app were closed and reopened, and after a quiet spell longer than
        // the app server's idle timeout (Jetty 30 s, Node 5 s) a re-entry went out on a
        // connection the app had closed ("unexpected end of stream"; no retry on connection
        // failure here), failing runs without retries (BENCHMARKS.md). Pool one connection per
        // concurrent re-entry, but drop idle ones sooner than common server idle timeouts; a
        // pooled connection that is dead anyway is replaced once at once (call()).
        .connectionPool(new okhttp3.ConnectionPool(settings.reentryConcurrency(), 4,
            java.util.concurrent.TimeUnit.SECONDS))
        .followRedirects(false)
        .retryOnConnectionFailure(false)
        .eventListenerFactory(call -> new EventListener() {
          @Override
          public void connectStart(Call c, InetSocketAddress address, Proxy proxy) {
            Connected connected = c.request().tag(Connected.class);
            if (connected != null) {
              connected.opened = true;
            }
          }
        })
        .build();
    this.fresh = http.newBuilder()
        .connectionPool(new okhttp3.ConnectionPool(0, 1, java.util.concurrent.TimeUnit.SECONDS))
        .eventListener(EventListener.NONE)
        .build();
  }

  /**
   * One re-entry. Failing to reach the app (no status line) is {@link Outcome.Unreachable},
   * with its own budget; everything after a status line is interpreted per §5.5.
   */
  Outcome call(RunRecord run, WorkItem item) {
    Request request = build(run, item);
    Connected connected = new Connected();
    Response response;
    try {
      response = http.newCall(request.newBuilder().tag(Connected.class, connected).build())
          .execute();
    } catch (IOException e) {
      if (e instanceof InterruptedIOException) {
        return timedOut(e);
      }
      if (connected.opened) {
        return unreachable(e);
      }
      // A pooled connection the app had closed (it restarted, or idled it out first): the
      // request did not get through. Send it once more at once on a new connection, and drop
      // the idle ones, which are likely just as dead.
      http.connectionPool().evictAll();
      try {
        response = fresh.newCall(request).execute();
      } catch (IOException again) {
        return again instanceof InterruptedIOException ? timedOut(again) : unreachable(again);
      }
    }
    try (Response answer = response) {
      return interpret(run, answer);
    } catch (InterruptedIOException e) {
      return timedOut(e); // the whole exchange is bounded, the answer's body included
    } catch (IOException e) {
      return new Outcome.Failure("reading the re-entry answer failed: " + describe(e), true,
          null);
    }
  }

  /** The call ran out of {@code reentryTimeout}: a transport failure, with its own budget. */
  private Outcome timedOut(IOException e) {
    return new Outcome.Unreachable("re-entry timed out after "
        + settings.reentryTimeout().toMillis() + " ms (reentryTimeout): " + describe(e), 1);
  }

  private static Outcome unreachable(IOException e) {
    return new Outcome.Unreachable("re-entry request failed: " + describe(e), 1);
  }

  private static String describe(IOException e) {
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }

  Request build(RunRecord run, WorkItem item) {
    byte[] body = run.body() == null ? new byte[0] : run.body();
    String method = run.method().toUpperCase(Locale.ROOT);
    boolean bodyAllowed = !method.equals("GET") && !method.equals("HEAD");
    String contentType = run.contentType() == null ? "application/json" : run.contentType();
    RequestBody rb = null;
    if (bodyAllowed) {
      rb = RequestBody.create(bodyAllowed ? body : new byte[0], MediaType.parse(contentType));
    }
    Request.Builder b = new Request.Builder()
        .url(run.url())
        .method(method, rb)
        .header("Content-Type", contentType)
        .header("X-Inngest-Signature", signature(run, method, bodyAllowed ? body : new byte[0]))
        .header("X-Run-ID", run.id())
        .header("x-request-id", UUID.randomUUID().toString())
        .header("x-inngest-job-id", Long.toString(item.id()))
        .header("x-inngest-req-version", Integer.toString(run.requestVersion()));
    if (run.forcePlan()) {
      b.header("X-Inngest-Force-Step-Plan", "true");
    }
    if (item.targetStep() != null && !item.targetStep().isEmpty()
        && !"step".equals(item.targetStep())) {
      b.header("X-Inngest-Step-ID", item.targetStep());
    }
    return b.build();
  }

  /** §5.2 RECOMMENDATION: normalised key; "" for Go runs; canonical JSON body for TS POST/PUT. */
  String signature(RunRecord run, String method, byte[] body) {
    if (!settings.hasSigningKey()) {
      return ""; // the header must be present even when unsigned (§5.2)
    }
    byte[] message = new byte[0];
    if (run.family() == ClientFamily.TS && body.length > 0
        && (method.equals("POST") || method.equals("PUT"))) {
      byte[] canonical = Signatures.canonicalJson(body);
      message = canonical != null ? canonical : body;
    }
    return Signatures.sign(settings.signingKey(), message, clock.millis() / 1000);
  }

  Outcome interpret(RunRecord run, Response response) throws IOException {
    int status = response.code();
    boolean noRetry = "true".equalsIgnoreCase(response.header("x-inngest-no-retry"));
    Instant retryAfter = retryAfter(response.header("Retry-After"), clock.instant());
    byte[] bytes = readLimited(response.body());
    if (bytes == null) {
      return new Outcome.Failure("SDK response too large", false, null);
    }
    if (response.header("X-Inngest-SDK") == null) {
      return new Outcome.Failure("didn't receive SDK response (status " + status + ")",
          !noRetry, retryAfter);
    }
    String text = new String(bytes, StandardCharsets.UTF_8);
    String trimmed = text.strip();
    if (trimmed.startsWith("[")) {
      try {
        JsonNode node = Json.mapper().readTree(trimmed);
        return new Outcome.Ops(RequestJson.ops(node, "response"), noRetry, retryAfter);
      } catch (IOException | BadRequest e) {
        return new Outcome.Failure("invalid opcode response: " + e.getMessage(), false, null);
      }
    }
    JsonNode obj = tryParseObject(trimmed);
    if (status == 206 && obj != null && obj.has("op")) {
      try {
        return new Outcome.Ops(RequestJson.ops(obj, "response"), noRetry, retryAfter);
      } catch (BadRequest e) {
        return new Outcome.Failure("invalid opcode response: " + e.getMessage(), false, null);
      }
    }
    if (status == 201 && obj != null && obj.has("status") && obj.has("body")) {
      return new Outcome.Complete(obj); // TS streaming mode (§5.5 RECOMMENDATION)
    }
    if (run.family() == ClientFamily.GO || (status >= 200 && status < 300)) {
      return new Outcome.Complete(apiResult(status, response, text));
    }
    String reason = "invalid status code: " + status;
    if (obj != null && obj.path("message").isTextual()) {
      reason += ": " + obj.get("message").textValue();
    }
    return new Outcome.Failure(reason, !noRetry, retryAfter);
  }

  private static JsonNode tryParseObject(String s) {
    if (!s.startsWith("{")) {
      return null;
    }
    try {
      JsonNode n = Json.mapper().readTree(s);
      return n.isObject() ? n : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** APIResult {status, headers (first value per name), body} built from a plain response. */
  private static ObjectNode apiResult(int status, Response response, String body) {
    ObjectNode r = JsonNodeFactory.instance.objectNode();
    r.put("status", status);
    ObjectNode headers = r.putObject("headers");
    for (String name : response.headers().names()) {
      if (!SKIPPED_HEADERS.contains(name.toLowerCase(Locale.ROOT)) && !headers.has(name)) {
        headers.put(name, response.header(name));
      }
    }
    r.put("body", body);
    return r;
  }

  private static byte[] readLimited(ResponseBody body) throws IOException {
    if (body == null) {
      return new byte[0];
    }
    BufferedSource src = body.source();
    Buffer buf = new Buffer();
    long limit = Settings.MAX_REENTRY_RESPONSE;
    while (buf.size() <= limit) {
      long n = src.read(buf, 64 * 1024);
      if (n == -1) {
        return buf.readByteArray();
      }
    }
    return null;
  }

  /** §5.5 rule 4: seconds (≤ 7 chars) or an HTTP/RFC 3339 date, clamped to 1 s … 24 h. */
  static Instant retryAfter(String value, Instant now) {
    if (value == null || value.isBlank()) {
      return null;
    }
    Instant at = null;
    String v = value.strip();
    if (v.length() <= 7 && v.chars().allMatch(Character::isDigit)) {
      long secs = Long.parseLong(v);
      if (secs > 0) {
        at = now.plusSeconds(secs);
      }
    } else {
      for (DateTimeFormatter f : List.of(DateTimeFormatter.RFC_1123_DATE_TIME,
          DateTimeFormatter.ISO_OFFSET_DATE_TIME)) {
        try {
          at = ZonedDateTime.parse(v, f).toInstant();
          break;
        } catch (RuntimeException e) {
          // try the next format
        }
      }
    }
    if (at == null) {
      return null;
    }
    Instant min = now.plusSeconds(1);
    Instant max = now.plus(Duration.ofHours(24));
    return at.isBefore(min) ? min : at.isAfter(max) ? max : at;
  }

  void close() {
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
    fresh.connectionPool().evictAll();
  }
}
