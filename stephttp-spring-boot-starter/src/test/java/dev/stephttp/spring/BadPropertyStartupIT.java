package dev.stephttp.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/** The scenario application does not start with a bad {@code stephttp.*} value, and says which. */
class BadPropertyStartupIT {

  @Test
  void malformedBaseUrlFailsStartupNamingTheProperty() {
    Throwable failure = start("stephttp.base-url=http//127.0.0.1:8288");
    Throwable root = rootCause(failure);
    assertThat(root).isInstanceOf(InvalidConfigurationPropertyValueException.class)
        .hasMessageContaining("stephttp.base-url").hasMessageContaining("http//127.0.0.1:8288");
  }

  @Test
  void unknownAsyncResponseFailsStartupNamingTheProperty() {
    Throwable failure = start("stephttp.async-response=bogus");
    assertThat(messages(failure)).contains("'stephttp.async-response'");
  }

  @Test
  void negativeBufferLimitFailsStartupNamingTheProperty() {
    Throwable failure = start("stephttp.max-buffered-response-bytes=-5");
    assertThat(rootCause(failure)).isInstanceOf(InvalidConfigurationPropertyValueException.class)
        .hasMessageContaining("stephttp.max-buffered-response-bytes");
  }

  /**
   * A customizer's values can only be checked when the container starts the filter
   * (StepHttpConfig has no accessors): startup still fails, but the reason is in Tomcat's log.
   */
  @Test
  void customizersBadValueStopsStartup() {
    Throwable failure = catchThrowable(() -> {
      try (ConfigurableApplicationContext ignored = new SpringApplicationBuilder(ScenarioApp.class, BadCustomizer.class)
          .run("--server.port=0", "--server.address=127.0.0.1", "--stephttp.orchestrator.embedded=false",
              "--logging.level.org.springframework.boot.SpringApplication=OFF",
              "--logging.level.org.apache.catalina=OFF")) {
        // started: the assertion below fails
      }
    });
    assertThat(failure).isNotNull();
    assertThat(messages(failure)).contains("baseUrl must be an absolute http(s) URL, was 'not-a-url'");
  }

  /** A customizer that sets a base URL the library rejects. */
  static class BadCustomizer {
    @Bean
    StepHttpConfigCustomizer badBaseUrl() {
      return b -> b.baseUrl("not-a-url");
    }
  }

  private static Throwable start(String badProperty) {
    Throwable failure = catchThrowable(() -> {
      // Command-line arguments, so that they win over application.properties.
      try (ConfigurableApplicationContext ignored = new SpringApplicationBuilder(ScenarioApp.class)
          .run("--server.port=0", "--server.address=127.0.0.1", "--stephttp.orchestrator.embedded=false",
              "--logging.level.org.springframework.boot.SpringApplication=OFF",
              "--logging.level.org.springframework.boot.diagnostics=OFF",
              "--logging.level.org.springframework.boot.tomcat=OFF", "--" + badProperty)) {
        // started: the assertion below fails
      }
    });
    assertThat(failure).as("startup with " + badProperty).isNotNull();
    return failure;
  }

  private static Throwable rootCause(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    return c;
  }

  private static String messages(Throwable t) {
    StringBuilder sb = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      sb.append(c.getMessage()).append('\n');
    }
    return sb.toString();
  }
}
