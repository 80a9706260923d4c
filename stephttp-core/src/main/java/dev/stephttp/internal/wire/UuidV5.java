package dev.stephttp.internal.wire;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;
import java.util.UUID;

/**
 * RFC 4122 version-5 (SHA-1) UUIDs and the deterministic app and function IDs built from them
 * (docs/protocol.md §9.1); stateless and thread-safe.
 */
public final class UuidV5 {
  /** The RFC 4122 OID namespace, {@code 6ba7b812-9dad-11d1-80b4-00c04fd430c8}. */
  public static final UUID OID = UUID.fromString("6ba7b812-9dad-11d1-80b4-00c04fd430c8");

  /** The fixed environment ID of the dev server (docs/protocol.md §9.1). */
  public static final UUID DEV_ENV = UUID.fromString("00000000-0000-4000-b000-000000000000");

  private UuidV5() {}

  /** Returns the version-5 UUID of {@code name} in {@code namespace}. */
  public static UUID of(UUID namespace, byte[] name) {
    Objects.requireNonNull(namespace, "namespace == null");
    Objects.requireNonNull(name, "name == null");
    MessageDigest sha1;
    try {
      sha1 = MessageDigest.getInstance("SHA-1");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required of every Java platform", e);
    }
    sha1.update(bytes(namespace));
    byte[] hash = sha1.digest(name);
    hash[6] = (byte) ((hash[6] & 0x0f) | 0x50); // version 5
    hash[8] = (byte) ((hash[8] & 0x3f) | 0x80); // RFC 4122 variant
    ByteBuffer buf = ByteBuffer.wrap(hash, 0, 16);
    return new UUID(buf.getLong(), buf.getLong());
  }

  /** Returns the app ID: name = the 16 bytes of {@code envId} followed by the UTF-8 domain. */
  public static UUID appId(UUID envId, String domain) {
    Objects.requireNonNull(envId, "envId == null");
    Objects.requireNonNull(domain, "domain == null");
    return of(OID, concat(bytes(envId), domain.getBytes(StandardCharsets.UTF_8)));
  }

  /** Returns the function ID: name = the 16 bytes of {@code appId} followed by the UTF-8 slug. */
  public static UUID functionId(UUID appId, String slug) {
    Objects.requireNonNull(appId, "appId == null");
    Objects.requireNonNull(slug, "slug == null");
    return of(OID, concat(bytes(appId), slug.getBytes(StandardCharsets.UTF_8)));
  }

  private static byte[] bytes(UUID uuid) {
    return ByteBuffer.allocate(16)
        .putLong(uuid.getMostSignificantBits())
        .putLong(uuid.getLeastSignificantBits())
        .array();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
