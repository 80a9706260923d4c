package dev.stephttp.spring;

import dev.stephttp.internal.Execution;
import dev.stephttp.internal.Suspension;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;
import org.springframework.core.Ordered;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.ModelAndView;

/**
 * Keeps Spring MVC's exception handling away from the library's suspension signal. When a handler
 * reaches {@code Step.sleep} or a wait, the signal (an {@code Error}) leaves the handler and
 * {@code DispatcherServlet} wraps it in a {@code ServletException} and offers it to every
 * {@code @ExceptionHandler}: a catch-all one would log it as a failure and write a 500 that the
 * filter then discards. This resolver runs first and sends the signal on to the filter instead,
 * but only when the run has recorded that very suspension and the handler let it through
 * untouched; whatever a handler wrapped itself still reaches the application's handlers.
 * Stateless; thread-safe.
 */
final class SuspensionPassThrough implements HandlerExceptionResolver, Ordered {

  @Override
  public @Nullable ModelAndView resolveException(HttpServletRequest request, HttpServletResponse response,
      @Nullable Object handler, Exception ex) {
    Execution execution = Execution.current();
    Suspension suspension = execution == null ? null : execution.suspension();
    if (suspension != null && ex instanceof ServletException && ex.getCause() == suspension) {
      throw suspension; // back up through DispatcherServlet to the filter, which makes the switch
    }
    return null;
  }

  @Override
  public int getOrder() {
    return Ordered.HIGHEST_PRECEDENCE;
  }
}
