package dev.stephttp.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stephttp.orchestrator.Orchestrator;
import dev.stephttp.servlet.StepHttpConfig;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The three ways to use stephttp, each against the real orchestrator: the filter in web.xml, the
 * servlet wrapper, and programmatic registration (acceptance item 5 of the library issue).
 */
class UsageStylesIT {
  static final String KEY = "signkey-test-0123456789abcdef0123456789abcdef";
  final OkHttpClient http = new OkHttpClient.Builder().followRedirects(false)
      .callTimeout(60, TimeUnit.SECONDS).readTimeout(60, TimeUnit.SECONDS).build();
  Orchestrator orchestrator;
  Server server;
  String app;

  @BeforeEach
  void startOrchestrator() {
    orchestrator = Orchestrator.builder().port(0).inMemoryStore().signingKey(KEY).eventKey("ek")
        .retryBackoff(Duration.ofMillis(200)).start();
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.stop();
    }
    orchestrator.close();
  }

  private void startApp(String style) throws Exception {
    StepHttpConfig.Builder config = StepHttpConfig.builder().baseUrl(orchestrator.baseUrl()).signingKey(KEY);
    server = switch (style) {
      case "webxml" -> ExampleApps.webXml("127.0.0.1", 0, orchestrator.baseUrl(), KEY);
      case "wrapped" -> ExampleApps.wrappedServlets("127.0.0.1", 0, config);
      case "programmatic" -> ExampleApps.programmaticFilter("127.0.0.1", 0, config);
      default -> throw new IllegalArgumentException(style);
    };
    app = "http://127.0.0.1:" + ExampleApps.port(server);
  }

  @ParameterizedTest
  @ValueSource(strings = {"webxml", "wrapped", "programmatic"})
  void syncAndSleepingRunsWork(String style) throws Exception {
    startApp(style);
    try (Response r = http.newCall(new Request.Builder().url(app + "/greet?name=Grace").build()).execute()) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.header("X-Run-ID")).isNotBlank();
      assertThat(r.body().string()).isEqualTo("{\"greeting\":\"Hello, dear Grace!\"}");
    }
    try (Response r = http.newCall(new Request.Builder().url(app + "/quotes?sku=lamp").build()).execute()) {
      assertThat(r.code()).isEqualTo(200); // parallel steps answer in the request
      JsonNode body = Json.MAPPER.readTree(r.body().string());
      assertThat(body.path("fastFreight").asInt()).isEqualTo(11);
      assertThat(body.path("cheapPost").asInt()).isEqualTo(8);
      assertThat(body.path("priceFrom").asText()).isIn("price-from-cache", "price-from-catalog");
    }

    String location;
    try (Response r = http.newCall(new Request.Builder().url(app + "/orders?coolOff=0.2s")
        .post(RequestBody.create("{\"item\":\"lamp\",\"quantity\":3}", MediaType.get("application/json")))
        .build()).execute()) {
      assertThat(r.code()).isEqualTo(303);
      location = r.header("Location");
      assertThat(location).startsWith(orchestrator.baseUrl() + "/v1/http/runs/" + r.header("X-Run-ID") + "/output?token=");
    }
    try (Response r = http.newCall(new Request.Builder().url(location).build()).execute()) {
      assertThat(r.code()).isEqualTo(201);
      JsonNode body = Json.MAPPER.readTree(r.body().string());
      String order = body.path("orderId").asText();
      assertThat(body.path("item").asText()).isEqualTo("lamp");
      assertThat(body.path("tracking").asText()).isEqualTo("trk_" + order.substring(4));
      assertThat(r.header("Location")).isEqualTo("/orders/" + order);
      assertThat(OrderServlet.EXECUTIONS.get(order + "/create-order").get()).isEqualTo(1);
      assertThat(OrderServlet.EXECUTIONS.get(order + "/ship").get()).isEqualTo(1);
    }
  }
}
