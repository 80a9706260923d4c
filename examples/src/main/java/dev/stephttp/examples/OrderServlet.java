package dev.stephttp.examples;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stephttp.Step;
import dev.stephttp.servlet.FunctionOptions;
import dev.stephttp.servlet.StepHttp;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code POST /orders} with {@code {"item": "...", "quantity": n}}: creates an order, waits a
 * cool-off period ({@code ?coolOff=2s}, default 2 s) and ships it. The sleep turns the request
 * asynchronous: the caller is redirected to a URL that answers with the {@code 201} below once
 * the orchestrator has re-entered the handler after the cool-off.
 */
public final class OrderServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  /** How often each step's body really ran, per order (each must be exactly once). */
  public static final Map<String, AtomicInteger> EXECUTIONS = new ConcurrentHashMap<>();

  @Override
  protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    StepHttp.configure(FunctionOptions.builder().id("POST /orders").retries(3).build());
    JsonNode body = Json.MAPPER.readTree(req.getInputStream());
    String item = body.path("item").asText("");
    int quantity = body.path("quantity").asInt(1);
    if (item.isEmpty() || quantity < 1) {
      Json.write(resp, 400, Map.of("error", "item and a positive quantity are required"));
      return;
    }
    Duration coolOff = Duration.parse("PT" + (req.getParameter("coolOff") == null ? "2s" : req.getParameter("coolOff")));

    String orderId = Step.run("create-order", String.class, () -> {
      String id = "ord_" + UUID.randomUUID().toString().substring(0, 8);
      count(id + "/create-order");
      return id;
    });
    Step.sleep("cool-off", coolOff);
    String tracking = Step.run("ship", String.class, () -> {
      count(orderId + "/ship");
      return "trk_" + orderId.substring(4);
    });
    resp.setHeader("Location", "/orders/" + orderId);
    Json.write(resp, 201, Map.of("orderId", orderId, "item", item, "quantity", quantity, "tracking", tracking));
  }

  private static void count(String key) {
    EXECUTIONS.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
  }
}
