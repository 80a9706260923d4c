package dev.stephttp.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.time.Instant;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Signing properties over generated inputs (a fixed seed, so a failure reproduces), and a
 * coverage-guided fuzz test over the same properties ({@code JAZZER_FUZZ=1} fuzzes; a normal test
 * run replays the committed corpus).
 */
class SignaturePropertiesTest {
  private static final long NOW = 1_700_000_000L;

  record Case(byte[] message, String key, long unixSeconds) {}

  static Stream<Case> cases() {
    Random random = new Random(20261127L);
    return IntStream.range(0, 300).mapToObj(i -> {
      byte[] message = new byte[random.nextInt(i < 10 ? 2 : 512)];
      random.nextBytes(message);
      StringBuilder key = new StringBuilder();
      for (int k = random.nextInt(80) + 1; k > 0; k--) {
        key.append((char) (random.nextInt(0x2FF) + 1));
      }
      return new Case(message, key.toString(), (long) (random.nextDouble() * 10_000_000_000L));
    });
  }

  @ParameterizedTest
  @MethodSource("cases")
  void signedMessagesVerifyAndHaveTheWireShape(Case c) {
    String header = Signatures.sign(c.key(), c.message(), c.unixSeconds());

    assertThat(header).matches("t=" + c.unixSeconds() + "&s=[0-9a-f]{64}");
    assertThat(Signatures.verify(header, c.message(), c.key(), Instant.ofEpochSecond(c.unixSeconds()),
        Signatures.DEFAULT_SKEW)).isTrue();
  }

  @ParameterizedTest
  @MethodSource("cases")
  void aChangedByteOrAnotherKeyFailsVerification(Case c) {
    byte[] message = c.message().length == 0 ? new byte[] {7} : c.message();
    String header = Signatures.sign(c.key(), message, NOW);
    byte[] tampered = message.clone();
    tampered[tampered.length / 2] ^= 1;

    assertThat(Signatures.verify(header, tampered, c.key(), Instant.ofEpochSecond(NOW), Signatures.DEFAULT_SKEW))
        .isFalse();
    assertThat(Signatures.verify(header, message, c.key() + "x", Instant.ofEpochSecond(NOW), Signatures.DEFAULT_SKEW))
        .isFalse();
  }

  @FuzzTest(maxDuration = "20s")
  void verificationAcceptsOnlyWhatWasSigned(FuzzedDataProvider data) {
    String key = data.consumeString(80) + "k";
    String hostileHeader = data.consumeString(200);
    byte[] message = data.consumeRemainingAsBytes();
    Instant now = Instant.ofEpochSecond(NOW);

    // Whatever a caller sends as the header, verification answers; it never throws.
    boolean forged = Signatures.verify(hostileHeader, message, key, now, Signatures.DEFAULT_SKEW);
    assertThat(forged).isEqualTo(hostileHeader.equals(Signatures.sign(key, message, NOW)));
    String header = Signatures.sign(key, message, NOW);
    assertThat(Signatures.verify(header, message, key, now, Signatures.DEFAULT_SKEW)).isTrue();
    assertThat(Signatures.verify(header, message, key, now.plusSeconds(3600), Signatures.DEFAULT_SKEW)).isFalse();
  }
}
