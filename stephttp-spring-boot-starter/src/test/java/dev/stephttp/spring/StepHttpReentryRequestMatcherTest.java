package dev.stephttp.spring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.mock.web.MockHttpServletRequest;

/** The matcher lets through exactly the requests that claim to be re-entries. */
class StepHttpReentryRequestMatcherTest {

  @ParameterizedTest(name = "X-Run-ID={0}, X-Inngest-Signature={1} -> {2}")
  @CsvSource(nullValues = "none", value = {
      "01JB7Q8Z3K9M2N4P6R8T0V1W2X, t=1&s=ab, true",
      "01JB7Q8Z3K9M2N4P6R8T0V1W2X, none, false",
      "none, t=1&s=ab, false",
      "'  ', t=1&s=ab, false",
      "01JB7Q8Z3K9M2N4P6R8T0V1W2X, '', false",
      "none, none, false",
  })
  void matchesOnlyRequestsCarryingBothHeaders(String runId, String signature, boolean expected) {
    MockHttpServletRequest request = new MockHttpServletRequest("POST", "/orders");
    if (runId != null) {
      request.addHeader("X-Run-ID", runId);
    }
    if (signature != null) {
      request.addHeader("X-Inngest-Signature", signature);
    }
    assertThat(StepHttpReentryRequestMatcher.create().matches(request)).isEqualTo(expected);
  }
}
