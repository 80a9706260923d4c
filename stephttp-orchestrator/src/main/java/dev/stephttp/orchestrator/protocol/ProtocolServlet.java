package dev.stephttp.orchestrator.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.stephttp.orchestrator.engine.AppOrigins;
import dev.stephttp.orchestrator.engine.Engine;
import dev.stephttp.orchestrator.engine.Settings;
import dev.stephttp.orchestrator.http.Bodies;
import dev.stephttp.orchestrator.model.BadRequest;
import dev.stephttp.orchestrator.model.Op;
import dev.stephttp.orchestrator.model.RequestJson;
import dev.stephttp.orchestrator.model.RunRecord;
import dev.stephttp.orchestrator.model.Ulids;
import dev.stephttp.orchestrator.store.ReadStore;
import dev.stephttp.orchestrator.store.StoreException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The orchestrator's HTTP API (docs/protocol.md §2.0 route table). Routing is done here on the
 * normalised raw path: duplicate slashes collapsed, a trailing slash ignored, both the
 * {@code /v1/checkpoint} and {@code /v1/http/runs} prefixes accepted.
 */
public final class ProtocolServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(ProtocolServlet.class);
  private static final java.util.regex.Pattern DUPLICATE_SLASHES =
      java.util.regex.Pattern.compile("/{2,}");

  private final transient ReadStore store;
  private final transient Engine engine;
  private final transient Clock clock;
  private final transient Fallback fallback;
  private final transient Tokens tokens;
  private final transient Auth auth;
  private final transient OutputEndpoint output;
  private final transient EventEndpoint events;
  private final transient AppOrigins origins;
  private final transient RealtimeEndpoint realtime;

  /** What answers a GET or HEAD that no protocol route matched (the dashboard's files). */
  @FunctionalInterface
  public interface Fallback {
    /** Serves {@code path} and answers true, or answers false (the servlet answers 404). */
    boolean serve(HttpServletRequest req, HttpServletResponse resp, String path)
        throws IOException;
  }

  /**
   * @param store reads only: every change goes through {@code engine}
   * @param fallback serves unmatched GETs and HEADs, e.g. the dashboard's files
   */
  public ProtocolServlet(ReadStore store, Engine engine, Tokens tokens, Auth auth,
      OutputEndpoint output, EventEndpoint events, RealtimeEndpoint realtime, AppOrigins origins,
      Clock clock, Fallback fallback) {
    this.realtime = realtime;
    this.clock = clock;
    this.fallback = fallback;
    this.origins = origins;
    this.store = store;
    this.engine = engine;
    this.tokens = tokens;
    this.auth = auth;
    this.output = output;
    this.events = events;
  }

  static String normalise(String rawPath) {
    String p = rawPath == null ? "/" : rawPath;
    if (p.contains("//")) {
      p = DUPLICATE_SLASHES.matcher(p).replaceAll("/");
    }
    if (p.length() > 1 && p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p.isEmpty() ? "/" : p;
  }

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    HttpIo.untrusted(resp); // the dashboard's files replace these with their own policy
    try {
      route(req, resp, req.getMethod(), normalise(req.getRequestURI()));
    } catch (BadRequest e) {
      HttpIo.error(resp, e.status(), e.getMessage());
    } catch (StoreException e) {
      LOG.error("store failure on {} {}", req.getMethod(), normalise(req.getRequestURI()), e);
      if (!resp.isCommitted()) {
        HttpIo.error(resp, 503, "Storage unavailable");
      }
    } catch (RuntimeException e) {
      LOG.error("unexpected failure on {} {}", req.getMethod(), normalise(req.getRequestURI()), e);
      if (!resp.isCommitted()) {
        HttpIo.error(resp, 500, "Internal server error");
      }
    }
  }

  private void route(HttpServletRequest req, HttpServletResponse resp, String method,
      String path) throws IOException {
    String[] seg = path.substring(1).split("/", -1);
    if (path.equals("/health")) {
      requireMethod(method, "GET");
      ObjectNode o = JsonNodeFactory.instance.objectNode().put("status", "ok");
      HttpIo.json(resp, 200, o);
      return;
    }
    if (seg[0].equals("e") && seg.length <= 2) {
      requireMethod(method, "POST");
      events.handle(req, resp, seg.length == 2 ? seg[1] : "");
      return;
    }
    if (seg.length >= 3 && seg[0].equals("v0") && seg[1].equals("runs") && seg.length == 4) {
      requireMethod(method, "GET");
      if (!auth.apiAllowed(req.getHeader("Authorization"))) {
        HttpIo.authFailed(resp);
        return;
      }
      if (seg[3].equals("actions")) {
        actions(resp, seg[2]);
        return;
      } else if (seg[3].equals("batch")) {
        batch(resp, seg[2]);
        return;
      }
    }
    if (path.equals("/v1/signals")) {
      requireMethod(method, "POST");
      signal(req, resp);
      return;
    }
    if (seg.length >= 3 && seg[0].equals("v1") && seg[1].equals("realtime")
        && realtime.handle(req, resp, method, path.substring("/v1/realtime/".length()))) {
      return; // §2.7
    }
    int base = prefixLength(seg);
    if (base > 0) {
      List<String> rest = List.of(seg).subList(base, seg.length);
      if (rest.isEmpty()) {
        requireMethod(method, "POST");
        createRun(req, resp);
        return;
      }
      if (rest.size() == 2 && rest.get(1).equals("steps")) {
        requireMethod(method, "POST");
        steps(req, resp, rest.get(0));
        return;
      }
      if (rest.size() == 2 && rest.get(1).equals("response")) {
        requireMethod(method, "POST");
        goResponse(req, resp);
        return;
      }
      if (rest.size() == 2 && rest.get(1).equals("output")) {
        requireMethod(method, "GET");
        output.handle(req, resp);
        return;
      }
    }
    if ((method.equals("GET") || method.equals("HEAD")) && fallback.serve(req, resp, path)) {
      return; // the dashboard's static files (any asset path)
    }
    HttpIo.error(resp, 404, "Not found: " + RunRequests.abbreviate(path));
  }

  /** Number of segments of {@code v1/checkpoint} or {@code v1/http/runs}, else 0. */
  private static int prefixLength(String[] seg) {
    if (seg.length >= 2 && seg[0].equals("v1") && seg[1].equals("checkpoint")) {
      return 2;
    }
    if (seg.length >= 3 && seg[0].equals("v1") && seg[1].equals("http") && seg[2].equals("runs")) {
      return 3;
    }
    return 0;
  }

  /**
   * §2.0 bearer check, then the body read within {@code limit} before parsing (§9.6). Null when
   * the caller was not authorised (the 401 is already written).
   */
  private JsonNode authorizedJson(HttpServletRequest req, HttpServletResponse resp, int limit,
      String error) throws IOException {
    byte[] body = authorizedBody(req, resp, limit, error);
    return body == null ? null : HttpIo.parse(body, error);
  }

  /** As {@link #authorizedJson}, the body not parsed. */
  private byte[] authorizedBody(HttpServletRequest req, HttpServletResponse resp, int limit,
      String error) throws IOException {
    if (!auth.apiAllowed(req.getHeader("Authorization"))) {
      HttpIo.authFailed(resp);
      return null;
    }
    try {
      return Bodies.readBody(req, limit);
    } catch (Bodies.TooLarge e) {
      throw new BadRequest(error + ": larger than " + (limit >> 20) + " MiB");
    }
  }

  private static void requireMethod(String actual, String expected) {
    if (!expected.equals(actual)) {
      throw new BadRequest(405, "Method " + actual + " not allowed; expected " + expected);
    }
  }

  private void createRun(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    byte[] body = authorizedBody(req, resp, Settings.MAX_CREATE_BODY, "Invalid request body");
    if (body == null) {
      return;
    }
    RunRequests.Create create =
        RunRequests.parseCreate(HttpIo.read(body, "Invalid request body"), clock.millis());
    if (!origins.allowsUrl(create.run().url())) {
      // before the store is touched: a run that may not be called back is not created at all
      throw new BadRequest("Invalid request body: event.data.domain: callback origin \""
          + RunRequests.abbreviate(AppOrigins.ofUrl(create.run().url())) + "\" is not one of the"
          + " app origins this orchestrator calls back (setting " + AppOrigins.SETTING + ")");
    }
    RunRecord run = engine.createRun(create.run(), create.eventName(), create.ops());
    Map<String, String> data = new LinkedHashMap<>();
    data.put("fn_id", run.fnId());
    data.put("app_id", run.appId());
    data.put("run_id", run.id());
    data.put("token", tokens.mintOutputToken(run.id(), run.createdAt()));
    data.put("realtime_token", tokens.mintRealtimeToken(run.id(), run.createdAt()));
    HttpIo.envelope(resp, data, clock.instant());
  }

  private void steps(HttpServletRequest req, HttpServletResponse resp, String pathRunId)
      throws IOException {
    if (!auth.apiAllowed(req.getHeader("Authorization"))) {
      HttpIo.authFailed(resp);
      return;
    }
    byte[] body;
    try {
      body = Bodies.readBody(req, Settings.MAX_STEPS_BODY);
    } catch (Bodies.TooLarge e) {
      // §9.6: the ops are lost, and with them perhaps the run's RunComplete: fail the run now
      // rather than leave it RUNNING for ever. The body is not parsed, so the path names it.
      String message = "checkpoint body larger than " + (Settings.MAX_STEPS_BODY >> 20) + " MiB";
      if (Ulids.isValid(pathRunId)) {
        String id = pathRunId.toUpperCase(java.util.Locale.ROOT);
        engine.failTooLarge(id, message);
      }
      throw new BadRequest(413, "invalid request body: " + message);
    }
    RequestJson.Body read = HttpIo.read(body, "invalid request body");
    String runId = RunRequests.stepsRunId(read, pathRunId);
    List<Op> ops = read.steps().ops("invalid request body: steps");
    // §2.2: processing problems (unknown run, finished run) are logged only; the answer is 200.
    String tooLarge = engine.checkpoint(runId, ops);
    if (tooLarge != null) {
      throw new BadRequest(413, "invalid request body: " + tooLarge + "; the run failed");
    }
    resp.setStatus(200);
    resp.setContentType("application/json");
    resp.setContentLength(0);
  }

  /** §10.3: resumes the run waiting for a signal; 404 when none waits. */
  private void signal(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    JsonNode node = authorizedJson(req, resp, Settings.MAX_EVENT_BYTES, "Invalid request body");
    if (node == null) {
      return;
    }
    if (!node.isObject()) {
      throw new BadRequest("Invalid request body: expected an object but found "
          + Op.typeOf(node));
    }
    JsonNode signal = node.get("signal");
    if (signal == null || !signal.isTextual() || signal.textValue().isBlank()) {
      throw new BadRequest("Invalid request body: signal: expected a non-empty string but found "
          + (signal != null && signal.isTextual() ? "a blank string" : Op.typeOf(signal)));
    }
    if (signal.textValue().length() > Settings.MAX_SIGNAL_NAME) {
      throw new BadRequest("Invalid request body: signal: longer than " + Settings.MAX_SIGNAL_NAME
          + " characters");
    }
    JsonNode data = node.get("data");
    String runId = engine.signal(signal.textValue(),
        data == null ? JsonNodeFactory.instance.nullNode() : data);
    if (runId == null) {
      HttpIo.error(resp, 404, "No run is waiting for signal \""
          + RunRequests.abbreviate(signal.textValue()) + "\"");
      return;
    }
    HttpIo.envelope(resp, Map.of("run_id", runId), clock.instant());
  }

  /** §2.4 (Go dead code, optional): {@code result} is treated like a RunComplete's data. */
  private void goResponse(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    JsonNode node = authorizedJson(req, resp, Settings.MAX_STEPS_BODY, "invalid request body");
    if (node == null) {
      return;
    }
    String runId = RunRequests.ulid(node.get("run_id"), "run_id");
    JsonNode result = node.get("result");
    if (result == null || !result.isObject()) {
      throw new BadRequest("invalid request body: result: expected an object but found "
          + Op.typeOf(result));
    }
    engine.complete(runId, result);
    resp.setStatus(200);
    resp.setContentType("application/json");
    resp.setContentLength(0);
  }

  private RunRecord stateRun(HttpServletResponse resp, String runId) throws IOException {
    if (!Ulids.isValid(runId)) {
      HttpIo.error(resp, 400, "The run ID specified is invalid");
      return null;
    }
    String id = runId.toUpperCase(java.util.Locale.ROOT);
    RunRecord run = store.read(tx -> tx.run(id));
    if (run == null || !run.running()) {
      HttpIo.error(resp, 410, "runtime state is no longer available for runID: " + id);
      return null;
    }
    return run;
  }

  /** §4: bare object step id → stored value. */
  private void actions(HttpServletResponse resp, String runId) throws IOException {
    RunRecord run = stateRun(resp, runId);
    if (run == null) {
      return;
    }
    Map<String, String> steps = store.read(tx -> tx.steps(run.id()));
    StringBuilder sb = new StringBuilder("{");
    for (Map.Entry<String, String> e : steps.entrySet()) {
      if (sb.length() > 1) {
        sb.append(',');
      }
      sb.append(new TextNode(e.getKey())).append(':').append(e.getValue());
    }
    sb.append("}\n");
    writeRaw(resp, sb.toString());
  }

  /** §2.6: the trigger event(s) as a bare array. */
  private void batch(HttpServletResponse resp, String runId) throws IOException {
    RunRecord run = stateRun(resp, runId);
    if (run != null) {
      writeRaw(resp, "[" + run.event() + "]\n");
    }
  }

  private static void writeRaw(HttpServletResponse resp, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    resp.setStatus(200);
    resp.setContentType("application/json");
    resp.setContentLength(bytes.length);
    resp.getOutputStream().write(bytes);
  }
}
