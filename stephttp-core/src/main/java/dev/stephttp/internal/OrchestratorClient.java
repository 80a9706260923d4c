package dev.stephttp.internal;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stephttp.Event;
import dev.stephttp.internal.wire.CheckpointStepsRequest;
import dev.stephttp.internal.wire.CreateRunRequest;
import dev.stephttp.internal.wire.CreateRunResponse;
import dev.stephttp.internal.wire.GeneratorOpcode;
import dev.stephttp.internal.wire.Json;
import dev.stephttp.internal.wire.SigningKeys;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of docs/protocol.md §2 and §10.1 over okhttp: create run, checkpoint steps, read
 * memoized state, send events. Retries network errors, 429 and 5xx with exponential backoff;
 * switches to the fallback signing key on 401/403 and stays there. Thread-safe: the key switch is a
 * compare-and-set on the key a call used, so concurrent calls that were all refused with one key
 * switch once, and a late refusal of the key already given up cannot switch back.
 */
public final class OrchestratorClient implements EventPublisher, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OrchestratorClient.class);
  private static final MediaType JSON = MediaType.get("application/json");
  private static final ObjectMapper MAPPER = Json.mapper();

  private final ClientSettings settings;
  private final OkHttpClient http;
  /** {@link #http}'s connections, for uploads that last as long as a step streams. */
  private final OkHttpClient streams;
  /** Whether calls use the fallback signing key; changed only by {@link #switchKeyAfterRefusal}. */
  private final AtomicBoolean useFallback = new AtomicBoolean();
  /** Whether the last attempt of any call got an answer from the orchestrator (see {@link #reachable()}). */
  private volatile boolean reachable = true;

  /** Creates a client with its own connection pool. */
  public OrchestratorClient(ClientSettings settings) {
    this.settings = settings;
    this.http = new OkHttpClient.Builder()
        .connectTimeout(settings.apiTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .readTimeout(settings.apiTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .writeTimeout(settings.apiTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .callTimeout(settings.apiTimeout().toMillis(), TimeUnit.MILLISECONDS)
        // okhttp keeps 5 idle connections by default, fewer than the checkpoint senders: under
        // load the surplus connections were closed and reopened (BENCHMARKS.md, filter overhead)
        .connectionPool(new ConnectionPool(Math.max(5, 2 * settings.checkpointThreads()), 5,
            TimeUnit.MINUTES))
        .followRedirects(false)
        .build();
    Dispatcher dispatcher = new Dispatcher();
    dispatcher.setMaxRequests(1024); // one upload per streaming re-entry; okhttp's default is 64, 5 per host
    dispatcher.setMaxRequestsPerHost(1024);
    this.streams = http.newBuilder().dispatcher(dispatcher).callTimeout(0, TimeUnit.MILLISECONDS)
        .readTimeout(0, TimeUnit.MILLISECONDS).build();
  }

  public ClientSettings settings() {
    return settings;
  }

  /**
   * Whether the orchestrator answered the last attempt of any call, whatever the answer: false
   * after a connection failure, a timeout or a gateway's 502/504, true again at the next answer.
   * It tells an orchestrator that is down from one that is only busy (docs/how-it-works.md).
   */
  public boolean reachable() {
    return reachable;
  }

  /** {@code POST /v1/checkpoint} (§2.1). */
  public CreateRunResponse createRun(CreateRunRequest request) {
    byte[] body = call("POST", settings.baseUrl() + "/v1/checkpoint", Json.write(request), true);
    JsonNode data = parseJson(body).path("data");
    try {
      return MAPPER.treeToValue(data, CreateRunResponse.class);
    } catch (IOException | IllegalArgumentException e) {
      throw new OrchestratorException("create-run answered an unexpected body", 200, e);
    }
  }

  /** {@code POST /v1/checkpoint/{runId}/steps} (§2.2). */
  public void checkpointSteps(String runId, String fnId, String appId, List<GeneratorOpcode> steps) {
    CheckpointStepsRequest request =
        new CheckpointStepsRequest(runId, fnId, appId, steps, System.currentTimeMillis());
    call("POST", settings.baseUrl() + "/v1/checkpoint/" + runId + "/steps", Json.write(request), true);
  }

  /** {@code GET /v0/runs/{runId}/actions} (§4): hashed step ID → stored value. */
  public Map<String, JsonNode> actions(String runId) {
    JsonNode node = parseJson(call("GET", settings.baseUrl() + "/v0/runs/" + runId + "/actions", null, true));
    if (!node.isObject()) {
      throw new OrchestratorException("state of run " + runId + " is not a JSON object", 200, null);
    }
    Map<String, JsonNode> state = new LinkedHashMap<>();
    node.fields().forEachRemaining(e -> state.put(e.getKey(), e.getValue()));
    return state;
  }

  /** {@code POST /e/{eventKey}} (§10.1). */
  @Override
  public List<String> send(List<Event> events) {
    if (settings.eventKey() == null) {
      throw new IllegalStateException("sending events needs an event key: set INNGEST_EVENT_KEY (or eventKey)");
    }
    String url = settings.eventBaseUrl() + "/e/" + URLEncoder.encode(settings.eventKey(), StandardCharsets.UTF_8);
    JsonNode node = parseJson(call("POST", url, Json.write(events), false));
    List<String> ids = MAPPER.convertValue(node.path("ids"), new TypeReference<List<String>>() {});
    if (ids == null || ids.size() != events.size()) {
      throw new OrchestratorException("event API answered " + node + " for " + events.size() + " events", 200, null);
    }
    return ids;
  }

  /**
   * {@code POST /v1/realtime/publish/tee?channel=<runId>} (docs/protocol.md §2.7): {@code body} is sent
   * as it is written, without a call timeout (a step may stream for long). Not retried: a stream
   * cannot be sent twice. The future completes with the answer's status, or with the failure.
   */
  public CompletableFuture<Integer> publishStream(String runId, RequestBody body) {
    Request.Builder rb = new Request.Builder()
        .url(settings.baseUrl() + "/v1/realtime/publish/tee?channel=" + runId)
        .header("X-Inngest-SDK", Sdk.HEADER_VALUE)
        .header("User-Agent", Sdk.HEADER_VALUE)
        .post(body);
    if (settings.env() != null) {
      rb.header("X-Inngest-Env", settings.env());
    }
    String token = bearerToken(useFallback.get());
    if (token != null) {
      rb.header("Authorization", "Bearer " + token);
    }
    CompletableFuture<Integer> status = new CompletableFuture<>();
    streams.newCall(rb.build()).enqueue(new Callback() {
      @Override
      public void onFailure(Call call, IOException e) {
        status.completeExceptionally(e);
      }

      @Override
      public void onResponse(Call call, Response response) {
        response.close();
        status.complete(response.code());
      }
    });
    return status;
  }

  private byte[] call(String method, String url, byte[] body, boolean bearer) {
    int attempts = settings.apiAttempts();
    OrchestratorException last = null;
    boolean switched = false;
    boolean mayHaveArrived = false;
    for (int attempt = 1; attempt <= attempts; attempt++) {
      Request.Builder rb = new Request.Builder()
          .url(url)
          .header("X-Inngest-SDK", Sdk.HEADER_VALUE)
          .header("User-Agent", Sdk.HEADER_VALUE);
      if (settings.env() != null) {
        rb.header("X-Inngest-Env", settings.env());
      }
      boolean usedFallback = useFallback.get();
      if (bearer) {
        String token = bearerToken(usedFallback);
        if (token != null) {
          rb.header("Authorization", "Bearer " + token);
        }
      }
      rb.method(method, body == null ? null : RequestBody.create(body, JSON));
      try (Response response = http.newCall(rb.build()).execute()) {
        int code = response.code();
        // docs/how-it-works.md: a gateway's 502/504 means nothing behind it answered.
        reachable = code != 502 && code != 504;
        ResponseBody rbody = response.body();
        byte[] bytes = rbody == null ? new byte[0] : rbody.bytes();
        if (code >= 200 && code < 300) {
          return bytes;
        }
        last = new OrchestratorException(method + " " + redact(url) + " answered " + code, code, null);
        mayHaveArrived |= code >= 500; // a proxy's 5xx may hide a request the orchestrator processed
        if ((code == 401 || code == 403) && bearer && !switched && settings.signingKeyFallback() != null) {
          // docs/protocol.md §2.0: repeat once with the other key, which later calls use too.
          switched = true;
          switchKeyAfterRefusal(usedFallback);
          attempt--;
          continue;
        }
        if (code != 429 && code < 500) {
          throw last.afterAttempts(mayHaveArrived);
        }
      } catch (IOException e) {
        reachable = false;
        last = new OrchestratorException(method + " " + redact(url) + " failed: " + e.getMessage(), -1, e);
        mayHaveArrived |= !neverConnected(e);
      }
      if (attempt < attempts) {
        pause(attempt);
      }
    }
    throw last.afterAttempts(mayHaveArrived);
  }

  /** Whether {@code e} happened before a connection existed, so the request cannot have been read. */
  private static boolean neverConnected(IOException e) {
    return e instanceof java.net.ConnectException || e instanceof java.net.UnknownHostException
        || e instanceof java.net.NoRouteToHostException;
  }

  /**
   * Switches away from the key a refused call used, unless another call already did: a refusal of
   * a key no longer in use says nothing about the key in use now. Either way the next attempt uses
   * the other key.
   */
  private void switchKeyAfterRefusal(boolean usedFallback) {
    if (useFallback.compareAndSet(usedFallback, !usedFallback)) {
      log.info("the orchestrator refused the {} signing key; using the {} key from now on",
          usedFallback ? "fallback" : "primary", usedFallback ? "primary" : "fallback");
    }
  }

  private String bearerToken(boolean fallback) {
    String key = fallback ? settings.signingKeyFallback() : settings.signingKey();
    if (key == null) {
      return null;
    }
    try {
      return SigningKeys.hashedBearer(key);
    } catch (IllegalArgumentException notHex) {
      return key; // §2.0: the server also accepts the raw key
    }
  }

  private void pause(int attempt) {
    long base = settings.apiRetryDelay().toMillis() << Math.min(attempt - 1, 10);
    long jitter = settings.apiRetryDelay().isZero() ? 0 : ThreadLocalRandom.current().nextLong(settings.apiRetryDelay().toMillis() + 1);
    try {
      Thread.sleep(base + jitter);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OrchestratorException("interrupted while retrying", -1, e);
    }
  }

  private static JsonNode parseJson(byte[] body) {
    try {
      return MAPPER.readTree(body);
    } catch (IOException e) {
      throw new OrchestratorException("orchestrator answered malformed JSON", 200, e);
    }
  }

  private static String redact(String url) {
    int e = url.indexOf("/e/");
    return e < 0 ? url : url.substring(0, e + 3) + "***";
  }

  @Override
  public void close() {
    http.dispatcher().executorService().shutdown();
    streams.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
    log.debug("orchestrator client closed");
  }
}
