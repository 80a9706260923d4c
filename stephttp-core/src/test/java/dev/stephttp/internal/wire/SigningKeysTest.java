package dev.stephttp.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SigningKeysTest {
  private static final String KEY = "signkey-test-12345678";
  private static final String HASHED =
      "signkey-test-b2ed992186a5cb19f6668aade821f502c1d00970dfd0e35128d51bac4649916c";
  private static final String HASH_ONLY =
      "b2ed992186a5cb19f6668aade821f502c1d00970dfd0e35128d51bac4649916c";

  @Test
  void normalizeStripsSignkeyPrefix() {
    assertThat(SigningKeys.normalize(KEY)).isEqualTo("12345678");
    assertThat(SigningKeys.normalize("signkey-prod_2-abcd")).isEqualTo("abcd");
  }

  @Test
  void normalizeLeavesKeysWithoutPrefixAlone() {
    assertThat(SigningKeys.normalize("12345678")).isEqualTo("12345678");
    assertThat(SigningKeys.normalize("xsignkey-test-12")).isEqualTo("xsignkey-test-12");
    assertThat(SigningKeys.normalize("signkey--12")).isEqualTo("signkey--12");
  }

  @Test
  void normalizeStripsOnlyTheFirstEnvironmentSegment() {
    // \w does not match '-', so the env is "branch" and the rest stays.
    assertThat(SigningKeys.normalize("signkey-branch-feature-1234")).isEqualTo("feature-1234");
  }

  @Test
  void normalizeTreatsOnlyAsciiWordCharactersAsEnvironment() {
    assertThat(SigningKeys.normalize("signkey-t\u00e9st-1234")).isEqualTo("signkey-t\u00e9st-1234");
  }

  @Test
  void prefixReturnsTheStrippedPart() {
    assertThat(SigningKeys.prefix(KEY)).isEqualTo("signkey-test-");
    assertThat(SigningKeys.prefix("12345678")).isEmpty();
  }

  @Test
  void hashedBearerMatchesAppendixA() {
    assertThat(SigningKeys.hashedBearer(KEY)).isEqualTo(HASHED);
  }

  @Test
  void hashedBearerWithoutPrefixIsTheBareHash() {
    assertThat(SigningKeys.hashedBearer("12345678")).isEqualTo(HASH_ONLY);
  }

  @Test
  void hashedBearerDecodesUppercaseHexLikeLowercase() {
    assertThat(SigningKeys.hashedBearer("ABCDEF0123"))
        .isEqualTo(SigningKeys.hashedBearer("abcdef0123"))
        .isEqualTo("be8059d22c60bf19804e81ada9b93fff19ede2e6f4a6d4cbafdfe07dc84ca839");
  }

  @Test
  void hashedBearerOfNoKeyIsEmpty() {
    assertThat(SigningKeys.hashedBearer("")).isEmpty();
  }

  @Test
  void hashedBearerRejectsNonHexKeyBody() {
    assertThatThrownBy(() -> SigningKeys.hashedBearer("signkey-test-not-hex!"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("hex");
  }

  @Test
  void hashedBearerRejectsOddLengthHex() {
    assertThatThrownBy(() -> SigningKeys.hashedBearer("signkey-test-123"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("even");
  }

  @Test
  void bearerMatchesRawKeyWithPrefix() {
    assertThat(SigningKeys.bearerMatches(KEY, KEY)).isTrue();
  }

  @Test
  void bearerMatchesRawKeyWithoutPrefix() {
    assertThat(SigningKeys.bearerMatches("12345678", KEY)).isTrue();
    assertThat(SigningKeys.bearerMatches(KEY, "12345678")).isTrue();
  }

  @Test
  void bearerMatchesHashedKeyWithPrefix() {
    assertThat(SigningKeys.bearerMatches(HASHED, KEY)).isTrue();
  }

  @Test
  void bearerMatchesHashedKeyWithoutPrefix() {
    assertThat(SigningKeys.bearerMatches(HASH_ONLY, KEY)).isTrue();
    assertThat(SigningKeys.bearerMatches(HASH_ONLY, "12345678")).isTrue();
  }

  @Test
  void bearerMatchesAcceptsAnyPresentedPrefix() {
    // Rule 3 strips the prefix from both sides; the environment name is not compared.
    assertThat(SigningKeys.bearerMatches("signkey-prod-12345678", KEY)).isTrue();
  }

  @Test
  void bearerMatchesRejectsOtherKeys() {
    assertThat(SigningKeys.bearerMatches("signkey-test-12345679", KEY)).isFalse();
    assertThat(SigningKeys.bearerMatches("1234567", KEY)).isFalse();
    assertThat(SigningKeys.bearerMatches(HASH_ONLY.toUpperCase(), KEY)).isFalse();
    assertThat(SigningKeys.bearerMatches(SigningKeys.hashedBearer("87654321"), KEY)).isFalse();
  }

  @Test
  void bearerMatchesRejectsTheHashOfTheHash() {
    assertThat(SigningKeys.bearerMatches(SigningKeys.hashedBearer(HASH_ONLY), KEY)).isFalse();
  }

  @Test
  void bearerMatchesRejectsEmptyAndNullTokens() {
    assertThat(SigningKeys.bearerMatches("", KEY)).isFalse();
    assertThat(SigningKeys.bearerMatches(null, KEY)).isFalse();
    assertThat(SigningKeys.bearerMatches("signkey-test-", KEY)).isFalse();
  }

  @Test
  void bearerMatchesFailsClosedWithoutConfiguredKey() {
    assertThat(SigningKeys.bearerMatches("", "")).isFalse();
    assertThat(SigningKeys.bearerMatches("x", null)).isFalse();
  }

  @Test
  void bearerMatchesComparesRawFormOfNonHexKeys() {
    assertThat(SigningKeys.bearerMatches("signkey-test-secret!", "signkey-test-secret!")).isTrue();
    assertThat(SigningKeys.bearerMatches("secret?", "signkey-test-secret!")).isFalse();
  }

  @Test
  void bearerHeaderValueExtractsTokenCaseInsensitively() {
    assertThat(SigningKeys.bearerHeaderValue("Bearer abc")).isEqualTo("abc");
    assertThat(SigningKeys.bearerHeaderValue("bEaReR " + HASHED)).isEqualTo(HASHED);
    assertThat(SigningKeys.bearerHeaderValue("BEARER  two")).isEqualTo(" two");
  }

  @Test
  void bearerHeaderValueIsNullForAbsentOrMalformedHeaders() {
    assertThat(SigningKeys.bearerHeaderValue(null)).isNull();
    assertThat(SigningKeys.bearerHeaderValue("")).isNull();
    assertThat(SigningKeys.bearerHeaderValue("Bearer")).isNull();
    assertThat(SigningKeys.bearerHeaderValue("Bearer ")).isNull();
    assertThat(SigningKeys.bearerHeaderValue("Basic dXNlcjpwYXNz")).isNull();
    assertThat(SigningKeys.bearerHeaderValue("Bear abcdef")).isNull();
  }
}
