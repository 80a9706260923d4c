package dev.stephttp.orchestrator.management;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stephttp.orchestrator.model.Op;
import dev.stephttp.orchestrator.store.ReadStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/** Health (§8.1), readiness (§8.2), login (§8.4) and logout (§8.5). */
public final class SystemApi {
  private final ReadStore store;
  private final ApiGate gate;
  private final LongSupplier sinceSchedulerTick;
  private final BooleanSupplier shuttingDown;

  /**
   * @param sinceSchedulerTick milliseconds since the scheduler's timer loop last went round, -1
   *     before it went round once
   */
  public SystemApi(ReadStore store, ApiGate gate, LongSupplier sinceSchedulerTick,
      BooleanSupplier shuttingDown) {
    this.store = store;
    this.gate = gate;
    this.sinceSchedulerTick = sinceSchedulerTick;
    this.shuttingDown = shuttingDown;
  }

  ApiResult health(ApiCall call) {
    ObjectNode data = ApiJson.F.objectNode();
    data.put("status", "ok");
    return ApiResult.ok(data);
  }

  ApiResult ready(ApiCall call) {
    if (shuttingDown.getAsBoolean()) {
      throw ApiException.of("shutting_down", "The server is shutting down.");
    }
    ArrayNode checks = ApiJson.F.arrayNode();
    List<ApiException.Error> failures = new ArrayList<>();
    long t0 = System.nanoTime();
    String storageProblem = null;
    try {
      CompletableFuture.supplyAsync(() -> store.read(tx -> tx.run("00000000000000000000000000")))
          .get(1, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      storageProblem = "no answer within 1000 ms";
    } catch (Exception e) {
      storageProblem = "read failed";
    }
    check(checks, failures, "storage", storageProblem, t0);
    long sinceTick = sinceSchedulerTick.getAsLong();
    long t1 = System.nanoTime();
    check(checks, failures, "scheduler", sinceTick > 10_000
        ? "the timer loop has not ticked for " + sinceTick + " ms" : null, t1);
    check(checks, failures, "recovery", sinceTick < 0 ? "start-up recovery has not finished"
        : null, t1);
    if (!failures.isEmpty()) {
      throw new ApiException(failures);
    }
    ObjectNode data = ApiJson.F.objectNode();
    data.put("status", "ready");
    data.set("checks", checks);
    return ApiResult.ok(data);
  }

  private static void check(ArrayNode checks, List<ApiException.Error> failures, String name,
      String problem, long t0) {
    ObjectNode c = checks.addObject();
    c.put("name", name);
    c.put("status", problem == null ? "OK" : "FAILED");
    c.put("durationMs", (System.nanoTime() - t0) / 1_000_000);
    if (problem != null) {
      failures.add(new ApiException.Error("not_ready", name + ": " + problem, null));
    }
  }

  ApiResult login(ApiCall call) {
    ObjectNode data = ApiJson.F.objectNode();
    ApiAuth auth = gate.auth();
    if (auth.dev()) { // §8.4: no cookie, body not checked
      data.put("authMode", "DEV");
      data.putNull("expiresAt");
      return ApiResult.ok(data).header("Cache-Control", "no-store");
    }
    if (!gate.originOk(call.request())) {
      throw ApiException.of("forbidden_origin", "Logins from this origin are not allowed.");
    }
    ObjectNode body = ApiJson.parseObject(call.body());
    JsonNode key = body.get("signingKey");
    ApiQuery q = call.query();
    if (key == null || key.isNull() || (key.isTextual() && key.textValue().isBlank())) {
      q.error("signing_key_required", "signingKey is required.", "signingKey");
    } else if (!key.isTextual()) {
      q.error("invalid_field_type", "signingKey must be a string; found " + Op.typeOf(key)
          + ".", "signingKey");
    }
    q.check();
    String which = auth.matchKey(key.textValue());
    if (which == null) {
      gate.authFailed(call.request().getRemoteAddr(), "invalid_key");
      throw ApiException.of("unauthorized", "The signing key or session is not valid.");
    }
    String[] session = auth.login(which);
    data.put("authMode", "SESSION");
    data.put("expiresAt", ApiJson.ts(Long.parseLong(session[1])));
    return ApiResult.ok(data).header("Cache-Control", "no-store").header("Set-Cookie",
        ApiAuth.sessionCookie(session[0], ApiAuth.SESSION_MS / 1000,
            call.request().isSecure()));
  }

  ApiResult logout(ApiCall call) {
    gate.auth().logout(ApiAuth.cookie(call.request()));
    return ApiResult.noContent().header("Cache-Control", "no-store").header("Set-Cookie",
        ApiAuth.sessionCookie("", 0, call.request().isSecure()));
  }
}
