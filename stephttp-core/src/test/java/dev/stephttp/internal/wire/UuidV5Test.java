package dev.stephttp.internal.wire;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class UuidV5Test {
  private static final UUID APP = UUID.fromString("9ffc093b-9320-5c47-9d50-c8d7947613fd");

  @Test
  void constantsHaveTheSpecifiedValues() {
    assertThat(UuidV5.OID).hasToString("6ba7b812-9dad-11d1-80b4-00c04fd430c8");
    assertThat(UuidV5.DEV_ENV).hasToString("00000000-0000-4000-b000-000000000000");
  }

  @Test
  void appIdMatchesAppendixA() {
    assertThat(UuidV5.appId(UuidV5.DEV_ENV, "http://localhost:3000")).isEqualTo(APP);
  }

  @Test
  void functionIdMatchesAppendixA() {
    assertThat(UuidV5.functionId(APP, "GET /api/hello"))
        .hasToString("1704f22c-f0a0-569a-ae08-53c927c1b8d7");
  }

  @Test
  void ofMatchesTheRfc4122Algorithm() {
    // Reference values from Python's uuid.uuid5.
    assertThat(UuidV5.of(UuidV5.OID, "hello".getBytes(UTF_8)))
        .hasToString("4d71d03f-f19b-5d9e-8523-9628ba18063c");
    UUID dns = UUID.fromString("6ba7b810-9dad-11d1-80b4-00c04fd430c8");
    assertThat(UuidV5.of(dns, "python.org".getBytes(UTF_8)))
        .hasToString("886313e1-3b8a-5372-9b90-0c9aee199e5d");
  }

  @Test
  void resultIsVersion5WithRfc4122Variant() {
    UUID id = UuidV5.appId(UuidV5.DEV_ENV, "https://api.example.com");
    assertThat(id.version()).isEqualTo(5);
    assertThat(id.variant()).isEqualTo(2);
  }

  @Test
  void differsFromJavasVersion3NameUuid() {
    byte[] name = "hello".getBytes(UTF_8);
    assertThat(UuidV5.of(UuidV5.OID, name)).isNotEqualTo(UUID.nameUUIDFromBytes(name));
  }

  @Test
  void environmentChangesTheAppId() {
    UUID other = UUID.fromString("00000000-0000-4000-b000-000000000001");
    assertThat(UuidV5.appId(other, "http://localhost:3000")).isNotEqualTo(APP);
  }
}
