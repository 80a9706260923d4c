package dev.stephttp.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.NotEmpty;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

class SignaturePropertiesTest {

  @Property
  void signedMessagesVerify(
      @ForAll @Size(max = 512) byte[] message,
      @ForAll @NotEmpty @StringLength(max = 80) String key,
      @ForAll @LongRange(min = 0, max = 10_000_000_000L) long unixSeconds) {
    String header = Signatures.sign(key + "k", message, unixSeconds);

    assertThat(
            Signatures.verify(
                header, message, key + "k", Instant.ofEpochSecond(unixSeconds), Signatures.DEFAULT_SKEW))
        .isTrue();
  }

  @Property
  void signatureHeaderHasTheExactWireShape(
      @ForAll @Size(max = 64) byte[] message,
      @ForAll @LongRange(min = 0, max = 10_000_000_000L) long unixSeconds) {
    assertThat(Signatures.sign("signkey-test-abcd", message, unixSeconds))
        .matches("t=" + unixSeconds + "&s=[0-9a-f]{64}");
  }

  @Property
  void aChangedByteFailsVerification(
      @ForAll @Size(min = 1, max = 256) byte[] message, @ForAll byte flip) {
    String header = Signatures.sign("secret", message, 1_700_000_000L);
    byte[] tampered = message.clone();
    tampered[0] ^= (byte) (flip | 1);

    assertThat(
            Signatures.verify(
                header, tampered, "secret", Instant.ofEpochSecond(1_700_000_000L), Signatures.DEFAULT_SKEW))
        .isFalse();
  }
}
