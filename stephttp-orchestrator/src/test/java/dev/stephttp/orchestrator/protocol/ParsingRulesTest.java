package dev.stephttp.orchestrator.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import okhttp3.HttpUrl;
import org.junit.jupiter.api.Test;

/**
 * Protocol routes: duplicate and trailing slashes are collapsed. A create-run's re-entry URL is
 * checked with a per-domain memory that answers what a full parse answers.
 */
class ParsingRulesTest {

  @Test
  void routesCollapseDuplicateAndTrailingSlashes() {
    assertThat(ProtocolServlet.normalise("//v1//checkpoint/")).isEqualTo("/v1/checkpoint");
    assertThat(ProtocolServlet.normalise("/")).isEqualTo("/");
    assertThat(ProtocolServlet.normalise("")).isEqualTo("/");
  }

  @Test
  void theRememberedDomainAnswersWhatAFullParseAnswers() {
    String[] domains = {"http://127.0.0.1:8080", "https://app.example.com", "http://h", "http:",
        "http://h:", "http://h:99999", "http://[::1]", "http://[::1", "http://h ", " http://h",
        "http://h?q=1", "http://h#f", "http://h/base", "ftp://h", "", "http://a b", "http://h\t",
        "http://h%", "http://user@h"};
    String[] paths = {"", "/", "/x", "//evil.example/x", "/a b", "/%zz", "/\u0000", "/é?x#y",
        "x", ":80/x", "//", "?q", "#f", " /x", "/x ", "/\\h"};
    String[] queries = {"", "a=1", "a b"};
    for (int round = 0; round < 2; round++) { // the second round answers from memory
      for (String d : domains) {
        for (String p : paths) {
          for (String q : queries) {
            String url = d + p;
            if (!q.isEmpty()) {
              url += (url.contains("?") ? "&" : "?") + q;
            }
            assertThat(RunRequests.isHttpUrl(d, p, url))
                .as("domain [%s] path [%s] query [%s]", d, p, q)
                .isEqualTo(HttpUrl.parse(url) != null);
          }
        }
      }
    }
  }
}
