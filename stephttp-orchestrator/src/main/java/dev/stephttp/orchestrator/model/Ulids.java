package dev.stephttp.orchestrator.model;

import com.github.f4b6a3.ulid.UlidFactory;
import java.util.concurrent.ThreadLocalRandom;

/** ULIDs, the IDs of runs and events: 26 Crockford base-32 characters, any case. */
public final class Ulids {
  /**
   * Monotonic, with a non-blocking random: these IDs name runs and events and are no secrets
   * (the default factory reads {@code SecureRandom} for each ID).
   */
  private static final UlidFactory FACTORY =
      UlidFactory.newMonotonicInstance(() -> ThreadLocalRandom.current().nextLong());

  private Ulids() {}

  /** A new ULID, greater than every one this process made before. */
  public static String next() {
    return FACTORY.create().toString();
  }

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
