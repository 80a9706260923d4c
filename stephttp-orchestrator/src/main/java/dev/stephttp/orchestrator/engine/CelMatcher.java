package dev.stephttp.orchestrator.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.values.NullValue;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CEL conditions of {@code waitForEvent} (docs/protocol.md §10.2): variables {@code event} (the run's
 * trigger event) and {@code async} (the candidate event), each a map of string → dyn. Compiled
 * programs are cached. Thread-safe.
 */
public final class CelMatcher {
  private static final Logger LOG = LoggerFactory.getLogger(CelMatcher.class);
  private static final int CACHE_SIZE = 1024;

  /** A compiled condition plus its optional equality index. */
  record Compiled(CelRuntime.Program program, EqualityIndex.Eq eq) {}

  /** The expression does not compile. */
  static final class InvalidExpression extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidExpression(String message) {
      super(message);
    }
  }

  private final CelCompiler compiler;
  private final CelRuntime runtime;
  private final Map<String, Compiled> cache =
      new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Compiled> eldest) {
          return size() > CACHE_SIZE;
        }
      };

  public CelMatcher() {
    MapType dynMap = MapType.create(SimpleType.STRING, SimpleType.DYN);
    compiler = CelCompilerFactory.standardCelCompilerBuilder()
        .addVar("event", dynMap)
        .addVar("async", dynMap)
        .addVar("vars", dynMap)
        .build();
    runtime = CelRuntimeFactory.standardCelRuntimeBuilder().build();
  }

  /** Compiles (or fetches from cache) a condition. */
  Compiled compile(String expr) throws InvalidExpression {
    synchronized (cache) {
      Compiled c = cache.get(expr);
      if (c != null) {
        return c;
      }
    }
    Compiled c;
    try {
      CelAbstractSyntaxTree ast = compiler.compile(expr).getAst();
      c = new Compiled(runtime.createProgram(ast), EqualityIndex.extract(ast.getExpr()));
    } catch (CelValidationException | CelEvaluationException | RuntimeException e) {
      throw new InvalidExpression("invalid expression: " + firstLine(e.getMessage()));
    }
    synchronized (cache) {
      cache.put(expr, c);
    }
    return c;
  }

  /** True only when the condition evaluates to boolean true; errors (missing keys…) are false. */
  public boolean matches(String expr, JsonNode triggerEvent, JsonNode incoming) {
    if (expr == null || expr.isBlank()) {
      return true;
    }
    try {
      Compiled c = compile(expr);
      Object out = c.program().eval(Map.of(
          "event", toCel(triggerEvent), "async", toCel(incoming), "vars", Map.of()));
      return Boolean.TRUE.equals(out);
    } catch (InvalidExpression | CelEvaluationException | RuntimeException e) {
      LOG.debug("condition did not match: {}", firstLine(e.getMessage()));
      return false;
    }
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /** JSON → CEL values: integers as Long (CEL has no int32), objects as maps, null as NULL. */
  static Object toCel(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      return NullValue.NULL_VALUE;
    }
    if (n.isObject()) {
      Map<String, Object> m = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> e : n.properties()) {
        m.put(e.getKey(), toCel(e.getValue()));
      }
      return m;
    }
    if (n.isArray()) {
      List<Object> l = new ArrayList<>();
      n.forEach(x -> l.add(toCel(x)));
      return l;
    }
    if (n.isIntegralNumber()) {
      return n.canConvertToLong() ? (Object) n.longValue() : (Object) n.doubleValue();
    }
    if (n.isNumber()) {
      return n.doubleValue();
    }
    if (n.isBoolean()) {
      return n.booleanValue();
    }
    return n.asText();
  }
}
