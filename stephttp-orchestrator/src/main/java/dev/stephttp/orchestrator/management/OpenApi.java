package dev.stephttp.orchestrator.management;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The OpenAPI 3.1 document (docs/management-api.md §9), generated from the router's own route table
 * and parameter definitions, so it describes exactly the routes the server has. Built once.
 */
final class OpenApi {
  private static final Map<Integer, String> REASONS = new TreeMap<>(Map.ofEntries(
      Map.entry(400, "Invalid request"), Map.entry(401, "Unauthorized"),
      Map.entry(403, "Forbidden"), Map.entry(404, "Not found"),
      Map.entry(405, "Method not allowed"), Map.entry(406, "Not acceptable"),
      Map.entry(409, "Conflict"), Map.entry(413, "Payload too large"),
      Map.entry(415, "Unsupported media type"), Map.entry(422, "Not replayable"),
      Map.entry(429, "Rate limited"), Map.entry(500, "Internal error"),
      Map.entry(503, "Unavailable")));

  private final byte[] bytes;
  private final String etag;

  OpenApi(List<ApiRoute> routes, String version) {
    this.bytes = ApiJson.bytes(document(routes, version));
    this.etag = "\"" + sha256(bytes).substring(0, 16) + "\"";
  }

  ApiResult serve(ApiCall call) {
    return new ApiResult(200, null, null, null, etag, bytes, new java.util.LinkedHashMap<>());
  }

  byte[] bytes() {
    return bytes;
  }

  static ObjectNode document(List<ApiRoute> routes, String version) {
    ObjectNode doc = ApiJson.F.objectNode();
    doc.put("openapi", "3.1.0");
    ObjectNode info = doc.putObject("info");
    info.put("title", "stephttp orchestrator management API");
    info.put("version", version);
    info.put("description", "Management and observability API of the stephttp orchestrator"
        + " (Inngest v2 compatible). Authenticate with a Bearer signing key or the dashboard"
        + " session cookie. Dev mode turns authentication off.");
    doc.putArray("servers").addObject().put("url", "/api/v2");
    ArrayNode tags = doc.putArray("tags");
    for (String t : List.of("Runs", "Apps", "Functions", "Events", "Stats", "Auth", "Internal")) {
      tags.addObject().put("name", t);
    }
    ArrayNode security = doc.putArray("security");
    security.addObject().putArray("bearerAuth");
    security.addObject().putArray("sessionCookie");
    ObjectNode paths = doc.putObject("paths");
    for (ApiRoute r : routes) {
      ObjectNode item = paths.has(r.template()) ? (ObjectNode) paths.get(r.template())
          : paths.putObject(r.template());
      item.set(r.method().toLowerCase(Locale.ROOT), operation(r));
    }
    ObjectNode components = doc.putObject("components");
    ObjectNode schemes = components.putObject("securitySchemes");
    schemes.putObject("bearerAuth").put("type", "http").put("scheme", "bearer");
    schemes.putObject("sessionCookie").put("type", "apiKey").put("in", "cookie")
        .put("name", ApiAuth.COOKIE);
    components.set("schemas", ApiSchemas.all());
    components.set("headers", headers());
    return doc;
  }

  private static ObjectNode headers() {
    ObjectNode h = ApiJson.F.objectNode();
    for (String name : List.of("X-Request-ID", "ETag", "Idempotent-Replayed")) {
      h.putObject(name).putObject("schema").put("type", "string");
    }
    for (String name : List.of("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset",
        "Retry-After")) {
      h.putObject(name).putObject("schema").put("type", "integer");
    }
    return h;
  }

  private static ObjectNode operation(ApiRoute r) {
    ObjectNode op = ApiJson.F.objectNode();
    op.put("operationId", r.operationId());
    op.putArray("tags").add(r.tag());
    op.put("summary", r.summary());
    if (!r.auth()) {
      op.putArray("security");
    }
    ArrayNode params = op.putArray("parameters");
    for (ApiParam p : r.params()) {
      params.add(parameter(p));
    }
    if (r.body() != null) {
      ObjectNode body = op.putObject("requestBody");
      body.put("required", r.body().equals("SendEventRequest") || r.body().equals("LoginRequest"));
      body.putObject("content").putObject("application/json").putObject("schema")
          .put("$ref", "#/components/schemas/" + r.body());
    }
    ObjectNode responses = op.putObject("responses");
    success(responses, r);
    for (int status : r.statuses()) {
      ObjectNode resp = responses.putObject(Integer.toString(status));
      resp.put("description", REASONS.getOrDefault(status, "Error"));
      resp.putObject("content").putObject("application/json").putObject("schema")
          .put("$ref", "#/components/schemas/ErrorResponse");
      ObjectNode hs = resp.putObject("headers");
      ref(hs, "X-Request-ID");
      if (status == 429) {
        ref(hs, "Retry-After");
      }
    }
    return op;
  }

  private static void ref(ObjectNode headers, String name) {
    headers.putObject(name).put("$ref", "#/components/headers/" + name);
  }

  private static void success(ObjectNode responses, ApiRoute r) {
    if (r.response() == null) {
      ObjectNode resp = responses.putObject("204");
      resp.put("description", "No content");
      ref(resp.putObject("headers"), "X-Request-ID");
      return;
    }
    ObjectNode resp = responses.putObject("200");
    resp.put("description", "OK");
    ObjectNode hs = resp.putObject("headers");
    ref(hs, "X-Request-ID");
    if (!r.rate().equals("exempt")) {
      for (String h : List.of("X-RateLimit-Limit", "X-RateLimit-Remaining",
          "X-RateLimit-Reset")) {
        ref(hs, h);
      }
    }
    if (r.operationId().equals("GetFunctionRun") || r.operationId().equals("GetFunctionTrace")
        || r.operationId().equals("GetEvent") || r.operationId().equals("GetOpenApiDocument")) {
      ref(hs, "ETag");
      responses.putObject("304").put("description", "Not modified");
    }
    if (r.operationId().equals("SendEvent")) {
      ref(hs, "Idempotent-Replayed");
    }
    ObjectNode schema = resp.putObject("content").putObject("application/json")
        .putObject("schema");
    if (r.response().equals("OpenApiDocument")) {
      schema.put("type", "object");
      return;
    }
    schema.put("type", "object");
    boolean list = r.response().startsWith("[");
    ArrayNode required = schema.putArray("required").add("data").add("metadata");
    ObjectNode props = schema.putObject("properties");
    props.set("data", ApiSchemas.type(r.response()));
    props.putObject("metadata").put("$ref", "#/components/schemas/ResponseMetadata");
    if (list) {
      required.add("page");
      props.putObject("page").put("$ref", "#/components/schemas/Page");
    }
  }

  private static ObjectNode parameter(ApiParam p) {
    ObjectNode n = ApiJson.F.objectNode();
    n.put("name", p.name());
    n.put("in", p.in());
    n.put("required", p.in().equals("path"));
    n.put("description", p.description());
    ObjectNode item = ApiJson.F.objectNode();
    switch (p.type()) {
      case "integer" -> {
        item.put("type", "integer");
        item.put("minimum", p.min());
        item.put("maximum", p.max());
      }
      case "boolean" -> item.put("type", "boolean");
      case "date-time" -> item.put("type", "string").put("format", "date-time");
      case "ulid" -> item.put("type", "string").put("pattern", ApiSchemas.ULID_PATTERN);
      default -> item.put("type", "string");
    }
    if (!p.values().isEmpty()) {
      ArrayNode e = item.putArray("enum");
      p.values().forEach(e::add);
    }
    if (p.multi()) {
      ObjectNode arr = n.putObject("schema");
      arr.put("type", "array");
      arr.put("maxItems", 50);
      arr.set("items", item);
      n.put("style", "form");
      n.put("explode", true);
    } else {
      if (p.dflt() instanceof Integer i) {
        item.put("default", i);
      } else if (p.dflt() instanceof Boolean b) {
        item.put("default", b);
      } else if (p.dflt() instanceof String s) {
        item.put("default", s);
      }
      n.set("schema", item);
    }
    return n;
  }

  private static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  String json() {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
