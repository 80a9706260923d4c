package dev.stephttp.examples.spring;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.event.EventListener;

/**
 * A Spring Boot application whose endpoints are durable through the stephttp starter. {@code
 * application.properties} starts the embedded orchestrator, so it runs alone:
 *
 * <pre>
 * ./mvnw -B -q -pl examples-spring-boot -am package -DskipTests
 * java -jar examples-spring-boot/target/stephttp-examples-spring-boot.jar
 * </pre>
 */
@SpringBootApplication
public class ShopApplication {
  private static final Logger log = LoggerFactory.getLogger(ShopApplication.class);

  /** Starts the application. */
  public static void main(String[] args) {
    SpringApplication.run(ShopApplication.class, args);
  }

  /** Prints what to try once the server listens. */
  @EventListener
  void printTryIt(WebServerInitializedEvent event) {
    String app = "http://127.0.0.1:" + event.getWebServer().getPort();
    log.info("""
        try it (curl -L follows the 303 to the run's output, which answers when the run ends):
          curl -s '{}/hello?name=Ada'
          curl -sL -H 'Content-Type: application/json' -d '{"item":"lamp","quantity":2}' {}/orders
          curl -sL -d '' {}/approvals/req-1 &   # waits for the event below
          curl -s -d '{"name":"approval/decided","data":{"requestId":"req-1","by":"Grace"}}' \
               http://127.0.0.1:8288/e/local""", app, app, app);
  }
}
