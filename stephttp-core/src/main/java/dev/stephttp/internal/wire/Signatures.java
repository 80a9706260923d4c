package dev.stephttp.internal.wire;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.erdtman.jcs.JsonCanonicalizer;

/**
 * {@code X-Inngest-Signature} signing and verification (docs/protocol.md §5.2, §8); stateless and
 * thread-safe.
 */
public final class Signatures {
  /** The accepted clock skew between signer and verifier (docs/protocol.md §9.6). */
  public static final Duration DEFAULT_SKEW = Duration.ofMinutes(5);

  private static final int MAC_BYTES = 32;

  private Signatures() {}

  /**
   * Returns the header value {@code t=<unixSeconds>&s=<hex>}, where {@code s} is HMAC-SHA256 keyed
   * with the UTF-8 bytes of the normalised key over {@code message} followed by the decimal
   * timestamp.
   *
   * @throws IllegalArgumentException if the key is empty after normalisation
   */
  public static String sign(String signingKey, byte[] message, long unixSeconds) {
    Objects.requireNonNull(message, "message == null");
    byte[] mac = mac(signingKey, message, unixSeconds);
    return "t=" + unixSeconds + "&s=" + HexFormat.of().formatHex(mac);
  }

  /**
   * Verifies a signature header: {@code t} and {@code s} may come in any order (other parameters
   * are ignored), {@code t} must be within {@code maxSkew} of {@code now} in either direction, and
   * {@code s} must match in constant time. Never throws for bad input; it returns false instead.
   */
  public static boolean verify(
      String header, byte[] message, String signingKey, Instant now, Duration maxSkew) {
    Objects.requireNonNull(now, "now == null");
    Objects.requireNonNull(maxSkew, "maxSkew == null");
    if (header == null || message == null || signingKey == null) {
      return false;
    }
    Parsed parsed = Parsed.of(header);
    if (parsed == null || SigningKeys.normalize(signingKey).isEmpty()) {
      return false;
    }
    try {
      Duration skew = Duration.between(Instant.ofEpochSecond(parsed.t), now).abs();
      if (skew.compareTo(maxSkew) > 0) {
        return false;
      }
    } catch (DateTimeException | ArithmeticException e) {
      return false; // a timestamp outside Instant's range cannot be within any skew
    }
    return MessageDigest.isEqual(parsed.s, mac(signingKey, message, parsed.t));
  }

  /**
   * Whether {@code header} signs a re-entry with this method and body under {@code signingKey} or
   * {@code fallbackKey} (null keys are skipped), the rule the library accepts (docs/protocol.md
   * §5.2): the message signed is the canonical JSON of a JSON body, or the raw body, or an empty
   * message when there is no body or the method does not carry one in the signed form (only
   * {@code POST} and {@code PUT} do). Never throws for bad input; it returns false instead.
   */
  public static boolean verifyReentry(String header, String method, byte[] body, String signingKey,
      String fallbackKey, Instant now) {
    Objects.requireNonNull(body, "body == null");
    byte[] canonical = canonicalJson(body);
    boolean signsBody = "POST".equals(method) || "PUT".equals(method);
    for (String key : new String[] {signingKey, fallbackKey}) {
      if (key == null) {
        continue;
      }
      if ((canonical != null && verify(header, canonical, key, now, DEFAULT_SKEW))
          || (body.length > 0 && verify(header, body, key, now, DEFAULT_SKEW))
          || ((body.length == 0 || !signsBody) && verify(header, new byte[0], key, now, DEFAULT_SKEW))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Returns the RFC 8785 canonical form of a JSON document, or null when {@code body} is not valid
   * JSON (docs/protocol.md §8). Numbers are IEEE doubles, so integers above 2^53 lose precision.
   */
  public static byte[] canonicalJson(byte[] body) {
    if (body == null) {
      return null;
    }
    int first = firstNonWhitespace(body);
    if (first < 0) {
      return null;
    }
    try {
      if (body[first] == '{' || body[first] == '[') {
        return new JsonCanonicalizer(body).getEncodedUTF8();
      }
      // The library only takes an object or array at the top level, while RFC 8785 allows any
      // value: canonicalise [value] and drop the brackets. Parsing first rejects "1,2", which
      // would otherwise pass as a two-element array.
      Json.parse(body);
      byte[] wrapped = new byte[body.length + 2];
      wrapped[0] = '[';
      System.arraycopy(body, 0, wrapped, 1, body.length);
      wrapped[wrapped.length - 1] = ']';
      byte[] out = new JsonCanonicalizer(wrapped).getEncodedUTF8();
      return Arrays.copyOfRange(out, 1, out.length - 1);
    } catch (IOException | RuntimeException e) {
      return null; // the library reports syntax errors as IOException and some as runtime errors
    }
  }

  /**
   * Returns the message the TS client verifies a re-entry signature over (docs/protocol.md §5.2): for
   * {@code POST} and {@code PUT} with a non-empty body, the canonical JSON of the body, or the raw
   * text when the body is a JSON string; otherwise, and when the body is not JSON, an empty
   * message. (The Go client always verifies an empty message.)
   */
  public static byte[] tsMessage(String method, byte[] body) {
    boolean hasBody = body != null && body.length > 0;
    if (!hasBody || !("POST".equalsIgnoreCase(method) || "PUT".equalsIgnoreCase(method))) {
      return new byte[0];
    }
    byte[] canonical = canonicalJson(body);
    if (canonical == null) {
      return new byte[0]; // the TS client rejects such a re-entry anyway (JSON.parse fails)
    }
    if (canonical.length > 0 && canonical[0] == '"') {
      return Json.parse(canonical).textValue().getBytes(StandardCharsets.UTF_8);
    }
    return canonical;
  }

  private static int firstNonWhitespace(byte[] body) {
    for (int i = 0; i < body.length; i++) {
      byte b = body[i];
      if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
        return i;
      }
    }
    return -1;
  }

  private static byte[] mac(String signingKey, byte[] message, long unixSeconds) {
    Objects.requireNonNull(signingKey, "signingKey == null");
    String key = SigningKeys.normalize(signingKey);
    if (key.isEmpty()) {
      throw new IllegalArgumentException("signingKey is empty; an unsigned request has no signature");
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      // docs/protocol.md §8: the key is the normalised text itself, not its hex-decoded bytes.
      mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update(message);
      return mac.doFinal(Long.toString(unixSeconds).getBytes(StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required of every Java platform", e);
    }
  }

  /** The {@code t} and {@code s} parameters of a header, or null when malformed. */
  private static final class Parsed {
    final long t;
    final byte[] s;

    private Parsed(long t, byte[] s) {
      this.t = t;
      this.s = s;
    }

    static Parsed of(String header) {
      String t = null;
      String s = null;
      for (String part : header.split("&", -1)) {
        int eq = part.indexOf('=');
        if (eq < 0) {
          continue; // a bare word is an empty parameter in URL query syntax; ignore it
        }
        String name = part.substring(0, eq);
        String value = part.substring(eq + 1);
        if (name.equals("t")) {
          if (t != null) {
            return null;
          }
          t = value;
        } else if (name.equals("s")) {
          if (s != null) {
            return null;
          }
          s = value;
        }
      }
      if (t == null || s == null || !isDecimal(t) || s.length() != 2 * MAC_BYTES) {
        return null;
      }
      byte[] mac = SigningKeys.hexDecode(s);
      if (mac == null) {
        return null;
      }
      try {
        return new Parsed(Long.parseLong(t), mac);
      } catch (NumberFormatException e) {
        return null; // too many digits for a long
      }
    }

    private static boolean isDecimal(String value) {
      if (value.isEmpty() || value.length() > 19) {
        return false;
      }
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        if (c < '0' || c > '9') {
          return false;
        }
      }
      return true;
    }
  }
}
