package dev.stephttp.internal.wire;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Signing-key normalisation and bearer-token handling (docs/protocol.md §2.0, §8); stateless and
 * thread-safe. Never log the values these methods take or return.
 */
public final class SigningKeys {
  // docs/protocol.md §8: \w is ASCII-only [A-Za-z0-9_], as in Go's and JavaScript's regex engines.
  private static final Pattern PREFIX = Pattern.compile("^signkey-[A-Za-z0-9_]+-");
  private static final String BEARER = "bearer";

  private SigningKeys() {}

  /** Returns {@code key} without a leading {@code signkey-<env>-} prefix. */
  public static String normalize(String key) {
    Objects.requireNonNull(key, "key == null");
    return key.substring(prefix(key).length());
  }

  /** Returns the {@code signkey-<env>-} prefix of {@code key}, or {@code ""} if it has none. */
  public static String prefix(String key) {
    Objects.requireNonNull(key, "key == null");
    Matcher m = PREFIX.matcher(key);
    return m.find() ? m.group() : "";
  }

  /**
   * Returns the hashed bearer token the TS client sends: the prefix kept verbatim, then lowercase
   * hex of SHA-256 over the hex-decoded rest of the key. An empty key (none configured) gives
   * {@code ""}, so the header becomes {@code Authorization: Bearer } (docs/protocol.md §2.0).
   *
   * @throws IllegalArgumentException if the key body is not an even-length hex string
   */
  public static String hashedBearer(String key) {
    Objects.requireNonNull(key, "key == null");
    if (key.isEmpty()) {
      return "";
    }
    String body = normalize(key);
    byte[] decoded = hexDecode(body);
    if (decoded == null) {
      throw new IllegalArgumentException(
          "Signing key must be hex after its optional signkey-<env>- prefix, with an even number"
              + " of digits; found " + body.length() + " characters that are not");
    }
    return prefix(key) + HexFormat.of().formatHex(sha256(decoded));
  }

  /**
   * Checks a presented bearer token against the configured key (docs/protocol.md §2.0 rules 3-4): after
   * stripping prefixes from both, the token must equal the key or, when the key is hex, the
   * SHA-256 of the hex-decoded key. Comparisons are constant-time. A null or empty token, or an
   * empty configured key, never matches: when no key is configured, skip authentication instead.
   */
  public static boolean bearerMatches(String presentedToken, String configuredKey) {
    if (presentedToken == null || configuredKey == null) {
      return false;
    }
    String key = normalize(configuredKey);
    String token = normalize(presentedToken);
    if (key.isEmpty() || token.isEmpty()) {
      return false;
    }
    byte[] tokenBytes = token.getBytes(StandardCharsets.UTF_8);
    boolean raw = MessageDigest.isEqual(tokenBytes, key.getBytes(StandardCharsets.UTF_8));
    byte[] decoded = hexDecode(key);
    boolean hashed = false;
    if (decoded != null) {
      String hash = HexFormat.of().formatHex(sha256(decoded));
      hashed = MessageDigest.isEqual(tokenBytes, hash.getBytes(StandardCharsets.UTF_8));
    }
    return raw | hashed;
  }

  /**
   * Extracts the token from an {@code Authorization} header value (docs/protocol.md §2.0 rule 2): the
   * value must be longer than 7 characters and start with {@code bearer} in any case; the token is
   * everything from index 7. Returns null when the header is absent or does not qualify.
   */
  public static String bearerHeaderValue(String authorizationHeader) {
    if (authorizationHeader == null || authorizationHeader.length() <= 7) {
      return null;
    }
    if (!authorizationHeader.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return null;
    }
    return authorizationHeader.substring(7);
  }

  /** Hex-decodes {@code hex}, or returns null when it is not even-length hex. */
  static byte[] hexDecode(String hex) {
    if (hex.length() % 2 != 0) {
      return null;
    }
    for (int i = 0; i < hex.length(); i++) {
      if (!isHexDigit(hex.charAt(i))) {
        return null;
      }
    }
    return HexFormat.of().parseHex(hex);
  }

  private static boolean isHexDigit(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  private static byte[] sha256(byte[] input) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(input);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }
}
