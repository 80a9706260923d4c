package dev.stephttp.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.stephttp.orchestrator.Orchestrator;
import dev.stephttp.servlet.OutputProxyServlet;
import dev.stephttp.servlet.StepHttpConfig;
import dev.stephttp.servlet.StepHttpFilter;
import jakarta.servlet.DispatcherType;
import java.net.ConnectException;
import java.net.Socket;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.core.annotation.Order;

/** What the auto-configuration registers, and how bad properties fail startup. */
class StepHttpAutoConfigurationTest {
  private static final String KEY = "stephttp.signing-key=signkey-test-00112233445566778899aabbccddeeff";

  private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(StepHttpAutoConfiguration.class))
      .withPropertyValues("stephttp.domain=https://app.example.com");

  @Test
  void registersTheFilterOnEveryPathAfterSpringSecurity() {
    runner.withPropertyValues(KEY).run(context -> {
      FilterRegistrationBean<?> registration = context.getBean("stepHttpFilterRegistration", FilterRegistrationBean.class);
      assertThat(registration.getFilter()).isInstanceOf(StepHttpFilter.class);
      assertThat(registration.getUrlPatterns()).containsExactly("/*");
      assertThat(registration.determineDispatcherTypes()).isEqualTo(EnumSet.of(DispatcherType.REQUEST));
      // Spring Security's filter chain is registered at -100 (SecurityFilterProperties.DEFAULT_FILTER_ORDER).
      assertThat(registration.getOrder()).isEqualTo(StepHttpProperties.DEFAULT_FILTER_ORDER).isGreaterThan(-100);
      assertThat(registration.isAsyncSupported()).isTrue();
    });
  }

  @Test
  void proxyRedirectsRegisterTheOutputProxyAndOtherwiseItIsAbsent() {
    runner.withPropertyValues(KEY, "stephttp.async-response=proxy").run(context -> {
      ServletRegistrationBean<?> proxy = context.getBean("stepHttpOutputProxyRegistration", ServletRegistrationBean.class);
      assertThat(proxy.getServlet()).isInstanceOf(OutputProxyServlet.class);
      assertThat(proxy.getUrlMappings()).containsExactly("/v1/http/runs/*");
      assertThat(proxy.isAsyncSupported()).isTrue();
      assertThat(context.getBean(StepHttpConfig.class).toString()).contains("AsyncResponse.proxy()");
    });
    runner.withPropertyValues(KEY, "stephttp.output-proxy.enabled=true",
        "stephttp.output-proxy.cors-origins=https://shop.example.com, *").run(context ->
        assertThat(context).hasBean("stepHttpOutputProxyRegistration"));
    runner.withPropertyValues(KEY).run(context -> assertThat(context).doesNotHaveBean(ServletRegistrationBean.class));
  }

  @Test
  void aCorsOriginThatIsNotAnOriginFailsStartupNamingTheProperty() {
    runner.withPropertyValues(KEY, "stephttp.output-proxy.enabled=true",
        "stephttp.output-proxy.cors-origins=https://shop.example.com/path").run(context -> {
          assertThat(context).hasFailed();
          Throwable root = rootCause(context.getStartupFailure());
          assertThat(root).isInstanceOf(InvalidConfigurationPropertyValueException.class);
          assertThat(((InvalidConfigurationPropertyValueException) root).getName())
              .isEqualTo("stephttp.output-proxy.cors-origins");
        });
  }

  @Test
  void orderAndUrlPatternsAreProperties() {
    runner.withPropertyValues(KEY, "stephttp.filter-order=42", "stephttp.url-patterns=/api/*,/orders").run(context -> {
      FilterRegistrationBean<?> registration = context.getBean(FilterRegistrationBean.class);
      assertThat(registration.getOrder()).isEqualTo(42);
      assertThat(registration.getUrlPatterns()).containsExactly("/api/*", "/orders");
    });
  }

  @Test
  void disabledRegistersNothing() {
    runner.withPropertyValues("stephttp.enabled=false").run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context).doesNotHaveBean(FilterRegistrationBean.class);
      assertThat(context).doesNotHaveBean(StepHttpConfig.class);
    });
  }

  @Test
  void propertiesReachTheConfiguration() {
    runner.withPropertyValues(KEY, "stephttp.base-url=http://127.0.0.1:9999", "stephttp.track-all-endpoints=true",
        "stephttp.async-response=token", "stephttp.max-buffered-response-bytes=2048",
        "stephttp.max-captured-request-bytes=4KB", "stephttp.domain=https://api.example.com",
        "stephttp.durable-responses=true", "stephttp.checkpoint-backpressure-timeout=3s",
        "stephttp.checkpoint-queue-capacity=500", "stephttp.checkpoint-linger=5ms",
        "stephttp.parallel-step-threads=3").run(context -> {
          String config = context.getBean(StepHttpConfig.class).toString();
          assertThat(config).contains("baseUrl=http://127.0.0.1:9999", "trackAllEndpoints=true",
              "AsyncResponse.token()", "maxBufferedResponseBytes=2048", "maxCapturedRequestBytes=4096",
              "domain=https://api.example.com", "signingKey=set", "durableResponses=true",
              "checkpointBackpressureTimeout=PT3S", "checkpointQueueCapacity=500", "checkpointLinger=PT0.005S",
              "parallelStepThreads=3");
          assertThat(config).doesNotContain("signkey-test");
        });
  }

  @Test
  void customizersRunInOrderAfterTheProperties() {
    runner.withPropertyValues(KEY, "stephttp.base-url=http://127.0.0.1:9999")
        .withBean("second", StepHttpConfigCustomizer.class, () -> new Second())
        .withBean("first", StepHttpConfigCustomizer.class, () -> new First())
        .run(context -> assertThat(context.getBean(StepHttpConfig.class).toString())
            .contains("baseUrl=http://127.0.0.1:2222", "trackAllEndpoints=true"));
  }

  @Test
  void customizerMaySupplyTheSigningKey() {
    runner.withBean(StepHttpConfigCustomizer.class, () -> b -> b.signingKey("signkey-test-from-a-vault"))
        .run(context -> assertThat(context.getBean(StepHttpConfig.class).toString()).contains("signingKey=set"));
  }

  @Test
  void applicationsOwnConfigurationWins() {
    StepHttpConfig own = StepHttpConfig.builder().dev(true).baseUrl("http://127.0.0.1:7777").build();
    runner.withBean(StepHttpConfig.class, () -> own)
        .run(context -> assertThat(context.getBean(StepHttpConfig.class)).isSameAs(own));
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(delimiter = '|', value = {
      "stephttp.base-url|not a url",
      "stephttp.base-url|ftp://127.0.0.1:8288",
      "stephttp.base-url|http://",
      "stephttp.redirect-base-url|127.0.0.1:8288",
      "stephttp.event-base-url|mailto:ops@example.com",
      "stephttp.domain|api.example.com",
      "stephttp.domain|https://api.example.com/app",
      "stephttp.domain|https://api.example.com?x=1",
      "stephttp.max-buffered-response-bytes|-5",
      "stephttp.max-captured-request-bytes|0",
      "stephttp.max-buffered-response-bytes|4GB",
      "stephttp.async-switch-timeout|0s",
      "stephttp.checkpoint-backpressure-timeout|-1s",
      "stephttp.checkpoint-queue-capacity|0",
      "stephttp.checkpoint-linger|-1ms",
      "stephttp.api-retries.attempts|0",
      "stephttp.api-retries.first-delay|-1s",
      "stephttp.url-patterns|orders",
  })
  void badValueFailsStartupNamingTheProperty(String property, String value) {
    runner.withPropertyValues(KEY, property + "=" + value).run(context -> {
      assertThat(context).hasFailed();
      Throwable root = rootCause(context.getStartupFailure());
      assertThat(root).isInstanceOf(InvalidConfigurationPropertyValueException.class);
      assertThat(((InvalidConfigurationPropertyValueException) root).getName()).isEqualTo(property);
      assertThat(root.getMessage()).contains(property);
    });
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(delimiter = '|', value = {
      "stephttp.async-response|bogus",
      "stephttp.max-buffered-response-bytes|lots",
      "stephttp.async-switch-timeout|soon",
      "stephttp.dev|maybe",
  })
  void unconvertibleValueFailsStartupNamingTheProperty(String property, String value) {
    runner.withPropertyValues(KEY, property + "=" + value).run(context -> {
      assertThat(context).hasFailed();
      assertThat(messages(context.getStartupFailure())).contains("'" + property + "'");
    });
  }

  @Test
  void missingSigningKeyOutsideDevModeFailsStartupNamingTheProperty() {
    // Only when INNGEST_SIGNING_KEY / INNGEST_DEV are not set for the build itself.
    assumeTrue(System.getenv("INNGEST_SIGNING_KEY") == null
        && System.getenv("INNGEST_DEV") == null);
    runner.run(context -> {
      assertThat(context).hasFailed();
      Throwable root = rootCause(context.getStartupFailure());
      assertThat(((InvalidConfigurationPropertyValueException) root).getName()).isEqualTo("stephttp.signing-key");
    });
    runner.withPropertyValues("stephttp.dev=true").run(context -> assertThat(context).hasNotFailed());
  }

  @Test
  void missingOriginOutsideDevModeFailsStartupNamingTheProperties() {
    // Only when INNGEST_SERVE_ORIGIN / INNGEST_DEV are not set for the build itself.
    assumeTrue(System.getenv("INNGEST_SERVE_ORIGIN") == null && System.getenv("INNGEST_DEV") == null);
    runner.withPropertyValues(KEY, "stephttp.domain=").run(context -> {
      assertThat(context).hasFailed();
      Throwable root = rootCause(context.getStartupFailure());
      assertThat(((InvalidConfigurationPropertyValueException) root).getName()).isEqualTo("stephttp.domain");
      assertThat(root).hasMessageContaining("INNGEST_SERVE_ORIGIN")
          .hasMessageContaining("stephttp.trust-forwarded-origin=true");
    });
    runner.withPropertyValues(KEY, "stephttp.domain=", "stephttp.trust-forwarded-origin=true")
        .run(context -> assertThat(context.getBean(StepHttpConfig.class).toString())
            .contains("domain=null", "trustForwardedOrigin=true"));
    runner.withPropertyValues("stephttp.domain=", "stephttp.dev=true").run(context -> assertThat(context).hasNotFailed());
  }

  @Test
  void customizerMaySupplyTheDomain() {
    runner.withPropertyValues(KEY, "stephttp.domain=")
        .withBean(StepHttpConfigCustomizer.class, () -> b -> b.domain("https://from-code.example.com"))
        .run(context -> assertThat(context.getBean(StepHttpConfig.class).toString())
            .contains("domain=https://from-code.example.com"));
  }

  @Test
  void embeddedOrchestratorIsOffByDefault() {
    runner.withPropertyValues(KEY).run(context -> assertThat(context).doesNotHaveBean(Orchestrator.class));
  }

  @Test
  void embeddedOrchestratorBecomesTheBaseUrlAndClosesWithTheContext() {
    int[] port = new int[1];
    runner.withPropertyValues(KEY, "stephttp.orchestrator.embedded=true", "stephttp.orchestrator.port=0").run(context -> {
      Orchestrator orchestrator = context.getBean(Orchestrator.class);
      port[0] = orchestrator.port();
      assertThat(context.getBean(StepHttpConfig.class).toString()).contains("baseUrl=" + orchestrator.baseUrl());
      try (Socket reachable = new Socket("127.0.0.1", port[0])) {
        assertThat(reachable.isConnected()).isTrue();
      }
    });
    assertThatThrownBy(() -> new Socket("127.0.0.1", port[0]).close()).isInstanceOf(ConnectException.class);
  }

  @Test
  void explicitBaseUrlWinsOverTheEmbeddedOrchestrator() {
    runner.withPropertyValues(KEY, "stephttp.orchestrator.embedded=true", "stephttp.orchestrator.port=0",
        "stephttp.base-url=http://127.0.0.1:9999").run(context -> {
          assertThat(context).hasSingleBean(Orchestrator.class);
          assertThat(context.getBean(StepHttpConfig.class).toString()).contains("baseUrl=http://127.0.0.1:9999");
        });
  }

  @Test
  void embeddedOrchestratorPortOutOfRangeFailsStartupNamingTheProperty() {
    runner.withPropertyValues(KEY, "stephttp.orchestrator.embedded=true", "stephttp.orchestrator.port=70000")
        .run(context -> {
          Throwable root = rootCause(context.getStartupFailure());
          assertThat(((InvalidConfigurationPropertyValueException) root).getName()).isEqualTo("stephttp.orchestrator.port");
        });
  }

  @Test
  void embeddedSwitchWithoutTheOrchestratorModuleFailsStartupNamingTheProperty() {
    runner.withClassLoader(new FilteredClassLoader("dev.stephttp.orchestrator"))
        .withPropertyValues(KEY, "stephttp.orchestrator.embedded=true")
        .run(context -> {
          Throwable root = rootCause(context.getStartupFailure());
          assertThat(((InvalidConfigurationPropertyValueException) root).getName())
              .isEqualTo("stephttp.orchestrator.embedded");
          assertThat(root).hasMessageContaining("stephttp-orchestrator");
        });
    runner.withClassLoader(new FilteredClassLoader("dev.stephttp.orchestrator")).withPropertyValues(KEY)
        .run(context -> assertThat(context).hasBean("stepHttpFilterRegistration"));
  }

  @Test
  void worksWithoutSpringSecurityOnTheClasspath() {
    runner.withClassLoader(new FilteredClassLoader("org.springframework.security")).withPropertyValues(KEY)
        .run(context -> assertThat(context).hasBean("stepHttpFilterRegistration"));
  }

  @Order(1)
  static final class First implements StepHttpConfigCustomizer {
    @Override
    public void customize(StepHttpConfig.Builder builder) {
      builder.baseUrl("http://127.0.0.1:1111").trackAllEndpoints(true);
    }
  }

  @Order(2)
  static final class Second implements StepHttpConfigCustomizer {
    @Override
    public void customize(StepHttpConfig.Builder builder) {
      builder.baseUrl("http://127.0.0.1:2222");
    }
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
