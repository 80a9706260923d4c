package dev.stephttp.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The proxy itself, against a plain JDK HTTP server that echoes what reached it. */
class FaultProxyTest {
  private HttpServer upstream;
  private final List<String> received = new CopyOnWriteArrayList<>();
  private FaultProxy proxy;
  private final ExecutorService callers = Executors.newCachedThreadPool();
  private final OkHttpClient http = new OkHttpClient.Builder()
      .retryOnConnectionFailure(false)
      .callTimeout(Duration.ofSeconds(10))
      .build();

  @BeforeEach
  void start() throws IOException {
    upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    upstream.createContext("/", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      received.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " " + body);
      byte[] answer = ("echo " + exchange.getRequestURI() + " " + body).getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, answer.length);
      exchange.getResponseBody().write(answer);
      exchange.close();
    });
    upstream.setExecutor(Executors.newFixedThreadPool(4));
    upstream.start();
    proxy = FaultProxy.start("test", upstream.getAddress().getPort());
  }

  @AfterEach
  void stop() {
    proxy.close();
    upstream.stop(0);
    callers.shutdownNow();
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }

  private Response get(String path) throws IOException {
    return http.newCall(new Request.Builder().url(proxy.url() + path).build()).execute();
  }

  private String text(String path) throws IOException {
    try (Response r = get(path)) {
      return r.code() + " " + r.body().string();
    }
  }

  @Test
  void passesRequestsAndAnswersOnOneKeptAliveConnection() throws IOException {
    assertThat(text("/one")).isEqualTo("200 echo /one ");
    try (Response r = http.newCall(new Request.Builder().url(proxy.url() + "/two")
        .post(RequestBody.create("payload", MediaType.get("text/plain"))).build()).execute()) {
      assertThat(r.body().string()).isEqualTo("echo /two payload");
    }
    assertThat(received).containsExactly("GET /one ", "POST /two payload");
    assertThat(proxy.requests()).isEqualTo(2);
    assertThat(proxy.injected()).isZero();
    assertThat(http.connectionPool().connectionCount()).isEqualTo(1);
  }

  @Test
  void chunkedRequestBodiesAreForwardedWhole() throws IOException {
    RequestBody streamed = new RequestBody() {
      @Override
      public MediaType contentType() {
        return MediaType.get("text/plain");
      }

      @Override
      public void writeTo(BufferedSink sink) throws IOException {
        sink.writeUtf8("part1-");
        sink.flush();
        sink.writeUtf8("part2");
      }
    };
    try (Response r = http.newCall(new Request.Builder().url(proxy.url() + "/chunked").post(streamed).build()).execute()) {
      assertThat(r.body().string()).isEqualTo("echo /chunked part1-part2");
    }
    assertThat(text("/after")).isEqualTo("200 echo /after ");
  }

  @Test
  void delayHoldsTheRequestBeforeForwardingIt() throws IOException {
    proxy.inject(Fault.delay(Duration.ofMillis(400)));
    long started = System.nanoTime();
    assertThat(text("/slow")).isEqualTo("200 echo /slow ");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
    assertThat(proxy.injected(Fault.Kind.DELAY)).isEqualTo(1);
  }

  @Test
  void resetEndsTheConnectionAndNothingReachesTheUpstream() {
    proxy.inject(Fault.reset());
    assertThatThrownBy(() -> get("/reset").close()).isInstanceOf(IOException.class);
    assertThat(received).isEmpty();
    assertThat(proxy.injected(Fault.Kind.RESET)).isEqualTo(1);
  }

  @Test
  void blackholeNeverAnswersAndClearResetsTheHeldConnection() throws Exception {
    proxy.inject(Fault.blackhole());
    CompletableFuture<String> call = CompletableFuture.supplyAsync(() -> {
      try {
        return text("/hole");
      } catch (IOException e) {
        return "failed: " + e.getClass().getSimpleName();
      }
    }, callers);
    waitUntil(() -> proxy.injected(Fault.Kind.BLACKHOLE) == 1);
    assertThat(call).isNotDone();
    long cleared = System.nanoTime();
    proxy.clear();
    assertThat(call.get(5, TimeUnit.SECONDS)).startsWith("failed:");
    assertThat(Duration.ofNanos(System.nanoTime() - cleared)).isLessThan(Duration.ofSeconds(5));
    assertThat(received).isEmpty();
    assertThat(text("/healed")).isEqualTo("200 echo /healed ");
  }

  @Test
  void errorStatusesAreAnsweredByTheProxyWithoutForwarding() throws IOException {
    proxy.inject(Fault.serverError(503));
    try (Response r = get("/busy")) {
      assertThat(r.code()).isEqualTo(503);
      assertThat(r.body().string()).contains("injected");
    }
    proxy.inject(Fault.tooManyRequests(Duration.ofSeconds(2)));
    try (Response r = get("/busy")) {
      assertThat(r.code()).isEqualTo(429);
      assertThat(r.header("Retry-After")).isEqualTo("2");
    }
    assertThat(received).isEmpty();
    assertThat(proxy.injected(Fault.Kind.STATUS)).isEqualTo(2);
  }

  @Test
  void resetAfterForwardingLetsTheUpstreamDoTheWorkButLosesTheAnswer() {
    proxy.inject(Fault.resetAfterForwarding());
    assertThatThrownBy(() -> get("/lost").close()).isInstanceOf(IOException.class);
    assertThat(received).containsExactly("GET /lost ");
  }

  @Test
  void theNewestMatchingRuleDecidesEachRequestOnTheSameConnection() throws IOException {
    proxy.inject(Fault.serverError(500), r -> r.path().startsWith("/a"));
    proxy.inject(Fault.serverError(502), r -> r.path().equals("/a/special"));
    assertThat(text("/b")).isEqualTo("200 echo /b ");
    assertThat(text("/a/x")).startsWith("500 ");
    assertThat(text("/a/special")).startsWith("502 ");
    assertThat(text("/b?again")).isEqualTo("200 echo /b?again ");
    assertThat(http.connectionPool().connectionCount()).isEqualTo(1);
    proxy.clear();
    assertThat(text("/a/x")).isEqualTo("200 echo /a/x ");
  }

  @Test
  void closeReleasesEveryConnectionAndThePort() throws Exception {
    proxy.inject(Fault.blackhole());
    CompletableFuture<String> call = CompletableFuture.supplyAsync(() -> {
      try {
        return text("/held");
      } catch (IOException e) {
        return "failed";
      }
    }, callers);
    waitUntil(() -> proxy.openConnections() == 1 && proxy.injected() == 1);
    int port = proxy.port();
    proxy.close();
    assertThat(call.get(5, TimeUnit.SECONDS)).isEqualTo("failed");
    assertThat(proxy.openConnections()).isZero();
    assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
        .isInstanceOf(ConnectException.class);
  }

  @Test
  void badArgumentsAreRefusedWithTheirName() {
    assertThatThrownBy(() -> Fault.serverError(404)).hasMessageContaining("500..599");
    assertThatThrownBy(() -> Fault.delay(Duration.ZERO)).hasMessageContaining("delay");
    assertThatThrownBy(() -> FaultProxy.start("x", 0)).hasMessageContaining("upstreamPort");
  }

  private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 5 s");
      }
      Thread.sleep(20);
    }
  }
}
