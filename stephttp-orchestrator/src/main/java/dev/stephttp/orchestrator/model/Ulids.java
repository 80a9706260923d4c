package dev.stephttp.orchestrator.model;

/** ULIDs, the IDs of runs and events: 26 Crockford base-32 characters, any case. */
public final class Ulids {
  private Ulids() {}

  /** Whether {@code s} is a ULID (in range: its first character at most 7). */
  public static boolean isValid(String s) {
    if (s == null || s.length() != 26 || s.charAt(0) > '7') {
      return false;
    }
    for (int i = 0; i < 26; i++) {
      char c = Character.toUpperCase(s.charAt(i));
      boolean ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z' && c != 'I' && c != 'L'
          && c != 'O' && c != 'U');
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
