package dev.stephttp.examples;

import dev.stephttp.LazyStep;
import dev.stephttp.RaceResult;
import dev.stephttp.Step;
import dev.stephttp.StepResults;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;

/**
 * {@code GET /quotes?sku=X}: parallel steps. Two carriers are asked at once ({@code Step.all}),
 * then two price sources race ({@code Step.race}); each step is recorded as it finishes.
 */
public final class QuotesServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String sku = req.getParameter("sku") == null ? "book" : req.getParameter("sku");
    LazyStep<Integer> fast = Step.lazy("quote-fast-freight", Integer.class, () -> 7 + sku.length());
    LazyStep<Integer> cheap = Step.lazy("quote-cheap-post", Integer.class, () -> 4 + sku.length());
    StepResults quotes = Step.all(fast, cheap);

    LazyStep<Integer> cache = Step.lazy("price-from-cache", Integer.class, () -> 20);
    LazyStep<Integer> catalog = Step.lazy("price-from-catalog", Integer.class, () -> 21);
    RaceResult price = Step.race(cache, catalog);

    Json.write(resp, 200, Map.of("fastFreight", quotes.get(fast), "cheapPost", quotes.get(cheap),
        "price", price.won(cache) ? price.get(cache) : price.get(catalog), "priceFrom", price.winner().id()));
  }
}
