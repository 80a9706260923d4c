package dev.stephttp.spring;

import dev.stephttp.Event;
import dev.stephttp.Step;
import dev.stephttp.WaitForEvent;
import dev.stephttp.servlet.AsyncResponse;
import dev.stephttp.servlet.FunctionOptions;
import dev.stephttp.servlet.StepHttp;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * The application of the Spring scenarios: Spring MVC on Tomcat, Spring Security with HTTP basic
 * in front of the stephttp filter, and a catch-all exception handler. stephttp itself is
 * configured only by {@code application.properties}.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import({ScenarioApp.Endpoints.class, ScenarioApp.CatchAll.class})
public class ScenarioApp {
  static final String USER = "alice";
  static final String PASSWORD = "wonderland";
  static final Duration NAP = Duration.ofSeconds(1);

  /** How often each handler body ran, by name (re-entries included). */
  @Bean
  Calls calls() {
    return new Calls();
  }

  @Bean
  InMemoryUserDetailsManager users() {
    return new InMemoryUserDetailsManager(User.withUsername(USER).password("{noop}" + PASSWORD).roles("USER").build());
  }

  @Bean
  SecurityFilterChain security(HttpSecurity http) throws Exception {
    http.authorizeHttpRequests(auth -> auth
            .requestMatchers(StepHttpReentryRequestMatcher.create()).permitAll()
            // the output proxy: its token is the credential (README, "Output proxy")
            .requestMatchers("/v1/http/runs/**").permitAll()
            .anyRequest().authenticated())
        .httpBasic(Customizer.withDefaults())
        // CSRF stays on: callers with HTTP basic credentials carry no session to forge, and
        // re-entries (POSTs too) need the exemption the README documents.
        .csrf(csrf -> csrf.ignoringRequestMatchers(StepHttpReentryRequestMatcher.create(),
            request -> request.getHeader("Authorization") != null));
    return http.build();
  }

  /** Counts handler executions. */
  static final class Calls {
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

    void add(String name) {
      counts.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
    }

    int of(String name) {
      AtomicInteger n = counts.get(name);
      return n == null ? 0 : n.get();
    }
  }

  /** A receipt written by Spring's message converters. */
  public record Receipt(String id, int items, String note) {}

  /** The endpoints of the scenarios. */
  @RestController
  static class Endpoints {
    private final Calls calls;

    Endpoints(Calls calls) {
      this.calls = calls;
    }

    @GetMapping("/sync")
    String sync() {
      String greeting = Step.run("greet", String.class, () -> "hello");
      return greeting + " at once";
    }

    @PostMapping("/orders")
    Map<String, String> order(@RequestBody Map<String, String> order) {
      String id = Step.run("create-order", String.class, () -> "order-" + order.get("item"));
      Step.sleep("cool-off", NAP);
      String tracking = Step.run("ship", String.class, () -> "track-" + id);
      return Map.of("orderId", id, "tracking", tracking);
    }

    @PostMapping("/approvals/{id}")
    String approval(@PathVariable("id") String id) {
      Optional<Event> decision = Step.waitForEvent("await-decision",
          WaitForEvent.named("approval/decided").where("data.id", id).timeout(Duration.ofSeconds(60)), Event.class);
      return decision.map(e -> "approved " + id + " by " + e.data().get("by")).orElse("timed out");
    }

    @GetMapping("/receipt")
    Receipt receipt() {
      String id = Step.run("issue", String.class, () -> "r-7");
      Step.sleep("settle", NAP);
      return new Receipt(id, 3, "after the sleep");
    }

    /** Writes its answer itself through {@code getWriter()}: non-ASCII text and a character beyond the BMP. */
    @GetMapping("/letter")
    void letter(jakarta.servlet.http.HttpServletResponse response) throws java.io.IOException {
      String dish = Step.run("choose", String.class, () -> "crème brûlée \uD83C\uDF6E");
      Step.sleep("bake", NAP);
      response.setContentType("text/plain;charset=utf-8");
      response.getWriter().write("served " + dish);
    }

    @GetMapping("/accepted")
    ResponseEntity<String> accepted() {
      Step.sleep("queue", NAP);
      return ResponseEntity.status(HttpStatus.ACCEPTED).header("X-Receipt", "r-42")
          .header("Cache-Control", "no-store").body("accepted later");
    }

    @GetMapping("/story")
    ResponseEntity<String> story() {
      Step.run("intro", String.class, () -> {
        StepHttp.stream().push("once upon");
        return "intro";
      });
      Step.sleep("pause", NAP);
      Step.run("tale", String.class, () -> {
        StepHttp.stream().push("a time");
        return "tale";
      });
      return ResponseEntity.status(HttpStatus.CREATED).header("X-Story", "told").body("the end");
    }

    @GetMapping("/proxied")
    ResponseEntity<String> proxied() {
      StepHttp.configure(FunctionOptions.builder().asyncResponse(AsyncResponse.proxy()).build());
      Step.sleep("queue", NAP);
      return ResponseEntity.status(HttpStatus.ACCEPTED).header("X-Receipt", "r-43").body("proxied later");
    }

    @GetMapping("/swallow")
    String swallow() {
      try {
        Step.sleep("nap", NAP);
      } catch (Throwable t) {
        return "swallowed " + t;
      }
      return "slept through";
    }

    @GetMapping("/rethrow")
    String rethrow() {
      try {
        Step.sleep("nap", NAP);
      } catch (Throwable t) {
        throw new IllegalStateException("caught and wrapped: " + t, t);
      }
      return "slept through";
    }

    @GetMapping("/secure/report")
    String report() {
      // The user is captured in a step: re-entries run without the user's session.
      String user = Step.run("who", String.class, () -> SecurityContextHolder.getContext().getAuthentication().getName());
      Step.sleep("compile", NAP);
      return "report for " + user;
    }

    @GetMapping("/secure/audit")
    String audit() {
      calls.add("audit");
      Step.sleep("audit-nap", NAP);
      return "audited";
    }
  }

  /** Answers every exception with its own 500 and the exception's toString. */
  @RestControllerAdvice
  static class CatchAll {
    private final Calls calls;

    CatchAll(Calls calls) {
      this.calls = calls;
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<String> any(Exception e) {
      calls.add("advice:" + e.getClass().getSimpleName());
      return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR).body(e.toString());
    }
  }
}
