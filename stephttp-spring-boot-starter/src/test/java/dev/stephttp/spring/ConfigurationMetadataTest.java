package dev.stephttp.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The IDE completion metadata names every property, with a description and its default. */
class ConfigurationMetadataTest {

  @Test
  void everyPropertyIsDescribed() throws IOException {
    Map<String, JsonNode> properties = properties();
    assertThat(properties.keySet()).containsExactlyInAnyOrder(
        "stephttp.enabled", "stephttp.base-url", "stephttp.redirect-base-url", "stephttp.event-base-url",
        "stephttp.signing-key", "stephttp.signing-key-fallback", "stephttp.event-key", "stephttp.dev",
        "stephttp.domain", "stephttp.trust-forwarded-origin", "stephttp.track-all-endpoints", "stephttp.async-response",
        "stephttp.max-buffered-response-bytes", "stephttp.max-captured-request-bytes",
        "stephttp.async-switch-timeout", "stephttp.durable-responses", "stephttp.checkpoint-backpressure-timeout",
        "stephttp.checkpoint-queue-capacity", "stephttp.checkpoint-linger", "stephttp.parallel-step-threads", "stephttp.api-retries.attempts", "stephttp.api-retries.first-delay",
        "stephttp.filter-order", "stephttp.url-patterns", "stephttp.orchestrator.embedded",
        "stephttp.orchestrator.port", "stephttp.orchestrator.database", "stephttp.orchestrator.retry-backoff",
        "stephttp.output-proxy.enabled", "stephttp.output-proxy.cors-origins");
    properties.forEach((name, p) -> assertThat(p.path("description").asText()).as(name)
        .hasSizeGreaterThan(20).doesNotContain("{@"));
  }

  @Test
  void defaultsAreListed() throws IOException {
    Map<String, JsonNode> properties = properties();
    assertThat(properties.get("stephttp.filter-order").path("defaultValue").asInt()).isEqualTo(-90);
    assertThat(properties.get("stephttp.orchestrator.port").path("defaultValue").asInt()).isEqualTo(8288);
    assertThat(properties.get("stephttp.async-switch-timeout").path("defaultValue").asText()).isEqualTo("30s");
    assertThat(properties.get("stephttp.checkpoint-backpressure-timeout").path("defaultValue").asText()).isEqualTo("10s");
    assertThat(properties.get("stephttp.checkpoint-queue-capacity").path("defaultValue").asInt()).isEqualTo(10_000);
    assertThat(properties.get("stephttp.checkpoint-linger").path("defaultValue").asText()).isEqualTo("20ms");
    assertThat(properties.get("stephttp.parallel-step-threads").path("defaultValue").asInt()).isEqualTo(16);
    assertThat(properties.get("stephttp.durable-responses").path("defaultValue").asBoolean(true)).isFalse();
    assertThat(properties.get("stephttp.async-response").path("defaultValue").asText()).isEqualTo("redirect");
    assertThat(properties.get("stephttp.orchestrator.embedded").path("defaultValue").asBoolean(true)).isFalse();
    assertThat(properties.get("stephttp.url-patterns").path("defaultValue").get(0).asText()).isEqualTo("/*");
    assertThat(properties.get("stephttp.max-buffered-response-bytes").path("defaultValue").asText()).isEqualTo("1MB");
  }

  private static Map<String, JsonNode> properties() throws IOException {
    try (InputStream in = StepHttpProperties.class.getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      assertThat(in).as("spring-configuration-metadata.json").isNotNull();
      Map<String, JsonNode> byName = new HashMap<>();
      new ObjectMapper().readTree(in).path("properties").forEach(p -> byName.put(p.path("name").asText(), p));
      return byName;
    }
  }
}
