package dev.stephttp.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.servlet.ServletException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Where re-entries go: the origin settings and their validation at startup. */
class StepHttpConfigTest {
  private static StepHttpConfig.Builder production(Map<String, String> env) {
    return StepHttpConfig.builder().baseUrl("http://127.0.0.1:8288").signingKey("signkey-test-12345678")
        .environment(env);
  }

  @Test
  void outsideDevModeWithoutAnOriginStartupFailsNamingEverySetting() {
    StepHttpConfig config = production(Map.of()).build();
    assertThatThrownBy(config::validate).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("set domain").hasMessageContaining("INNGEST_SERVE_ORIGIN")
        .hasMessageContaining("trustForwardedOrigin=true").hasMessageContaining("Host header");
    assertThatThrownBy(() -> new StepHttpFilter(config).init(null)).isInstanceOf(ServletException.class)
        .hasMessageStartingWith("stephttp: invalid configuration: ").hasMessageContaining("set domain");
  }

  @Test
  void anyOneOriginSettingOrDevModeIsEnough() {
    production(Map.of()).domain("https://api.example.com").build().validate();
    production(Map.of("INNGEST_SERVE_ORIGIN", "https://api.example.com")).build().validate();
    production(Map.of()).trustForwardedOrigin(true).build().validate();
    StepHttpConfig.builder().environment(Map.of("INNGEST_DEV", "1")).build().validate();
  }

  @Test
  void domainIsNormalisedToSchemeHostAndPort() {
    assertThat(origin(production(Map.of()).domain("HTTPS://API.Example.com:8443/").build()))
        .isEqualTo("https://api.example.com:8443");
    assertThat(origin(production(Map.of("INNGEST_SERVE_ORIGIN", " http://10.0.0.5:8080 ")).build()))
        .isEqualTo("http://10.0.0.5:8080");
  }

  @Test
  void configuredDomainWinsOverTheEnvironmentAndForwardedHeaders() {
    StepHttpConfig config = production(Map.of("INNGEST_SERVE_ORIGIN", "https://env.example.com"))
        .domain("https://code.example.com").trustForwardedOrigin(true).build();
    assertThat(origin(config)).isEqualTo("https://code.example.com");
    assertThat(origin(production(Map.of("INNGEST_SERVE_ORIGIN", "https://env.example.com"))
        .trustForwardedOrigin(true).build())).isEqualTo("https://env.example.com");
  }

  @ParameterizedTest
  @ValueSource(strings = {"api.example.com", "ftp://api.example.com", "https://api.example.com/app",
      "https://api.example.com?x=1", "https://user@api.example.com", "https://", "https://api.example.com#f"})
  void domainThatIsNotAnOriginIsRefusedNamingTheSetting(String value) {
    assertThatThrownBy(() -> StepHttpConfig.builder().domain(value)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("domain must be an absolute http(s) origin").hasMessageContaining(value.trim());
    StepHttpConfig fromEnv = production(Map.of("INNGEST_SERVE_ORIGIN", value)).build();
    assertThatThrownBy(fromEnv::validate).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("INNGEST_SERVE_ORIGIN must be an absolute http(s) origin");
  }

  @Test
  void checkpointLingerDefaultsTo20MillisecondsAndRefusesNegativeValues() {
    assertThat(StepHttpConfig.builder().build().checkpointLinger).isEqualTo(Duration.ofMillis(20));
    assertThat(StepHttpConfig.builder().checkpointLinger(Duration.ZERO).build().toBuilder().build().checkpointLinger)
        .isZero();
    assertThatThrownBy(() -> StepHttpConfig.builder().checkpointLinger(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("checkpointLinger must not be negative, was PT-0.001S");
  }

  @Test
  void initParamsReadTheOriginSettings() {
    Map<String, String> params = Map.of("domain", "https://api.example.com/", "trustForwardedOrigin", "true");
    StepHttpConfig config = InitParams.read(params::get, name -> null);
    assertThat(config.domain).isEqualTo("https://api.example.com");
    assertThat(config.trustForwardedOrigin).isTrue();
    assertThatThrownBy(() -> InitParams.read(Map.of("trustForwardedOrigin", "yes")::get, name -> null))
        .hasMessage("trustForwardedOrigin must be true or false, was 'yes'");
  }

  private static String origin(StepHttpConfig config) {
    return config.callbackOrigin(config.clientSettings()).toString();
  }
}
