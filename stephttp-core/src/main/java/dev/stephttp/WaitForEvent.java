package dev.stephttp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What {@link Step#waitForEvent} waits for: an event name, a timeout and an optional condition on
 * the incoming event. Immutable: every method returns a new instance. Thread-safe.
 *
 * <pre>{@code
 * WaitForEvent.named("payment/settled").where("data.orderId", orderId).timeout(Duration.ofHours(1))
 * }</pre>
 *
 * <p>Conditions are CEL expressions evaluated by the orchestrator. {@code async} is the incoming
 * event and {@code event} the run's HTTP trigger event.
 */
public final class WaitForEvent {
  private static final Pattern FIELD_PATH =
      Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");
  private static final ObjectMapper LITERALS = new ObjectMapper();
  /** Deepest field path and value nesting a condition may have (CEL parsers bound recursion). */
  private static final int MAX_DEPTH = 32;
  /** Words the condition language (CEL) reserves: not usable as a field in a dotted path. */
  private static final Set<String> CEL_RESERVED = Set.of("true", "false", "null", "in", "as", "break", "const",
      "continue", "else", "for", "function", "if", "import", "let", "loop", "package", "namespace", "return",
      "var", "void", "while");

  private final String event;
  private final @Nullable Duration timeout;
  private final List<Condition> conditions;

  private WaitForEvent(String event, @Nullable Duration timeout, List<Condition> conditions) {
    this.event = event;
    this.timeout = timeout;
    this.conditions = List.copyOf(conditions);
  }

  /** Waits for events named {@code event}. */
  public static WaitForEvent named(String event) {
    Objects.requireNonNull(event, "event == null");
    if (event.isBlank()) {
      throw new IllegalArgumentException("event name must not be blank");
    }
    return new WaitForEvent(event, null, List.of());
  }

  /** Gives up after {@code timeout}, after which the wait yields an empty result. Required. */
  public WaitForEvent timeout(Duration timeout) {
    checkTimeout(timeout);
    return new WaitForEvent(event, timeout, conditions);
  }

  /** A wait's timeout (an event's or a signal's): positive, at most 366 days. */
  static void checkTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout == null");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, was " + timeout);
    }
    if (timeout.compareTo(Duration.ofDays(366)) > 0) {
      throw new IllegalArgumentException("timeout must be at most 366 days, was " + timeout);
    }
  }

  /**
   * Only accepts events whose {@code field} (a dotted path such as {@code data.orderId}) equals
   * {@code value}. Becomes {@code async.<field> == <value as a JSON literal>}; several calls are
   * joined with {@code &&}.
   */
  public WaitForEvent where(String field, @Nullable Object value) {
    Objects.requireNonNull(field, "field == null");
    if (!FIELD_PATH.matcher(field).matches()) {
      throw new IllegalArgumentException(
          "field must be a dotted path of identifiers such as data.orderId, was '" + field + "'");
    }
    String[] segments = field.split("\\.");
    if (segments.length > MAX_DEPTH) {
      throw new IllegalArgumentException("field '" + field.substring(0, Math.min(field.length(), 60)) + "…' has "
          + segments.length + " segments; at most " + MAX_DEPTH);
    }
    for (String segment : segments) {
      if (CEL_RESERVED.contains(segment)) {
        throw new IllegalArgumentException("field '" + field + "' has the segment '" + segment + "', a reserved"
            + " word of the condition language; use ifExpression with an index, e.g. async.data[\"" + segment
            + "\"] == ...");
      }
    }
    String literal;
    JsonNode tree;
    try {
      tree = LITERALS.valueToTree(value);
      literal = LITERALS.writeValueAsString(value);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new IllegalArgumentException("value for '" + field + "' is not JSON-serialisable", e);
    }
    checkLiteral(field, tree, 0);
    return with(new Condition("async." + field + " == " + literal, true));
  }

  /** The condition language has no literal for these: they would fail the run at its wait. */
  private static void checkLiteral(String field, JsonNode value, int depth) {
    if (depth > MAX_DEPTH) {
      throw new IllegalArgumentException("value for '" + field + "' is nested more than " + MAX_DEPTH + " levels deep");
    }
    if (value.isBigInteger() && !value.canConvertToLong()) {
      throw new IllegalArgumentException("value for '" + field + "' has the integer " + value
          + ", outside the 64-bit range the condition language can compare");
    }
    if (value.isFloatingPointNumber() && !Double.isFinite(value.doubleValue())) {
      throw new IllegalArgumentException("value for '" + field + "' has the number " + value.doubleValue()
          + ", which has no literal in the condition language");
    }
    for (JsonNode child : value) {
      checkLiteral(field, child, depth + 1);
    }
  }

  /** Adds any CEL condition, joined with {@code &&} to the others. */
  public WaitForEvent ifExpression(String cel) {
    Objects.requireNonNull(cel, "cel == null");
    if (cel.isBlank()) {
      throw new IllegalArgumentException("expression must not be blank");
    }
    return with(new Condition(cel, false));
  }

  private WaitForEvent with(Condition condition) {
    List<Condition> next = new ArrayList<>(conditions);
    next.add(condition);
    return new WaitForEvent(event, timeout, next);
  }

  /** The event name. */
  public String event() {
    return event;
  }

  /** The timeout, or null when not set yet. */
  public @Nullable Duration timeout() {
    return timeout;
  }

  /** The combined CEL condition, or null when there is none. */
  public @Nullable String expression() {
    if (conditions.isEmpty()) {
      return null;
    }
    if (conditions.size() == 1) {
      return conditions.get(0).text();
    }
    StringBuilder sb = new StringBuilder();
    for (Condition c : conditions) {
      if (sb.length() > 0) {
        sb.append(" && ");
      }
      sb.append(c.atomic() ? c.text() : "(" + c.text() + ")");
    }
    return sb.toString();
  }

  /** One condition; {@code atomic} ones (a single comparison) need no parentheses when joined. */
  private record Condition(String text, boolean atomic) {}

  @Override
  public String toString() {
    return "WaitForEvent{event=" + event + ", timeout=" + timeout + ", if=" + expression() + "}";
  }
}
