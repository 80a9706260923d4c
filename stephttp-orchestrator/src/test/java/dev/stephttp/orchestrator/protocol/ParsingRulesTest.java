package dev.stephttp.orchestrator.protocol;

import static org.assertj.core.api.Assertions.assertThat;


import org.junit.jupiter.api.Test;

/** Protocol routes: duplicate and trailing slashes are collapsed. */
class ParsingRulesTest {

  @Test
  void routesCollapseDuplicateAndTrailingSlashes() {
    assertThat(ProtocolServlet.normalise("//v1//checkpoint/")).isEqualTo("/v1/checkpoint");
    assertThat(ProtocolServlet.normalise("/")).isEqualTo("/");
    assertThat(ProtocolServlet.normalise("")).isEqualTo("/");
  }
}
