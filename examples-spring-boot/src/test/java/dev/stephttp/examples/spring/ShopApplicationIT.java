package dev.stephttp.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stephttp.orchestrator.Orchestrator;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The example application as it ships, with its embedded orchestrator, end to end over real
 * sockets. Only what a test must change is overridden: free ports, a shorter sleep, and a real
 * signing key (with the origin of re-entries) instead of the example's dev mode.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "stephttp.orchestrator.port=0",
    "stephttp.dev=false",
    "stephttp.signing-key=signkey-test-9a8b7c6d5e4f30211203948576afbecd",
    "stephttp.event-key=shop-test",
    // Outside dev mode the origin re-entries go to must be known; the random port is chosen after
    // the filter is configured, so the test takes it from each request (which has no proxy headers).
    "stephttp.trust-forwarded-origin=true",
    "shop.cool-off=1s",
    "spring.main.banner-mode=off",
})
class ShopApplicationIT {
  private static final MediaType JSON = MediaType.get("application/json");
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final OkHttpClient http = new OkHttpClient.Builder().followRedirects(false)
      .readTimeout(30, TimeUnit.SECONDS).callTimeout(60, TimeUnit.SECONDS).build();

  @Value("${local.server.port}")
  int port;
  @Autowired
  Orchestrator orchestrator;

  @Test
  void helloAnswersAtOnce() throws IOException {
    try (Response r = http.newCall(new Request.Builder().url(app("/hello?name=Ada")).build()).execute()) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(MAPPER.readTree(r.body().string()).path("greeting").asText()).isEqualTo("Hello, Ada!");
    }
  }

  @Test
  void orderSleepsThenAnswersThroughTheRedirect() throws IOException {
    String location;
    try (Response r = http.newCall(new Request.Builder().url(app("/orders"))
        .post(RequestBody.create("{\"item\":\"lamp\",\"quantity\":2}", JSON)).build()).execute()) {
      assertThat(r.code()).isEqualTo(303);
      location = r.header("Location");
    }
    assertThat(location).startsWith(orchestrator.baseUrl() + "/v1/http/runs/");
    try (Response r = http.newCall(new Request.Builder().url(location).build()).execute()) {
      assertThat(r.code()).isEqualTo(201);
      JsonNode order = MAPPER.readTree(r.body().string());
      assertThat(order.path("orderId").asText()).startsWith("ord-");
      assertThat(order.path("item").asText()).isEqualTo("lamp");
      assertThat(order.path("quantity").asInt()).isEqualTo(2);
      assertThat(order.path("tracking").asText()).isEqualTo("trk-" + order.path("orderId").asText().substring(4, 12));
    }
  }

  @Test
  void approvalWaitsForItsEvent() throws IOException {
    String location;
    try (Response r = http.newCall(new Request.Builder().url(app("/approvals/req-7"))
        .post(RequestBody.create("", null)).build()).execute()) {
      assertThat(r.code()).isEqualTo(303);
      location = r.header("Location");
    }
    String event = "{\"name\":\"approval/decided\",\"data\":{\"requestId\":\"req-7\",\"by\":\"Grace\"}}";
    try (Response r = http.newCall(new Request.Builder().url(orchestrator.baseUrl() + "/e/shop-test")
        .post(RequestBody.create(event, JSON)).build()).execute()) {
      assertThat(r.code()).isEqualTo(200);
    }
    try (Response r = http.newCall(new Request.Builder().url(location).build()).execute()) {
      assertThat(r.code()).isEqualTo(200);
      JsonNode body = MAPPER.readTree(r.body().string());
      assertThat(body.path("status").asText()).isEqualTo("filed req-7, approved by Grace");
    }
  }

  private String app(String path) {
    return "http://127.0.0.1:" + port + path;
  }
}
