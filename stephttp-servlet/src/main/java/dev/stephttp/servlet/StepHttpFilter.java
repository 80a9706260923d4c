package dev.stephttp.servlet;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Objects;

/**
 * Makes the endpoints behind it durable: {@code Step.run} inside their handlers records each
 * step, and a handler that reaches {@code Step.sleep}, {@code Step.waitForEvent} or a retried
 * failure answers its caller asynchronously while the orchestrator finishes the run.
 *
 * <p>HEAD, OPTIONS and TRACE requests are not durable: they pass through without a run, as if the
 * filter were absent ({@code Step.run} just calls its function), except that an asynchronous step
 * in them is answered {@code 405}, and so is a re-entry with one of these methods (with {@code
 * x-inngest-no-retry: true}).
 *
 * <p>Construct it with a {@link StepHttpConfig}, or declare it in {@code web.xml}, where the
 * no-argument constructor reads init-params named like the builder methods ({@code baseUrl},
 * {@code redirectBaseUrl}, {@code eventBaseUrl}, {@code signingKey}, {@code signingKeyFallback},
 * {@code eventKey}, {@code dev}, {@code domain}, {@code trustForwardedOrigin}, {@code
 * trackAllEndpoints}, {@code asyncResponse}
 * = {@code redirect|proxy|token}, {@code maxBufferedResponseBytes}, {@code maxCapturedRequestBytes})
 * (else context-params {@code stephttp.<name>}) and then the environment. Thread-safe.
 */
public final class StepHttpFilter implements Filter {
  private final StepHttpConfig explicit;
  private volatile DurableRequests durable;

  /** A filter configured from web.xml init-params and the environment. */
  public StepHttpFilter() {
    this.explicit = null;
  }

  /** A filter with a programmatic configuration (values not set come from the environment). */
  public StepHttpFilter(StepHttpConfig config) {
    this.explicit = Objects.requireNonNull(config, "config == null");
  }

  @Override
  public void init(FilterConfig filterConfig) throws ServletException {
    try {
      StepHttpConfig config = explicit != null ? explicit : InitParams.read(filterConfig::getInitParameter,
          filterConfig.getServletContext()::getInitParameter);
      durable = new DurableRequests(config);
    } catch (RuntimeException e) {
      throw new ServletException("stephttp: invalid configuration: " + e.getMessage(), e);
    }
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    DurableRequests d = durable;
    if (d == null) {
      throw new ServletException("StepHttpFilter was not initialised (init was not called)");
    }
    if (!(request instanceof HttpServletRequest) || !(response instanceof HttpServletResponse)) {
      chain.doFilter(request, response);
      return;
    }
    d.handle((HttpServletRequest) request, (HttpServletResponse) response, chain::doFilter);
  }

  /** Sends the remaining checkpoints (up to 10 s) and releases the filter's threads. */
  @Override
  public void destroy() {
    DurableRequests d = durable;
    durable = null;
    if (d != null) {
      d.close();
    }
  }
}
