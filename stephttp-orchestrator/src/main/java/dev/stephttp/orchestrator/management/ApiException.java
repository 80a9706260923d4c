package dev.stephttp.orchestrator.management;

import java.util.List;
import java.util.Map;

/**
 * A management API failure carrying one or more errors (docs/management-api.md §2.5). The HTTP
 * status is that of the first error's code. Stackless: it is control flow, not a bug.
 */
public final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** One entry of the {@code errors} array. */
  record Error(String code, String message, String field) {}

  private static final Map<String, Integer> STATUS = Map.ofEntries(
      Map.entry("unauthorized", 401), Map.entry("environment_access_denied", 403),
      Map.entry("forbidden_origin", 403), Map.entry("route_not_found", 404),
      Map.entry("run_not_found", 404), Map.entry("app_not_found", 404),
      Map.entry("function_not_found", 404), Map.entry("event_not_found", 404),
      Map.entry("signal_not_found", 404),
      Map.entry("method_not_allowed", 405), Map.entry("not_acceptable", 406),
      Map.entry("run_already_finished", 409), Map.entry("run_already_cancelled", 409),
      Map.entry("idempotency_conflict", 409), Map.entry("payload_too_large", 413),
      Map.entry("uri_too_long", 414), Map.entry("unsupported_media_type", 415),
      Map.entry("run_not_replayable", 422), Map.entry("rate_limited", 429),
      Map.entry("internal_error", 500), Map.entry("storage_unavailable", 503),
      Map.entry("query_timeout", 503), Map.entry("not_ready", 503),
      Map.entry("shutting_down", 503));

  private final transient List<Error> errors;

  ApiException(List<Error> errors) {
    super(errors.get(0).code(), null, false, false);
    this.errors = List.copyOf(errors);
  }

  static ApiException of(String code, String message, String field) {
    return new ApiException(List.of(new Error(code, message, field)));
  }

  static ApiException of(String code, String message) {
    return of(code, message, null);
  }

  /** HTTP status of an error code; every code not listed is a 400 validation error. */
  public static int status(String code) {
    return STATUS.getOrDefault(code, 400);
  }

  List<Error> errors() {
    return errors;
  }

  public int status() {
    return status(errors.get(0).code());
  }
}
