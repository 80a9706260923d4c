package dev.stephttp.spring;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * Matches the orchestrator's re-entries: requests carrying both {@code X-Run-ID} and {@code
 * X-Inngest-Signature}. Re-entries carry no user credentials, so let them through Spring Security:
 *
 * <pre>{@code
 * http.authorizeHttpRequests(auth -> auth
 *         .requestMatchers(StepHttpReentryRequestMatcher.create()).permitAll()
 *         .anyRequest().authenticated())
 *     .csrf(csrf -> csrf.ignoringRequestMatchers(StepHttpReentryRequestMatcher.create()));
 * }</pre>
 *
 * <p>That is safe because the stephttp filter, which runs after Spring Security, verifies the
 * signature of every request this matcher lets through and answers {@code 401} without running
 * the handler when it does not verify. A handler that needs the user's identity must capture it
 * in a step before its first sleep or wait: the step's recorded value is replayed on each
 * re-entry, which runs without the user's session. Immutable; thread-safe.
 */
public final class StepHttpReentryRequestMatcher implements RequestMatcher {
  private static final StepHttpReentryRequestMatcher INSTANCE = new StepHttpReentryRequestMatcher();

  private StepHttpReentryRequestMatcher() {}

  /** The matcher. */
  public static StepHttpReentryRequestMatcher create() {
    return INSTANCE;
  }

  @Override
  public boolean matches(HttpServletRequest request) {
    return present(request.getHeader("X-Run-ID")) && present(request.getHeader("X-Inngest-Signature"));
  }

  private static boolean present(String value) {
    return value != null && !value.isBlank();
  }

  @Override
  public String toString() {
    return "StepHttpReentryRequestMatcher[X-Run-ID and X-Inngest-Signature]";
  }
}
