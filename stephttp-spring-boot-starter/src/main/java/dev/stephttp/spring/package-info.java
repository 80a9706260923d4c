/**
 * Spring Boot auto-configuration of stephttp: {@code stephttp.*} properties, the {@code
 * StepHttpConfig} bean and its customizers, the filter registration, the pass-through of the
 * suspension signal past Spring MVC exception handlers, the re-entry matcher for
 * Spring Security, and the embedded orchestrator for local development. Everything is non-null
 * unless marked {@code @Nullable}.
 */
@NullMarked
package dev.stephttp.spring;

import org.jspecify.annotations.NullMarked;
