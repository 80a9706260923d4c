package dev.stephttp.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stephttp.orchestrator.management.Dashboard;
import okhttp3.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The dashboard's static files are served at / with content types and security headers. */
@Timeout(30)
class DashboardServingTest {
  static Orchestrator orch;

  @BeforeAll
  static void start() {
    orch = Orchestrator.builder().port(0).inMemoryStore().signingKey(Api.KEY).start();
  }

  @AfterAll
  static void stop() {
    orch.close();
  }

  static Http.Result get(String path) {
    return Http.execute(new Request.Builder().url(orch.baseUrl() + path).build());
  }

  @Test
  void rootServesIndexHtmlWithACspThatAllowsSameOriginScripts() {
    Http.Result r = get("/");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("Content-Type")).startsWith("text/html");
    assertThat(r.body()).containsIgnoringCase("<html");
    assertThat(r.header("Content-Security-Policy")).contains("script-src 'self'")
        .contains("style-src 'self'").contains("frame-ancestors 'none'");
    assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(r.header("X-Frame-Options")).isEqualTo("DENY");
    assertThat(r.header("Cache-Control")).isEqualTo("no-cache");
  }

  @Test
  void assetsGetTheirContentTypes() {
    if (Dashboard.has("/app.js")) {
      Http.Result js = get("/app.js");
      assertThat(js.status()).isEqualTo(200);
      assertThat(js.header("Content-Type")).startsWith("text/javascript");
    }
    if (Dashboard.has("/app.css")) {
      assertThat(get("/app.css").header("Content-Type")).startsWith("text/css");
    }
    assertThat(get("/dashboard/").status()).isEqualTo(200);
    assertThat(get("/no-such-file.js").status()).isEqualTo(404);
    assertThat(get("/../pom.xml").status()).isEqualTo(404);
    // API routes are not shadowed
    assertThat(get("/api/v2/health").status()).isEqualTo(200);
    assertThat(get("/health").status()).isEqualTo(200);
  }
}
