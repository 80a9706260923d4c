package dev.stephttp.orchestrator.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Finds an equality conjunct {@code async.<path> == <literal>} in a CEL expression so pauses can
 * be looked up by (event name, path, value) instead of evaluating every pause for every event.
 * The index only narrows candidates; the full expression is still evaluated on each candidate.
 */
final class EqualityIndex {

  /** A path under {@code async} and the canonical key of the literal it must equal. */
  record Eq(String path, String key) {}

  private EqualityIndex() {}

  /** The first indexable equality among the top-level {@code &&} conjuncts, or null. */
  static Eq extract(CelExpr root) {
    if (root.getKind() != CelExpr.ExprKind.Kind.CALL) {
      return null;
    }
    CelExpr.CelCall call = root.call();
    if ("_&&_".equals(call.function()) && call.args().size() == 2) {
      Eq left = extract(call.args().get(0));
      return left != null ? left : extract(call.args().get(1));
    }
    if (!"_==_".equals(call.function()) || call.args().size() != 2) {
      return null;
    }
    Eq eq = equality(call.args().get(0), call.args().get(1));
    return eq != null ? eq : equality(call.args().get(1), call.args().get(0));
  }

  private static Eq equality(CelExpr pathSide, CelExpr literalSide) {
    if (literalSide.getKind() != CelExpr.ExprKind.Kind.CONSTANT) {
      return null;
    }
    String path = asyncPath(pathSide);
    String key = constantKey(literalSide.constant());
    return path == null || key == null ? null : new Eq(path, key);
  }

  private static String asyncPath(CelExpr e) {
    Deque<String> fields = new ArrayDeque<>();
    CelExpr cur = e;
    while (cur.getKind() == CelExpr.ExprKind.Kind.SELECT) {
      if (cur.select().testOnly()) {
        return null;
      }
      fields.push(cur.select().field());
      cur = cur.select().operand();
    }
    if (cur.getKind() != CelExpr.ExprKind.Kind.IDENT || !"async".equals(cur.ident().name())
        || fields.isEmpty()) {
      return null;
    }
    return String.join(".", fields);
  }

  private static String constantKey(CelConstant c) {
    switch (c.getKind()) {
      case STRING_VALUE:
        return "s:" + c.stringValue();
      case INT64_VALUE:
        return numberKey((double) c.int64Value());
      case DOUBLE_VALUE:
        return numberKey(c.doubleValue());
      case BOOLEAN_VALUE:
        return "b:" + c.booleanValue();
      default:
        return null; // uint, bytes, null…: not indexed, the pause is evaluated for every event
    }
  }

  /**
   * One key for every number CEL may call equal: CEL compares ints and doubles by value, so both
   * are keyed through the same double. Large integers that round to one double share a key, which
   * only adds candidates that CEL then rejects; the index must never leave out a match.
   */
  private static String numberKey(double d) {
    if (d == Math.rint(d) && Math.abs(d) < 0x1p63) {
      return "n:" + (long) d;
    }
    return "n:" + d;
  }

  /** Key of the value at {@code path} in the event object, or null when absent/not a scalar. */
  static String keyOf(JsonNode event, String path) {
    JsonNode cur = event;
    for (String f : path.split("\\.")) {
      if (cur == null || !cur.isObject()) {
        return null;
      }
      cur = cur.get(f);
    }
    if (cur == null) {
      return null;
    }
    if (cur.isTextual()) {
      return "s:" + cur.textValue();
    }
    if (cur.isNumber()) {
      return numberKey(cur.doubleValue());
    }
    if (cur.isBoolean()) {
      return "b:" + cur.booleanValue();
    }
    return null;
  }
}
