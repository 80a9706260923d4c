package dev.stephttp.orchestrator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stephttp.internal.wire.Json;
import dev.stephttp.internal.wire.SigningKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/** Test HTTP client over okhttp: real sockets, bounded timeouts. */
final class Http {
  static final OkHttpClient CLIENT = new OkHttpClient.Builder()
      .callTimeout(Duration.ofSeconds(60))
      .readTimeout(Duration.ofSeconds(60))
      .followRedirects(false)
      .build();
  private static final MediaType JSON = MediaType.parse("application/json");

  /** A fully read response. */
  record Result(int status, okhttp3.Headers headers, byte[] bodyBytes) {
    String body() {
      return new String(bodyBytes, StandardCharsets.UTF_8);
    }

    JsonNode json() {
      return Json.parse(bodyBytes);
    }

    String header(String name) {
      return headers.get(name);
    }
  }

  private Http() {}

  static String bearer(String key) {
    return key == null ? "Bearer" : "Bearer " + SigningKeys.hashedBearer(key);
  }

  static Result get(String url, String key) {
    return execute(new Request.Builder().url(url).header("Authorization", bearer(key)).build());
  }

  static Result get(String url) {
    return execute(new Request.Builder().url(url).build());
  }

  static Result post(String url, String key, String body) {
    return post(url, key, body.getBytes(StandardCharsets.UTF_8));
  }

  static Result post(String url, String key, byte[] body) {
    Request.Builder b = new Request.Builder().url(url).post(RequestBody.create(body, JSON));
    if (key != null) {
      b.header("Authorization", key.startsWith("Bearer") ? key : bearer(key));
    }
    return execute(b.build());
  }

  static Result execute(Request request) {
    try (Response r = CLIENT.newCall(request).execute()) {
      return new Result(r.code(), r.headers(), r.body() == null ? new byte[0] : r.body().bytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts a GET without waiting (the output endpoint blocks). */
  static CompletableFuture<Result> getAsync(String url) {
    CompletableFuture<Result> f = new CompletableFuture<>();
    CLIENT.newCall(new Request.Builder().url(url).build()).enqueue(new Callback() {
      @Override
      public void onFailure(Call call, IOException e) {
        f.completeExceptionally(e);
      }

      @Override
      public void onResponse(Call call, Response r) {
        try (r) {
          f.complete(new Result(r.code(), r.headers(), r.body().bytes()));
        } catch (IOException e) {
          f.completeExceptionally(e);
        }
      }
    });
    return f;
  }
}
