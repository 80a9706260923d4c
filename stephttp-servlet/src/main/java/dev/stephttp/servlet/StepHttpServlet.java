package dev.stephttp.servlet;

import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Objects;

/**
 * Wraps an existing {@link HttpServlet} with the behaviour of {@link StepHttpFilter}, for code that
 * cannot add a filter: {@code new StepHttpServlet(new OrdersServlet(), config)}. Thread-safe as
 * far as the wrapped servlet is.
 */
public final class StepHttpServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  private final transient HttpServlet delegate;
  private final transient StepHttpConfig config;
  private transient volatile DurableRequests durable;

  /** Wraps {@code delegate}; values not set in {@code config} come from the environment. */
  public StepHttpServlet(HttpServlet delegate, StepHttpConfig config) {
    this.delegate = Objects.requireNonNull(delegate, "delegate == null");
    this.config = Objects.requireNonNull(config, "config == null");
  }

  @Override
  public void init(ServletConfig servletConfig) throws ServletException {
    super.init(servletConfig);
    try {
      durable = new DurableRequests(config);
    } catch (RuntimeException e) {
      throw new ServletException("stephttp: invalid configuration: " + e.getMessage(), e);
    }
    delegate.init(servletConfig);
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws ServletException, IOException {
    DurableRequests d = durable;
    if (d == null) {
      throw new ServletException("StepHttpServlet was not initialised (init was not called)");
    }
    d.handle(request, response, delegate::service);
  }

  @Override
  public void destroy() {
    try {
      delegate.destroy();
    } finally {
      DurableRequests d = durable;
      durable = null;
      if (d != null) {
        d.close();
      }
    }
  }

  @Override
  public String getServletInfo() {
    return "stephttp wrapper of " + delegate.getClass().getName();
  }
}
