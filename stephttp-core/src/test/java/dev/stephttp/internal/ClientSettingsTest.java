package dev.stephttp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ClientSettingsTest {
  static final ClientSettings.Overrides NONE = ClientSettings.Overrides.NONE;

  @Test
  void cloudModeNeedsASigningKeyAndSaysWhichVariableToSet() {
    assertThatThrownBy(() -> ClientSettings.resolve(NONE, Map.of()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("INNGEST_SIGNING_KEY");
  }

  @Test
  void cloudDefaults() {
    ClientSettings s = ClientSettings.resolve(NONE, Map.of("INNGEST_SIGNING_KEY", "signkey-prod-abcd"));
    assertThat(s.dev()).isFalse();
    assertThat(s.baseUrl()).isEqualTo("https://api.inngest.com");
    assertThat(s.eventBaseUrl()).isEqualTo("https://inn.gs");
    assertThat(s.signingKey()).isEqualTo("signkey-prod-abcd");
    assertThat(s.eventKey()).isNull();
  }

  @Test
  void inngestDevFlagsAndUrls() {
    assertThat(ClientSettings.resolve(NONE, Map.of("INNGEST_DEV", "1")).baseUrl()).isEqualTo("http://127.0.0.1:8288");
    assertThat(ClientSettings.resolve(NONE, Map.of("INNGEST_DEV", "true")).dev()).isTrue();
    ClientSettings url = ClientSettings.resolve(NONE, Map.of("INNGEST_DEV", "http://localhost:9999/"));
    assertThat(url.dev()).isTrue();
    assertThat(url.baseUrl()).isEqualTo("http://localhost:9999");
    assertThat(url.eventBaseUrl()).isEqualTo("http://localhost:9999");
    assertThat(url.eventKey()).isEqualTo("NO_EVENT_KEY_SET");
    assertThatThrownBy(() -> ClientSettings.resolve(NONE, Map.of("INNGEST_DEV", "0")))
        .hasMessageContaining("INNGEST_SIGNING_KEY");
  }

  @Test
  void explicitValuesWinOverTheEnvironment() {
    Map<String, String> env = Map.of("INNGEST_DEV", "1", "INNGEST_BASE_URL", "http://env:1",
        "INNGEST_API_BASE_URL", "http://api-env:2", "INNGEST_SIGNING_KEY", "signkey-test-01",
        "INNGEST_SIGNING_KEY_FALLBACK", "signkey-test-02", "INNGEST_EVENT_KEY", "ek", "INNGEST_ENV", "branch-1");
    ClientSettings fromEnv = ClientSettings.resolve(NONE, env);
    assertThat(fromEnv.baseUrl()).isEqualTo("http://api-env:2");
    assertThat(fromEnv.eventBaseUrl()).isEqualTo("http://env:1");
    assertThat(fromEnv.signingKeyFallback()).isEqualTo("signkey-test-02");
    assertThat(fromEnv.eventKey()).isEqualTo("ek");
    assertThat(fromEnv.env()).isEqualTo("branch-1");
    ClientSettings explicit = ClientSettings.resolve(
        new ClientSettings.Overrides("http://mine:3", null, "signkey-test-03", null, "mine", false), env);
    assertThat(explicit.dev()).isFalse();
    assertThat(explicit.baseUrl()).isEqualTo("http://mine:3");
    assertThat(explicit.eventBaseUrl()).isEqualTo("http://mine:3");
    assertThat(explicit.signingKey()).isEqualTo("signkey-test-03");
    assertThat(explicit.eventKey()).isEqualTo("mine");
  }

  @Test
  void invalidUrlsAreRejected() {
    assertThatThrownBy(() -> ClientSettings.resolve(
        new ClientSettings.Overrides("localhost:8288", null, null, null, null, true), Map.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("baseUrl");
    assertThatThrownBy(() -> ClientSettings.resolve(
        new ClientSettings.Overrides("ftp://x", null, null, null, null, true), Map.of()))
        .hasMessageContaining("http or https");
  }

  @Test
  void toStringHidesKeys() {
    ClientSettings s = ClientSettings.resolve(NONE, Map.of("INNGEST_SIGNING_KEY", "signkey-prod-deadbeef"));
    assertThat(s.toString()).doesNotContain("deadbeef").contains("signingKey=set");
  }
}
