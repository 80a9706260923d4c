package dev.stephttp.internal;

import dev.stephttp.internal.wire.StepIds;

/**
 * A step's place in a run (docs/protocol.md §7.1): the user's ID, its repeat index and the hashed
 * ID. Immutable.
 *
 * @param id the user's step ID
 * @param index how many steps with this ID came before it in the execution
 * @param hash the hashed ID the step is recorded under
 */
record StepKey(String id, int index, String hash) {
  /** The step as error messages name it: {@code 'a'}, or {@code 'a' (its 2nd use, keyed 'a:1')}. */
  String describe() {
    if (index == 0) {
      return "'" + id + "'";
    }
    return "'" + id + "' (its " + ordinal(index + 1) + " use, keyed '" + StepIds.key(id, index) + "')";
  }

  private static String ordinal(int n) {
    int lastTwo = n % 100;
    String suffix = lastTwo >= 11 && lastTwo <= 13 ? "th"
        : switch (n % 10) {
          case 1 -> "st";
          case 2 -> "nd";
          case 3 -> "rd";
          default -> "th";
        };
    return n + suffix;
  }
}
