package dev.stephttp.internal.wire;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/** Hashed step IDs as put on the wire (docs/protocol.md §7.1); stateless and thread-safe. */
public final class StepIds {
  /** The hashed ID of the completion op, {@code sha1("complete")} (docs/protocol.md §7.2). */
  public static final String COMPLETE_ID = hash("complete");

  private StepIds() {}

  /** Returns lowercase hex of SHA-1 over the UTF-8 bytes of {@code key}. */
  public static String hash(String key) {
    Objects.requireNonNull(key, "key == null");
    return HexFormat.of().formatHex(sha1().digest(key.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * Returns the un-hashed key for the {@code index}-th repeat of user step ID {@code id}: {@code id}
   * for the first occurrence (index 0), else {@code id + ":" + index}.
   *
   * @throws IllegalArgumentException if {@code index} is negative
   */
  public static String key(String id, int index) {
    Objects.requireNonNull(id, "id == null");
    if (index < 0) {
      throw new IllegalArgumentException("index must be >= 0 but was " + index);
    }
    return index == 0 ? id : id + ":" + index;
  }

  private static MessageDigest sha1() {
    try {
      return MessageDigest.getInstance("SHA-1");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required of every Java platform", e);
    }
  }
}
