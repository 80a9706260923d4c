package dev.stephttp.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stephttp.orchestrator.Orchestrator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.Credentials;
import okhttp3.Headers;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.web.servlet.AbstractFilterRegistrationBean;
import org.springframework.context.ApplicationContext;

/**
 * stephttp in a Spring Boot application (Spring MVC on Tomcat, Spring Security in front of the
 * filter, a catch-all {@code @RestControllerAdvice}), configured only by {@code
 * application.properties}, against the embedded orchestrator that the starter starts on a free
 * port, with a real signing key.
 */
@SpringBootTest(classes = ScenarioApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SpringScenariosIT {
  private static final MediaType JSON = MediaType.get("application/json");
  private static final ObjectMapper MAPPER = new ObjectMapper();
  /** What no answer may show: the suspension signal, its wrappers, or a stack trace. */
  private static final List<String> INTERNALS = List.of(
      "dev.stephttp.internal", "Suspension", "ServletException", "\tat ", "at dev.stephttp", "at org.springframework");

  private final OkHttpClient http = new OkHttpClient.Builder().followRedirects(false)
      .readTimeout(30, TimeUnit.SECONDS).callTimeout(60, TimeUnit.SECONDS).build();

  @Value("${local.server.port}")
  int port;
  @Autowired
  Orchestrator orchestrator;
  @Autowired
  ApplicationContext context;
  @Autowired
  ScenarioApp.Calls calls;
  @Value("${stephttp.signing-key}")
  String signingKey;
  @Value("${stephttp.event-key}")
  String eventKey;

  @Test
  void filterIsOrderedAfterSpringSecuritysFilterChain() {
    Map<String, AbstractFilterRegistrationBean> registrations = context.getBeansOfType(AbstractFilterRegistrationBean.class);
    assertThat(registrations.get("stepHttpFilterRegistration").getOrder())
        .isGreaterThan(registrations.get("securityFilterChainRegistration").getOrder());
  }

  @Test
  void syncEndpointAnswersAtOnce() throws IOException {
    Answer a = call(user(get("/sync")));
    assertThat(a.code).isEqualTo(200);
    assertThat(a.body).isEqualTo("hello at once");
    assertThat(a.headers.get("X-Run-ID")).isNotBlank();
  }

  @Test
  void sleepingOrderRedirectsToItsFinalAnswer() throws IOException {
    Answer first = call(user(post("/orders", "{\"item\":\"lamp\"}")));
    assertThat(first.code).isEqualTo(303);
    assertThat(first.headers.get("Location")).startsWith(orchestrator.baseUrl() + "/v1/http/runs/");
    Answer last = follow(first);
    assertThat(last.code).isEqualTo(200);
    JsonNode body = MAPPER.readTree(last.body);
    assertThat(body.path("orderId").asText()).isEqualTo("order-lamp");
    assertThat(body.path("tracking").asText()).isEqualTo("track-order-lamp");
  }

  @Test
  void eventWaitResumesWhenTheEventArrives() throws IOException {
    Answer first = call(user(post("/approvals/a-17", "")));
    assertThat(first.code).isEqualTo(303);
    String event = "{\"name\":\"approval/decided\",\"data\":{\"id\":\"a-17\",\"by\":\"carol\"}}";
    try (Response r = http.newCall(new Request.Builder().url(orchestrator.baseUrl() + "/e/" + eventKey)
        .post(RequestBody.create(event, JSON)).build()).execute()) {
      assertThat(r.code()).isEqualTo(200);
    }
    Answer last = follow(first);
    assertThat(last.code).isEqualTo(200);
    assertThat(last.body).isEqualTo("approved a-17 by carol");
  }

  @Test
  void restControllerObjectIsWrittenByMessageConvertersAfterTheSleep() throws IOException {
    Answer first = call(user(get("/receipt")));
    assertThat(first.code).isEqualTo(303);
    Answer last = follow(first);
    assertThat(last.code).isEqualTo(200);
    assertThat(last.headers.get("Content-Type")).startsWith("application/json");
    JsonNode body = MAPPER.readTree(last.body);
    assertThat(body.path("id").asText()).isEqualTo("r-7");
    assertThat(body.path("items").asInt()).isEqualTo(3);
    assertThat(body.path("note").asText()).isEqualTo("after the sleep");
  }

  @Test
  void aControllerWritingThroughGetWriterIsAnsweredWithItsTextAfterTheSleep() throws IOException {
    Answer first = call(user(get("/letter")));
    assertThat(first.code).isEqualTo(303);
    Answer last = follow(first);
    assertThat(last.code).isEqualTo(200);
    assertThat(last.headers.get("Content-Type")).startsWith("text/plain");
    assertThat(last.body).isEqualTo("served crème brûlée \uD83C\uDF6E");
  }

  @Test
  void responseEntityKeepsItsStatusAndHeadersAcrossTheSleep() throws IOException {
    Answer first = call(user(get("/accepted")));
    assertThat(first.code).isEqualTo(303);
    Answer last = follow(first);
    assertThat(last.code).isEqualTo(202);
    assertThat(last.headers.get("X-Receipt")).isEqualTo("r-42");
    assertThat(last.headers.get("Cache-Control")).isEqualTo("no-store");
    assertThat(last.body).isEqualTo("accepted later");
  }

  /**
   * Streaming through Spring MVC: the caller that asks for text/event-stream gets the sync phase's
   * chunk and the redirect to the realtime relay, which relays the re-entry's chunk and the
   * controller's final ResponseEntity.
   */
  @Test
  void aControllerStreamsAcrossTheSleepThroughTheRealtimeRelay() throws IOException {
    Answer direct = call(user(get("/story")).header("Accept", "text/event-stream"));
    assertThat(direct.code).isEqualTo(200);
    assertThat(direct.headers.get("Content-Type")).startsWith("text/event-stream");
    List<String[]> events = sse(direct.body);
    assertThat(events.stream().map(e -> e[0]).toList()).containsExactly("inngest.metadata", "inngest.stream",
        "inngest.commit", "inngest.redirect_info");
    assertThat(MAPPER.readTree(events.get(1)[1]).path("data").asText()).isEqualTo("once upon");
    String relay = MAPPER.readTree(events.get(3)[1]).path("url").asText();
    assertThat(relay).startsWith(orchestrator.baseUrl() + "/v1/realtime/sse?token=");
    List<String[]> later = sse(call(new Request.Builder().url(relay)).body);
    assertThat(later.stream().filter(e -> e[0].equals("inngest.stream")).toList()).hasSize(1);
    JsonNode answer = MAPPER.readTree(later.get(later.size() - 1)[1]);
    assertThat(later.get(later.size() - 1)[0]).isEqualTo("inngest.response");
    assertThat(answer.at("/response/statusCode").asInt()).isEqualTo(201);
    assertThat(answer.at("/response/headers/x-story").asText()).isEqualTo("told");
    assertThat(answer.at("/response/body").asText()).isEqualTo("the end");
  }

  /** {@code [event name, data]} of each SSE event of {@code body}. */
  private static List<String[]> sse(String body) {
    List<String[]> out = new ArrayList<>();
    for (String block : body.split("\n\n")) {
      String name = null;
      String data = null;
      for (String line : block.split("\n")) {
        if (line.startsWith("event: ")) {
          name = line.substring(7);
        } else if (line.startsWith("data: ")) {
          data = line.substring(6);
        }
      }
      if (name != null) {
        out.add(new String[] {name, data});
      }
    }
    return out;
  }

  @Test
  void theOutputProxyServesTheFinalAnswerOnTheAppsOwnOrigin() throws IOException {
    Answer first = call(user(get("/proxied")));
    assertThat(first.code).isEqualTo(303);
    String location = first.headers.get("Location");
    assertThat(location).startsWith("/v1/http/runs/").contains("/output?token=");
    Answer last = call(get(location)); // no credentials: the token is the credential
    assertThat(last.code).isEqualTo(202);
    assertThat(last.headers.get("X-Receipt")).isEqualTo("r-43");
    assertThat(last.body).isEqualTo("proxied later");
    Answer forged = call(get(location.replaceFirst("token=.", "token=x")));
    assertThat(forged.code).isEqualTo(401);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/swallow", "/rethrow"})
  void catchingThrowableAroundTheSleepCannotStopTheAsyncSwitch(String path) throws IOException {
    Answer first = call(user(get(path)));
    assertThat(first.code).as("the handler's own answer or the advice's 500 must not escape").isEqualTo(303);
    Answer last = follow(first);
    assertThat(last.code).isEqualTo(200);
    assertThat(last.body).isEqualTo("slept through");
  }

  @Test
  void exceptionHandlersAreNotOfferedTheSuspensionSignal() throws IOException {
    Answer first = call(user(get("/receipt")));
    assertThat(first.code).isEqualTo(303);
    assertThat(calls.of("advice:ServletException")).isZero();
    follow(first);
  }

  @Test
  void adviceAnsweringAWrappedSignalCannotStopTheAsyncSwitch() throws IOException {
    // /rethrow wraps the signal itself, so the catch-all advice does receive it and writes a 500.
    int before = calls.of("advice:IllegalStateException");
    Answer first = call(user(get("/rethrow")));
    assertThat(first.code).isEqualTo(303);
    assertThat(calls.of("advice:IllegalStateException")).isEqualTo(before + 1);
    assertThat(follow(first).body).isEqualTo("slept through");
  }

  @Test
  void authenticatedUsersSleepingRequestCompletesWithTheIdentityCapturedInAStep() throws IOException {
    Answer first = call(user(get("/secure/report")));
    assertThat(first.code).isEqualTo(303);
    Answer last = follow(first);
    assertThat(last.code).isEqualTo(200);
    assertThat(last.body).isEqualTo("report for " + ScenarioApp.USER);
  }

  @Test
  void unauthenticatedRequestIsRejectedBeforeAnyRunStarts() throws IOException {
    Answer a = call(get("/secure/audit"));
    assertThat(a.code).isEqualTo(401);
    assertThat(a.headers.get("Location")).isNull();
    assertThat(calls.of("audit")).isZero();
    assertThat(runPaths()).doesNotContain("/secure/audit");
  }

  @Test
  void wrongPasswordIsRejectedBeforeAnyRunStarts() throws IOException {
    Answer a = call(get("/secure/audit").header("Authorization", Credentials.basic(ScenarioApp.USER, "guess")));
    assertThat(a.code).isEqualTo(401);
    assertThat(calls.of("audit")).isZero();
  }

  @Test
  void forgedReentryIsAnswered401WithoutRunningTheHandler() throws IOException {
    Answer a = call(get("/secure/audit")
        .header("X-Run-ID", "01JB7Q8Z3K9M2N4P6R8T0V1W2X")
        .header("X-Inngest-Signature", "t=1754906400&s=0000deadbeef"));
    assertThat(a.code).isEqualTo(401);
    assertThat(a.headers.get("x-inngest-no-retry")).isEqualTo("true");
    assertThat(calls.of("audit")).isZero();
    assertThat(runPaths()).doesNotContain("/secure/audit");
  }

  // --- helpers

  private record Answer(int code, Headers headers, String body) {}

  private Request.Builder get(String path) {
    return new Request.Builder().url("http://127.0.0.1:" + port + path);
  }

  private Request.Builder post(String path, String json) {
    return get(path).post(RequestBody.create(json, JSON));
  }

  private static Request.Builder user(Request.Builder request) {
    return request.header("Authorization", Credentials.basic(ScenarioApp.USER, ScenarioApp.PASSWORD));
  }

  /** Sends the request; every answer is checked for internals. */
  private Answer call(Request.Builder request) throws IOException {
    try (Response r = http.newCall(request.build()).execute()) {
      Answer a = new Answer(r.code(), r.headers(), r.body().string());
      for (String internal : INTERNALS) {
        assertThat(a.body).as("answer %d of %s", a.code, r.request().url()).doesNotContain(internal);
      }
      return a;
    }
  }

  /** Follows the redirect to the run-output URL, which answers once the run has finished. */
  private Answer follow(Answer redirect) throws IOException {
    return call(new Request.Builder().url(redirect.headers.get("Location")));
  }

  private List<String> runPaths() throws IOException {
    try (Response r = http.newCall(new Request.Builder().url(orchestrator.baseUrl() + "/api/v2/runs?limit=100")
        .header("Authorization", "Bearer " + signingKey).build()).execute()) {
      assertThat(r.code()).isEqualTo(200);
      List<String> paths = new ArrayList<>();
      MAPPER.readTree(r.body().string()).path("data").forEach(run -> paths.add(run.path("request").path("path").asText()));
      return paths;
    }
  }
}
