package dev.stephttp.internal.wire;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SignaturesTest {
  private static final String KEY = "signkey-test-12345678";
  private static final long T = 1_700_000_000L;
  private static final Instant NOW = Instant.ofEpochSecond(T);
  private static final byte[] EMPTY = new byte[0];
  private static final String EMPTY_SIG =
      "t=1700000000&s=189656184e486419febc1f6fd73e1c45bc8595c99633a32ebe1ea40ac8adf630";

  @Test
  void signsEmptyMessageAsInAppendixA() {
    assertThat(Signatures.sign(KEY, EMPTY, T)).isEqualTo(EMPTY_SIG);
  }

  @Test
  void signsCanonicalJsonAsInSection8() {
    byte[] canonical = Signatures.canonicalJson("{\"b\":2,\"a\":1}".getBytes(UTF_8));

    assertThat(new String(canonical, UTF_8)).isEqualTo("{\"a\":1,\"b\":2}");
    assertThat(Signatures.sign(KEY, canonical, T))
        .isEqualTo("t=1700000000&s=4215d18b1becc6e5035d59f4ec5f76b5b7aa0e6a14246b6dc901d6655a98202e");
  }

  @Test
  void signsWithTheNormalisedKeyNotTheConfiguredString() {
    String upstreamDevServerValue =
        "t=1700000000&s=a3b0d3956b4d9d4717d3fe9e89806914c09c1366664b7fcdd417546982a6e6c1";

    assertThat(Signatures.sign(KEY, EMPTY, T)).isNotEqualTo(upstreamDevServerValue);
    assertThat(Signatures.sign("12345678", EMPTY, T)).isEqualTo(EMPTY_SIG);
  }

  @Test
  void signRejectsAnEmptyKey() {
    assertThatThrownBy(() -> Signatures.sign("signkey-test-", EMPTY, T))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty");
  }

  @Test
  void verifyAcceptsAValidSignature() {
    assertThat(verify(EMPTY_SIG, EMPTY, KEY, NOW)).isTrue();
  }

  @Test
  void verifyAcceptsParametersInEitherOrder() {
    String swapped = "s=189656184e486419febc1f6fd73e1c45bc8595c99633a32ebe1ea40ac8adf630&t=1700000000";
    assertThat(verify(swapped, EMPTY, KEY, NOW)).isTrue();
  }

  @Test
  void verifyAcceptsKeyWithOrWithoutPrefix() {
    assertThat(verify(EMPTY_SIG, EMPTY, "12345678", NOW)).isTrue();
    assertThat(verify(EMPTY_SIG, EMPTY, "signkey-prod-12345678", NOW)).isTrue();
  }

  @Test
  void verifyRejectsWrongKey() {
    assertThat(verify(EMPTY_SIG, EMPTY, "signkey-test-12345679", NOW)).isFalse();
  }

  @Test
  void verifyRejectsTamperedMessage() {
    byte[] message = "{\"a\":1}".getBytes(UTF_8);
    String header = Signatures.sign(KEY, message, T);

    assertThat(verify(header, message, KEY, NOW)).isTrue();
    assertThat(verify(header, "{\"a\":2}".getBytes(UTF_8), KEY, NOW)).isFalse();
    assertThat(verify(header, EMPTY, KEY, NOW)).isFalse();
  }

  @Test
  void verifyRejectsTamperedTimestamp() {
    String header = "t=1700000001&s=189656184e486419febc1f6fd73e1c45bc8595c99633a32ebe1ea40ac8adf630";
    assertThat(verify(header, EMPTY, KEY, NOW)).isFalse();
  }

  @Test
  void verifyAcceptsSkewUpToFiveMinutesInBothDirections() {
    assertThat(verify(EMPTY_SIG, EMPTY, KEY, NOW.plusSeconds(300))).isTrue();
    assertThat(verify(EMPTY_SIG, EMPTY, KEY, NOW.minusSeconds(300))).isTrue();
  }

  @Test
  void verifyRejectsOldSignatureBeyondFiveMinutes() {
    assertThat(verify(EMPTY_SIG, EMPTY, KEY, NOW.plusSeconds(301))).isFalse();
  }

  @Test
  void verifyRejectsFutureSignatureBeyondFiveMinutes() {
    assertThat(verify(EMPTY_SIG, EMPTY, KEY, NOW.minusSeconds(301))).isFalse();
  }

  @Test
  void verifyHonoursACustomSkew() {
    Instant later = NOW.plus(Duration.ofHours(1));
    assertThat(Signatures.verify(EMPTY_SIG, EMPTY, KEY, later, Duration.ofHours(2))).isTrue();
    assertThat(Signatures.verify(EMPTY_SIG, EMPTY, KEY, NOW.plusSeconds(2), Duration.ofSeconds(1)))
        .isFalse();
  }

  @Test
  void verifyAcceptsUppercaseHexAndIgnoresExtraParameters() {
    String upper = "t=1700000000&s=189656184E486419FEBC1F6FD73E1C45BC8595C99633A32EBE1EA40AC8ADF630";
    assertThat(verify(upper, EMPTY, KEY, NOW)).isTrue();
    assertThat(verify(EMPTY_SIG + "&v=1", EMPTY, KEY, NOW)).isTrue();
  }

  @Test
  void verifyRejectsMalformedHeaders() {
    String s = "189656184e486419febc1f6fd73e1c45bc8595c99633a32ebe1ea40ac8adf630";
    String[] malformed = {
      "",
      "garbage",
      "t=1700000000",
      "s=" + s,
      "t=&s=" + s,
      "t=abc&s=" + s,
      "t=-1700000000&s=" + s,
      "t=+1700000000&s=" + s,
      "t=1700000000.0&s=" + s,
      "t=99999999999999999999&s=" + s,
      "t=1700000000&s=" + s.substring(1),
      "t=1700000000&s=" + s + "00",
      "t=1700000000&s=" + s.replace('e', 'g'),
      "t=1700000000&s=",
      "t=1700000000&t=1700000000&s=" + s,
      "t=1700000000&s=" + s + "&s=" + s,
      "t=1700000000;s=" + s,
      "T=1700000000&S=" + s,
    };
    for (String header : malformed) {
      assertThat(verify(header, EMPTY, KEY, NOW)).as(header).isFalse();
    }
  }

  @Test
  void verifyRejectsNullInputsWithoutThrowing() {
    assertThat(verify(null, EMPTY, KEY, NOW)).isFalse();
    assertThat(verify(EMPTY_SIG, null, KEY, NOW)).isFalse();
    assertThat(verify(EMPTY_SIG, EMPTY, null, NOW)).isFalse();
    assertThat(verify(EMPTY_SIG, EMPTY, "", NOW)).isFalse();
  }

  @Test
  void verifyRejectsTimestampsOutsideInstantRange() {
    String header = "t=9223372036854775807&s=189656184e486419febc1f6fd73e1c45bc8595c99633a32ebe1ea40ac8adf630";
    assertThat(verify(header, EMPTY, KEY, NOW)).isFalse();
  }

  @Test
  void canonicalJsonSortsKeysAndNormalisesNumbersAndWhitespace() {
    byte[] out = Signatures.canonicalJson(" { \"z\" : [1.0, 1e2, \"\\u00e9\"], \"a\" : {\"y\":null,\"b\":true} } ".getBytes(UTF_8));
    assertThat(new String(out, UTF_8)).isEqualTo("{\"a\":{\"b\":true,\"y\":null},\"z\":[1,100,\"\u00e9\"]}");
  }

  @Test
  void canonicalJsonReturnsNullForNonJson() {
    assertThat(Signatures.canonicalJson("01J9Z3K6W8T6M0V2Q4R5S7X8Y9".getBytes(UTF_8))).isNull();
    assertThat(Signatures.canonicalJson("{\"a\":".getBytes(UTF_8))).isNull();
    assertThat(Signatures.canonicalJson("{\"a\":1,\"a\":2}".getBytes(UTF_8))).isNull();
    assertThat(Signatures.canonicalJson(EMPTY)).isNull();
    assertThat(Signatures.canonicalJson(null)).isNull();
    assertThat(Signatures.canonicalJson(new byte[] {(byte) 0xff, (byte) 0xfe})).isNull();
  }

  @Test
  void canonicalJsonAcceptsTopLevelScalars() {
    assertThat(canonical("\"ab\\u0063\"")).isEqualTo("\"abc\"");
    assertThat(canonical(" 1.50 ")).isEqualTo("1.5");
    assertThat(canonical("true")).isEqualTo("true");
    assertThat(canonical("null")).isEqualTo("null");
  }

  @Test
  void canonicalJsonRejectsSeveralTopLevelValues() {
    assertThat(Signatures.canonicalJson("1,2".getBytes(UTF_8))).isNull();
    assertThat(Signatures.canonicalJson("1],[2".getBytes(UTF_8))).isNull();
    assertThat(Signatures.canonicalJson("{\"a\":1} {}".getBytes(UTF_8))).isNull();
    assertThat(Signatures.canonicalJson("  ".getBytes(UTF_8))).isNull();
  }

  @Test
  void canonicalJsonRoundsIntegersAbove2To53LikeJavaScript() {
    assertThat(canonical("[9007199254740993]")).isEqualTo("[9007199254740992]");
  }

  @Test
  void tsMessageIsCanonicalJsonOfPostAndPutBodies() {
    byte[] body = "{\"b\":2,\"a\":1}".getBytes(UTF_8);
    assertThat(new String(Signatures.tsMessage("POST", body), UTF_8)).isEqualTo("{\"a\":1,\"b\":2}");
    assertThat(new String(Signatures.tsMessage("PUT", body), UTF_8)).isEqualTo("{\"a\":1,\"b\":2}");
  }

  @Test
  void tsMessageOfAJsonStringIsItsRawText() {
    assertThat(new String(Signatures.tsMessage("POST", "\"h\\u00e9\"".getBytes(UTF_8)), UTF_8))
        .isEqualTo("h\u00e9");
  }

  @Test
  void tsMessageIsEmptyForOtherMethodsEmptyBodiesAndNonJson() {
    byte[] body = "{\"a\":1}".getBytes(UTF_8);
    assertThat(Signatures.tsMessage("GET", body)).isEmpty();
    assertThat(Signatures.tsMessage("DELETE", body)).isEmpty();
    assertThat(Signatures.tsMessage("PATCH", body)).isEmpty();
    assertThat(Signatures.tsMessage("POST", EMPTY)).isEmpty();
    assertThat(Signatures.tsMessage("POST", null)).isEmpty();
    assertThat(Signatures.tsMessage("POST", "a=1&b=2".getBytes(UTF_8))).isEmpty();
  }

  private static String canonical(String json) {
    byte[] out = Signatures.canonicalJson(json.getBytes(UTF_8));
    return out == null ? null : new String(out, UTF_8);
  }

  private static boolean verify(String header, byte[] message, String key, Instant now) {
    return Signatures.verify(header, message, key, now, Signatures.DEFAULT_SKEW);
  }

  @Test
  void reentryVerifiesOverTheCanonicalJsonOfAJsonBody() {
    byte[] body = "{ \"b\": 2, \"a\": 1 }".getBytes(UTF_8);
    String header = Signatures.sign(KEY, "{\"a\":1,\"b\":2}".getBytes(UTF_8), T);

    assertThat(Signatures.verifyReentry(header, "POST", body, KEY, null, NOW)).isTrue();
    assertThat(Signatures.verifyReentry(header, "POST", "{\"a\":1,\"b\":3}".getBytes(UTF_8), KEY, null, NOW))
        .isFalse();
  }

  @Test
  void reentryVerifiesOverTheRawBodyWhenItIsNotJson() {
    byte[] body = "a=1&b=2".getBytes(UTF_8);
    String header = Signatures.sign(KEY, body, T);

    assertThat(Signatures.verifyReentry(header, "PUT", body, KEY, null, NOW)).isTrue();
  }

  @Test
  void reentryVerifiesAnEmptyMessageOnlyWhenTheSignedFormCarriesNoBody() {
    byte[] body = "{\"a\":1}".getBytes(UTF_8);

    assertThat(Signatures.verifyReentry(EMPTY_SIG, "GET", EMPTY, KEY, null, NOW)).isTrue();
    assertThat(Signatures.verifyReentry(EMPTY_SIG, "POST", EMPTY, KEY, null, NOW)).isTrue();
    assertThat(Signatures.verifyReentry(EMPTY_SIG, "DELETE", body, KEY, null, NOW)).isTrue();
    // A POST or PUT body is part of the signed form: an empty message does not cover it.
    assertThat(Signatures.verifyReentry(EMPTY_SIG, "POST", body, KEY, null, NOW)).isFalse();
    assertThat(Signatures.verifyReentry(EMPTY_SIG, "PUT", body, KEY, null, NOW)).isFalse();
  }

  @Test
  void reentryTriesTheFallbackKeyAndSkipsMissingKeys() {
    assertThat(Signatures.verifyReentry(EMPTY_SIG, "GET", EMPTY, "signkey-test-0000", KEY, NOW)).isTrue();
    assertThat(Signatures.verifyReentry(EMPTY_SIG, "GET", EMPTY, null, KEY, NOW)).isTrue();
    assertThat(Signatures.verifyReentry(EMPTY_SIG, "GET", EMPTY, null, null, NOW)).isFalse();
    assertThat(Signatures.verifyReentry("garbage", "GET", EMPTY, KEY, null, NOW)).isFalse();
    assertThat(Signatures.verifyReentry(null, "GET", EMPTY, KEY, null, NOW)).isFalse();
  }
}
