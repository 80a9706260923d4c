package dev.stephttp.orchestrator;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Random;

/**
 * Junk request bodies for the orchestrator's input endpoints, built from a {@link Choices} source:
 * a seeded {@link Random} in the parameterised tests (so a failure reproduces), the fuzzer's data
 * in the fuzz test (so coverage steers the choices). The vocabularies keep the junk close enough
 * to the wire format to get past the JSON parser into validation.
 */
final class Junk {
  static final JsonNodeFactory F = JsonNodeFactory.instance;
  static final List<String> KEYS = List.of("run_id", "event", "name", "data", "domain", "path",
      "method", "body", "query_params", "steps", "op", "id", "opts", "duration", "timeout", "if",
      "error", "message", "retries", "request_version", "ts", "user", "v", "noRetry", "fn_id");
  static final List<String> OPS = List.of("StepRun", "Step", "StepError", "StepFailed", "Sleep",
      "WaitForEvent", "RunComplete", "SyncRunComplete", "StepPlanned", "None",
      "DiscoveryRequest", "InvokeFunction", "DeferAdd", "stepRUN", "Bogus");
  static final List<String> LITERALS = List.of("1s", "-5m", "2026-01-01T00:00:00Z",
      "async.data.x == 1", "((", "http://127.0.0.1:1", "01J9Z3K6W8T6M0V2Q4R5S7X8Y9");
  static final List<String> EVENT_KEYS = List.of("name", "data", "id", "ts", "v", "user");
  static final List<String> CREATE_FIELDS = List.of("run_id", "event", "steps", "retries",
      "request_version");
  static final List<String> REQUEST_FIELDS = List.of("method", "path", "body", "content_type",
      "query_params", "fn", "domain");
  static final List<String> TRIGGER_NAMES = List.of("inngest/http.request", "http/run.started");
  static final List<String> OP_FIELDS = List.of("id", "op", "data", "opts", "error", "name",
      "timing", "userland");

  private static final String PUNCTUATION = "{}[]\":,\\/ ";

  /** Where the generator's decisions come from. */
  interface Choices {
    /** A number in {@code [0, bound)}. */
    int below(int bound);

    String string(int maxLength);

    long anyLong();

    double anyDouble();
  }

  private final Choices c;

  Junk(Choices c) {
    this.c = c;
  }

  /** Choices from a fixed-seed {@link Random}: strings mix ASCII, JSON punctuation, controls. */
  static Junk seeded(long seed) {
    Random r = new Random(seed);
    long[] longs = {0, -1, 1, Long.MIN_VALUE, Long.MAX_VALUE, Integer.MAX_VALUE + 1L};
    double[] doubles = {0.0, -0.0, Double.MAX_VALUE, Double.MIN_VALUE, -1.5, Double.NaN,
        Double.POSITIVE_INFINITY};
    return new Junk(new Choices() {
      @Override
      public int below(int bound) {
        return r.nextInt(bound);
      }

      @Override
      public String string(int maxLength) {
        StringBuilder s = new StringBuilder();
        for (int n = r.nextInt(maxLength + 1); n > 0; n--) {
          s.append(switch (r.nextInt(6)) {
            case 0 -> PUNCTUATION.charAt(r.nextInt(PUNCTUATION.length()));
            case 1 -> (char) r.nextInt(0x20);
            case 2 -> (char) (r.nextInt(0xFFFF) + 1); // any UTF-16 unit, lone surrogates too
            default -> (char) (0x20 + r.nextInt(0x5F));
          });
        }
        return s.toString();
      }

      @Override
      public long anyLong() {
        return r.nextInt(4) == 0 ? longs[r.nextInt(longs.length)] : r.nextLong();
      }

      @Override
      public double anyDouble() {
        return r.nextInt(4) == 0 ? doubles[r.nextInt(doubles.length)]
            : (r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(40) - 20);
      }
    });
  }

  /** Choices from the fuzzer; once its data runs out every choice is the first one. */
  static Junk fuzzed(FuzzedDataProvider data) {
    return new Junk(new Choices() {
      @Override
      public int below(int bound) {
        return data.consumeInt(0, bound - 1);
      }

      @Override
      public String string(int maxLength) {
        return data.consumeString(maxLength);
      }

      @Override
      public long anyLong() {
        return data.consumeLong();
      }

      @Override
      public double anyDouble() {
        return data.consumeDouble();
      }
    });
  }

  /** Anything for the checkpoint endpoints: text, nested JSON, a create-run with a bad field. */
  String any() {
    return switch (c.below(3)) {
      case 0 -> c.string(80);
      case 1 -> json(3).toString();
      default -> mutatedCreate().toString();
    };
  }

  /** For {@code /steps}: {@link #any()} or a steps body whose op carries a junk field. */
  String steps(String runId) {
    if (c.below(4) > 0) {
      return any();
    }
    ObjectNode op = switch (c.below(3)) {
      case 0 -> Runs.stepRun("a", 1);
      case 1 -> Runs.sleep("s", "1h");
      default -> Runs.waitFor("w", "order/approved", "1h", "async.data.x == 1");
    };
    op.set(pick(OP_FIELDS), json(2));
    ObjectNode body = F.objectNode().put("run_id", runId);
    body.putArray("steps").add(op);
    return body.toString();
  }

  /** For {@code /e/{key}}: text, nested JSON, one event object or an array of them. */
  String events() {
    return switch (c.below(4)) {
      case 0 -> c.string(80);
      case 1 -> json(3).toString();
      case 2 -> event().toString();
      default -> {
        ArrayNode a = F.arrayNode();
        for (int n = c.below(5); n > 0; n--) {
          a.add(event());
        }
        yield a.toString();
      }
    };
  }

  /** A well-formed create-run whose trigger event carries one junk request field. */
  String junkRequestData() {
    ObjectNode body = Runs.create(Runs.newRunId(), "http://127.0.0.1:1", "/p", 0,
        Runs.sleep("s", "1ms"));
    ObjectNode event = (ObjectNode) body.get("event");
    event.put("name", pick(TRIGGER_NAMES));
    ((ObjectNode) event.get("data")).set(pick(REQUEST_FIELDS), leaf());
    return body.toString();
  }

  /** A valid create-run body with one top-level field replaced by junk. */
  ObjectNode mutatedCreate() {
    ObjectNode body = Runs.create(Runs.newRunId(), "http://127.0.0.1:1", "/p", 1,
        Runs.stepRun("a", 1), Runs.sleep("s", "1h"));
    body.set(pick(CREATE_FIELDS), json(2));
    return body;
  }

  ObjectNode event() {
    ObjectNode o = F.objectNode();
    for (int n = c.below(7); n > 0; n--) {
      o.set(pick(EVENT_KEYS), leaf());
    }
    return o;
  }

  JsonNode json(int depth) {
    int kind = depth == 0 ? 0 : c.below(3);
    if (kind == 0) {
      return leaf();
    }
    if (kind == 1) {
      ObjectNode o = F.objectNode();
      for (int n = c.below(6); n > 0; n--) {
        o.set(pick(KEYS), json(depth - 1));
      }
      return o;
    }
    ArrayNode a = F.arrayNode();
    for (int n = c.below(5); n > 0; n--) {
      a.add(json(depth - 1));
    }
    return a;
  }

  JsonNode leaf() {
    return switch (c.below(7)) {
      case 0 -> F.textNode(c.string(20));
      case 1 -> F.textNode(pick(OPS));
      case 2 -> F.textNode(pick(LITERALS));
      case 3 -> F.numberNode(c.anyLong());
      case 4 -> F.numberNode(c.anyDouble());
      case 5 -> F.booleanNode(c.below(2) == 0);
      default -> F.nullNode();
    };
  }

  private String pick(List<String> values) {
    return values.get(c.below(values.size()));
  }
}
