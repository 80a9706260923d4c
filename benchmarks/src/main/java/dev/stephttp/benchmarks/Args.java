package dev.stephttp.benchmarks;

import java.util.HashMap;
import java.util.Map;

/** {@code --name value} and {@code --flag} command-line options. */
final class Args {
  private final Map<String, String> values = new HashMap<>();

  Args(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument " + a);
      }
      String name = a.substring(2);
      int eq = name.indexOf('=');
      if (eq >= 0) {
        values.put(name.substring(0, eq), name.substring(eq + 1));
      } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
        values.put(name, args[++i]);
      } else {
        values.put(name, "true");
      }
    }
  }

  private Args(Map<String, String> values) {
    this.values.putAll(values);
  }

  /** A copy in which the given {@code --name value} pairs apply unless set explicitly. */
  Args withDefaults(String... pairs) {
    Args copy = new Args(values);
    for (int i = 0; i + 1 < pairs.length; i += 2) {
      copy.values.putIfAbsent(pairs[i].substring(2), pairs[i + 1]);
    }
    return copy;
  }

  boolean flag(String name) {
    return Boolean.parseBoolean(values.getOrDefault(name, "false"));
  }

  int integer(String name, int dflt) {
    String v = values.get(name);
    return v == null ? dflt : Integer.parseInt(v.replace("_", ""));
  }

  double decimal(String name, double dflt) {
    String v = values.get(name);
    return v == null ? dflt : Double.parseDouble(v);
  }

  String text(String name, String dflt) {
    return values.getOrDefault(name, dflt);
  }
}
