package dev.stephttp.orchestrator.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stephttp.internal.wire.Json;

/** Parses JSON text the store holds (run events, attempt logs): it was valid when stored. */
public final class StoredJson {
  private StoredJson() {}

  /** The parsed tree; {@link IllegalStateException} when the stored text is not JSON. */
  public static JsonNode parse(String text) {
    try {
      return Json.mapper().readTree(text);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("stored JSON is invalid", e);
    }
  }
}
