package dev.stephttp.spring;

import dev.stephttp.orchestrator.Orchestrator;
import dev.stephttp.servlet.OutputProxyServlet;
import dev.stephttp.servlet.StepHttpConfig;
import dev.stephttp.servlet.StepHttpFilter;
import jakarta.servlet.DispatcherType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * Registers the stephttp filter in a servlet web application, configured by {@link
 * StepHttpProperties} and {@link StepHttpConfigCustomizer} beans, and starts the embedded
 * orchestrator when {@code stephttp.orchestrator.embedded=true}. {@code stephttp.enabled=false}
 * turns all of it off.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(StepHttpFilter.class)
@ConditionalOnProperty(prefix = "stephttp", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(StepHttpProperties.class)
public final class StepHttpAutoConfiguration {
  private static final Logger log = LoggerFactory.getLogger(StepHttpAutoConfiguration.class);

  /** Created by Spring. */
  public StepHttpAutoConfiguration() {}

  /**
   * The filter's configuration: the properties, then every customizer; the embedded
   * orchestrator's address when it runs and {@code stephttp.base-url} is unset.
   */
  @Bean
  @ConditionalOnMissingBean
  public StepHttpConfig stepHttpConfig(StepHttpProperties properties,
      ObjectProvider<StepHttpConfigCustomizer> customizers, ObjectProvider<OrchestratorAddress> embedded) {
    StepHttpConfig.Builder builder = ConfigFactory.builder(properties); // checks every value first
    if (ConfigFactory.blankToNull(properties.getBaseUrl()) == null) {
      OrchestratorAddress address = embedded.getIfAvailable();
      if (address != null) {
        builder.baseUrl(address.baseUrl());
      }
    }
    List<StepHttpConfigCustomizer> ordered = customizers.orderedStream().collect(Collectors.toList());
    if (ordered.isEmpty()) {
      ConfigFactory.requireSigningKey(properties, System.getenv());
      ConfigFactory.requireOrigin(properties, System.getenv());
    }
    ordered.forEach(c -> c.customize(builder));
    StepHttpConfig config = builder.build();
    try {
      config.validate(); // here, not at Tomcat's filter init, so the failure names the setting
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new IllegalStateException("stephttp: invalid configuration: " + e.getMessage(), e);
    }
    return config;
  }

  /** The filter on {@code stephttp.url-patterns}, REQUEST dispatches, at {@code stephttp.filter-order}. */
  @Bean
  @ConditionalOnMissingBean(name = "stepHttpFilterRegistration")
  public FilterRegistrationBean<StepHttpFilter> stepHttpFilterRegistration(StepHttpConfig config,
      StepHttpProperties properties) {
    FilterRegistrationBean<StepHttpFilter> registration = new FilterRegistrationBean<>(new StepHttpFilter(config));
    registration.setName("stepHttpFilter");
    registration.setUrlPatterns(ConfigFactory.urlPatterns(properties));
    registration.setDispatcherTypes(DispatcherType.REQUEST);
    registration.setOrder(properties.getFilterOrder());
    registration.setAsyncSupported(true);
    return registration;
  }

  /**
   * The output proxy at {@code /v1/http/runs/*}, when {@code stephttp.output-proxy.enabled=true}
   * or {@code stephttp.async-response=proxy} (whose redirects point there).
   */
  @Bean
  @ConditionalOnMissingBean(name = "stepHttpOutputProxyRegistration")
  @Conditional(OutputProxyWanted.class)
  public ServletRegistrationBean<OutputProxyServlet> stepHttpOutputProxyRegistration(StepHttpConfig config,
      StepHttpProperties properties) {
    List<String> origins = properties.getOutputProxy().getCorsOrigins().stream().map(String::trim)
        .filter(o -> !o.isEmpty()).collect(Collectors.toList());
    for (String origin : origins) {
      if (!origin.equals("*")) {
        ConfigFactory.origin("output-proxy.cors-origins", origin); // names the property if it is not one
      }
    }
    ServletRegistrationBean<OutputProxyServlet> registration = new ServletRegistrationBean<>(
        new OutputProxyServlet(config, Set.copyOf(origins)), "/v1/http/runs/*");
    registration.setName("stepHttpOutputProxy");
    registration.setAsyncSupported(true);
    return registration;
  }

  /** {@code stephttp.output-proxy.enabled=true} or {@code stephttp.async-response=proxy}. */
  static final class OutputProxyWanted extends AnyNestedCondition {
    OutputProxyWanted() {
      super(ConfigurationPhase.REGISTER_BEAN);
    }

    @ConditionalOnProperty(prefix = "stephttp.output-proxy", name = "enabled", havingValue = "true")
    static final class Enabled {}

    @ConditionalOnProperty(prefix = "stephttp", name = "async-response", havingValue = "proxy")
    static final class ProxyRedirects {}
  }

  /** Spring MVC: the suspension signal goes to the filter, not to {@code @ExceptionHandler}s. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.web.servlet.HandlerExceptionResolver")
  static class SpringMvcConfiguration {
    @Bean
    SuspensionPassThrough stepHttpSuspensionPassThrough() {
      return new SuspensionPassThrough();
    }
  }

  /** {@code stephttp.orchestrator.embedded=true} without the orchestrator module: stop, saying why. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnMissingClass("dev.stephttp.orchestrator.Orchestrator")
  @ConditionalOnProperty(prefix = "stephttp.orchestrator", name = "embedded", havingValue = "true")
  static class MissingOrchestratorConfiguration {
    @Bean
    OrchestratorAddress stepHttpEmbeddedOrchestratorAddress() {
      throw ConfigFactory.invalid("orchestrator.embedded", true,
          "the embedded orchestrator needs dev.stephttp:stephttp-orchestrator on the classpath");
    }
  }

  /** The embedded orchestrator, when its module is on the classpath and it is switched on. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "dev.stephttp.orchestrator.Orchestrator")
  @ConditionalOnProperty(prefix = "stephttp.orchestrator", name = "embedded", havingValue = "true")
  static class EmbeddedOrchestratorConfiguration {
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    Orchestrator stepHttpEmbeddedOrchestrator(StepHttpProperties properties) {
      return start(properties.getOrchestrator(), properties, System.getenv());
    }

    @Bean
    OrchestratorAddress stepHttpEmbeddedOrchestratorAddress(Orchestrator orchestrator) {
      return new OrchestratorAddress(orchestrator.baseUrl());
    }

    static Orchestrator start(StepHttpProperties.EmbeddedOrchestrator o, StepHttpProperties p,
        Map<String, String> env) {
      if (o.getPort() < 0 || o.getPort() > 65535) {
        throw ConfigFactory.invalid("orchestrator.port", o.getPort(), "must be in 0..65535 (0 picks a free port)");
      }
      Orchestrator.Builder b = Orchestrator.builder().port(o.getPort());
      if (o.getDatabase() != null) {
        b.database(o.getDatabase());
      } else {
        b.inMemoryStore();
      }
      Duration backoff = o.getRetryBackoff();
      if (backoff != null) {
        if (backoff.isNegative()) {
          throw ConfigFactory.invalid("orchestrator.retry-backoff", backoff, "must not be negative");
        }
        b.retryBackoff(backoff);
      }
      boolean dev = ConfigFactory.isDev(p, env);
      b.dev(dev);
      String key = first(p.getSigningKey(), env.get("INNGEST_SIGNING_KEY"));
      if (key != null) {
        b.signingKey(key);
      } else if (!dev) {
        throw ConfigFactory.invalid("signing-key", null, "the embedded orchestrator needs the signing key"
            + " (stephttp.signing-key or INNGEST_SIGNING_KEY), or stephttp.dev=true");
      }
      String fallback = first(p.getSigningKeyFallback(), env.get("INNGEST_SIGNING_KEY_FALLBACK"));
      if (fallback != null) {
        b.signingKeyFallback(fallback);
      }
      String eventKey = first(p.getEventKey(), env.get("INNGEST_EVENT_KEY"));
      if (eventKey != null) {
        b.eventKey(eventKey);
      }
      Orchestrator orchestrator;
      try {
        orchestrator = b.start();
      } catch (RuntimeException e) {
        throw new IllegalStateException("stephttp: the embedded orchestrator did not start on 127.0.0.1:"
            + o.getPort() + " (stephttp.orchestrator.port, stephttp.orchestrator.database): " + e.getMessage(), e);
      }
      log.info("stephttp embedded orchestrator: API at {}, dashboard at {}/ ({}; for local development only)",
          orchestrator.baseUrl(), orchestrator.baseUrl(),
          o.getDatabase() == null ? "runs kept in a temporary database" : "database " + o.getDatabase());
      if (p.getBaseUrl() != null) {
        log.info("stephttp.base-url is set ({}): the filter talks to it, not to the embedded orchestrator",
            p.getBaseUrl());
      }
      return orchestrator;
    }

    private static String first(String a, String b) {
      String v = ConfigFactory.blankToNull(a);
      return v != null ? v : ConfigFactory.blankToNull(b);
    }
  }
}
