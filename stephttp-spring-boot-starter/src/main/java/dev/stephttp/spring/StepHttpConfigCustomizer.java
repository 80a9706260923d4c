package dev.stephttp.spring;

import dev.stephttp.servlet.StepHttpConfig;

/**
 * Changes the auto-configured {@link StepHttpConfig} in code: every bean of this type is applied,
 * in {@code @Order}, to a builder already holding the {@code stephttp.*} properties, before the
 * configuration is built. Use it for what properties cannot express, such as {@code
 * AsyncResponse.custom(...)}, or a key read from a secret store.
 *
 * <pre>{@code
 * @Bean
 * StepHttpConfigCustomizer tokenAnswers() {
 *   return builder -> builder.defaultAsyncResponse(AsyncResponse.token());
 * }
 * }</pre>
 *
 * <p>Implementations are called once, on the thread that creates the application context.
 */
@FunctionalInterface
public interface StepHttpConfigCustomizer {
  /** Adjusts the builder; values set here win over the properties. */
  void customize(StepHttpConfig.Builder builder);
}
