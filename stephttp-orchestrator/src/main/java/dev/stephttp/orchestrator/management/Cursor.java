package dev.stephttp.orchestrator.management;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A keyset cursor (docs/management-api.md §2.6): base64url JSON of the endpoint, order, hash of the
 * filter parameters, and the last row's sort key and ID.
 *
 * @param key numeric sort key, or null when the sort key is the ID itself
 */
record Cursor(String endpoint, String order, String filter, Long key, String id) {

  String encode() {
    ObjectNode o = ApiJson.F.objectNode();
    o.put("e", endpoint);
    o.put("o", order);
    o.put("f", filter);
    if (key != null) {
      o.put("k", key);
    }
    o.put("id", id);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(ApiJson.bytes(o));
  }

  static Cursor decode(String raw) {
    try {
      JsonNode n = ApiJson.MAPPER.readTree(Base64.getUrlDecoder().decode(raw));
      if (!n.isObject() || !n.path("e").isTextual() || !n.path("o").isTextual()
          || !n.path("f").isTextual() || !n.path("id").isTextual()) {
        return null;
      }
      JsonNode k = n.get("k");
      if (k != null && !k.canConvertToLong()) {
        return null;
      }
      return new Cursor(n.get("e").textValue(), n.get("o").textValue(), n.get("f").textValue(),
          k == null ? null : k.longValue(), n.get("id").textValue());
    } catch (java.io.IOException | IllegalArgumentException e) {
      return null;
    }
  }

  /** Short hash of the filter parameters, so a cursor cannot be reused with other filters. */
  static String hash(Object... parts) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (Object p : parts) {
        md.update(String.valueOf(p).getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
      }
      return HexFormat.of().formatHex(md.digest()).substring(0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
