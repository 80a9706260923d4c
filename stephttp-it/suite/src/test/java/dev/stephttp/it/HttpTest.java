package dev.stephttp.it;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The leak check every response of the suite goes through. */
class HttpTest {
  private static Http.Reply reply(String body) {
    return new Http.Reply(500, Map.of(), body);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "dev.stephttp.internal.Suspension: suspended at Sleep s",
      "caught Suspension",
      "boom\n\tat dev.example.Handler.handle(Handler.java:12)",
      "jakarta.servlet.ServletException: Filter execution threw an exception",
      "<h1>HTTP Status 500</h1><p>java.lang.IllegalStateException: declined once</p>",
      "{\"error\":\"org.apache.catalina.connector.ClientAbortException\"}",
      "failed: java.lang.StackOverflowError"})
  void bodyNamingInternalsOrThrowablesFailsTheScenario(String body) {
    assertThatThrownBy(() -> Http.assertNoInternals("GET /x", reply(body))).isInstanceOf(AssertionError.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "slept a-x b-x", "refused: card reported stolen",
      "{\"errors\":[{\"code\":\"handler_failed\",\"message\":\"The request handler failed\"}]}",
      "NonRetriableException is a simple name, not a qualified one", "see www.example.com/Error"})
  void ordinaryBodiesPass(String body) {
    assertThatCode(() -> Http.assertNoInternals("GET /x", reply(body))).doesNotThrowAnyException();
  }
}
