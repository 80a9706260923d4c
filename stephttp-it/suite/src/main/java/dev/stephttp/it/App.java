package dev.stephttp.it;

import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a {@link Container} deploys at the root context: filters (each for {@code REQUEST}
 * dispatches on one URL pattern) and servlets (each on one URL pattern), all async-supported.
 * Immutable once built.
 */
public final class App {
  /** A filter instance on a URL pattern. */
  public record FilterMount(String name, Filter filter, String pattern) {}

  /** A servlet instance on a URL pattern. */
  public record ServletMount(String name, HttpServlet servlet, String pattern) {}

  private final List<FilterMount> filters;
  private final List<ServletMount> servlets;

  private App(List<FilterMount> filters, List<ServletMount> servlets) {
    this.filters = List.copyOf(filters);
    this.servlets = List.copyOf(servlets);
  }

  /** An empty app. */
  public static Builder builder() {
    return new Builder();
  }

  /** The filters, in the order they apply. */
  public List<FilterMount> filters() {
    return filters;
  }

  /** The servlets. */
  public List<ServletMount> servlets() {
    return servlets;
  }

  /** Collects filters and servlets; not thread-safe. */
  public static final class Builder {
    private final List<FilterMount> filters = new ArrayList<>();
    private final List<ServletMount> servlets = new ArrayList<>();

    private Builder() {}

    /** Adds {@code filter} for {@code pattern} (e.g. {@code /f/*}). */
    public Builder filter(String pattern, Filter filter) {
      filters.add(new FilterMount("filter" + filters.size(), Objects.requireNonNull(filter, "filter == null"), pattern));
      return this;
    }

    /** Adds {@code servlet} on {@code pattern} (e.g. {@code /f/sleep}). */
    public Builder servlet(String pattern, HttpServlet servlet) {
      servlets.add(new ServletMount("servlet" + servlets.size(), Objects.requireNonNull(servlet, "servlet == null"), pattern));
      return this;
    }

    /** The app. */
    public App build() {
      return new App(filters, servlets);
    }
  }
}
