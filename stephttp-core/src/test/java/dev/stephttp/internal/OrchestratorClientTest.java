package dev.stephttp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.stephttp.internal.wire.SigningKeys;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The orchestrator client against a real HTTP server on an ephemeral loopback port. */
@Timeout(30)
class OrchestratorClientTest {
  static final String PRIMARY = "signkey-test-12345678";
  static final String FALLBACK = "signkey-test-abcdef01";
  static final int CALLS = 32;
  static final String RUN_ID = "01J9Z3K6W8T6M0V2Q4R5S7X8Y9";

  final ExecutorService serverThreads = Executors.newCachedThreadPool();
  final ExecutorService callers = Executors.newFixedThreadPool(CALLS);
  final AtomicInteger refused = new AtomicInteger();
  final List<String> bearers = new CopyOnWriteArrayList<>();
  /** Opens once every caller's first request (with the primary key) has arrived. */
  final CountDownLatch allRefusalsPending = new CountDownLatch(CALLS);
  HttpServer server;
  OrchestratorClient client;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::acceptOnlyTheFallbackKey);
    server.setExecutor(serverThreads);
    server.start();
    String url = "http://127.0.0.1:" + server.getAddress().getPort();
    client = new OrchestratorClient(new ClientSettings(url, url, PRIMARY, FALLBACK, null, null, false, 1,
        Duration.ZERO, Duration.ofSeconds(20), 1, 16));
  }

  @AfterEach
  void stop() {
    client.close();
    callers.shutdownNow();
    server.stop(0);
    serverThreads.shutdownNow();
  }

  private void acceptOnlyTheFallbackKey(HttpExchange ex) throws IOException {
    ex.getRequestBody().readAllBytes();
    String bearer = ex.getRequestHeaders().getFirst("Authorization");
    bearers.add(bearer);
    if (("Bearer " + SigningKeys.hashedBearer(FALLBACK)).equals(bearer)) {
      send(ex, 200, "{}");
      return;
    }
    refused.incrementAndGet();
    // Refuse the primary key to all callers at once, so that their switches race.
    allRefusalsPending.countDown();
    try {
      allRefusalsPending.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    send(ex, 401, "{\"error\":\"unauthorized\",\"data\":null,\"status\":401}");
  }

  private static void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Test
  void concurrentRefusalsOfThePrimaryKeySwitchToTheFallbackOnceAndForAll() throws Exception {
    // Regression: each refused call flipped the key, so a late one flipped back to the primary
    // key and its retry was refused again.
    List<Future<?>> calls = new ArrayList<>();
    for (int i = 0; i < CALLS; i++) {
      calls.add(callers.submit(() -> client.actions(RUN_ID)));
    }
    List<Throwable> failures = new ArrayList<>();
    for (Future<?> call : calls) {
      try {
        call.get(20, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        failures.add(e.getCause());
      }
    }
    assertThat(failures).isEmpty();
    assertThat(refused).hasValue(CALLS);

    int before = bearers.size();
    assertThat(client.actions(RUN_ID)).isEmpty();
    assertThat(bearers.subList(before, bearers.size()))
        .containsExactly("Bearer " + SigningKeys.hashedBearer(FALLBACK));
    assertThat(refused).hasValue(CALLS);
  }
}
