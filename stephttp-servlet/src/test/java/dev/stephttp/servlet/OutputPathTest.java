package dev.stephttp.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.http.HttpServletRequest;
import java.lang.reflect.Proxy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which requests the filter leaves to the run-output proxy: {@code <context>/v1/http/runs/{runId}/output}. */
class OutputPathTest {
  private static HttpServletRequest request(String contextPath, String uri) {
    return (HttpServletRequest) Proxy.newProxyInstance(OutputPathTest.class.getClassLoader(),
        new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> switch (method.getName()) {
          case "getContextPath" -> contextPath;
          case "getRequestURI" -> uri;
          default -> throw new UnsupportedOperationException(method.getName());
        });
  }

  @ParameterizedTest
  @CsvSource({
      "'', /v1/http/runs/01J0000000000000000000000A/output, true",
      "/app, /app/v1/http/runs/01J0000000000000000000000A/output, true",
      "'', /v1/http/runs/output, true",
      "'', /v1/http/runs/01J0000000000000000000000A/outputs, false",
      "'', /v1/http/runs/01J0000000000000000000000A, false",
      "'', /orders/output, false",
      "'', /app/v1/http/runs/01J0000000000000000000000A/output, false",
      "/app, /v1/http/runs/01J0000000000000000000000A/output, false",
      "/a/very/long/context/path/that/is/longer, /output, false",
  })
  void onlyTheProxysRouteUnderTheContextPathIsLeftAlone(String contextPath, String uri, boolean output) {
    assertThat(OutputProxyServlet.isOutputPath(request(contextPath, uri))).isEqualTo(output);
  }
}
