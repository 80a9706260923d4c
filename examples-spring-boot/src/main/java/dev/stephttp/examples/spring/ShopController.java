package dev.stephttp.examples.spring;

import dev.stephttp.Event;
import dev.stephttp.Step;
import dev.stephttp.WaitForEvent;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Three endpoints: one that answers at once, an order that sleeps (the caller is redirected to
 * the run's output), and an approval that waits for an event. Code outside {@code Step.run}
 * runs again on every re-entry, so side effects live inside steps.
 */
@RestController
class ShopController {
  private final Duration coolOff;
  private final Duration approvalTimeout;

  ShopController(@Value("${shop.cool-off:2s}") Duration coolOff,
      @Value("${shop.approval-timeout:5m}") Duration approvalTimeout) {
    this.coolOff = coolOff;
    this.approvalTimeout = approvalTimeout;
  }

  /** Answers at once: no step here turns the run asynchronous. */
  @GetMapping("/hello")
  Map<String, String> hello(@RequestParam(name = "name", defaultValue = "world") String name) {
    String greeting = Step.run("greet", String.class, () -> "Hello, " + name + "!");
    return Map.of("greeting", greeting);
  }

  /** Creates an order, sleeps, then ships it; the caller follows a 303 to the final 201. */
  @PostMapping("/orders")
  ResponseEntity<Order> order(@RequestBody OrderRequest request) {
    String orderId = Step.run("create-order", String.class, () -> "ord-" + UUID.randomUUID());
    Step.sleep("cool-off", coolOff);
    String tracking = Step.run("ship", String.class, () -> "trk-" + orderId.substring(4, 12));
    return ResponseEntity.status(HttpStatus.CREATED).body(new Order(orderId, request.item(), request.quantity(), tracking));
  }

  /** Files a request and waits for {@code approval/decided} with the same {@code data.requestId}. */
  @PostMapping("/approvals/{requestId}")
  ResponseEntity<Map<String, String>> approval(@PathVariable("requestId") String requestId) {
    String filed = Step.run("file-request", String.class, () -> "filed " + requestId);
    Optional<Event> decision = Step.waitForEvent("await-decision",
        WaitForEvent.named("approval/decided").where("data.requestId", requestId).timeout(approvalTimeout), Event.class);
    if (decision.isEmpty()) {
      return ResponseEntity.status(HttpStatus.REQUEST_TIMEOUT).body(Map.of("requestId", requestId, "status", "timed out"));
    }
    return ResponseEntity.ok(Map.of("requestId", requestId, "status", filed + ", approved by " + decision.get().data().get("by")));
  }

  /** An order as the caller sends it. */
  record OrderRequest(String item, int quantity) {}

  /** The order as shipped. */
  record Order(String orderId, String item, int quantity, String tracking) {}
}
