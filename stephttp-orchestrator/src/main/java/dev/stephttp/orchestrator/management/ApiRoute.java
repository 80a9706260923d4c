package dev.stephttp.orchestrator.management;

import java.io.IOException;
import java.util.List;

/**
 * One management API operation: method, path template under {@code /api/v2}, the metadata the
 * OpenAPI document shows, and its handler.
 *
 * @param template path with {@code {name}} segments, e.g. {@code /runs/{runId}}
 * @param auth whether a key or session is required
 * @param rate rate category: {@code exempt}, {@code login}, {@code read}, {@code write},
 *     {@code events}
 * @param params documented parameters (path first, then query) in documented order
 * @param statuses documented response statuses besides the common ones
 * @param body request body schema name in the OpenAPI components, or null
 * @param response success data schema (component name, or {@code [Name]} for arrays)
 */
public record ApiRoute(String method, String template, String operationId, String tag, boolean auth,
    String rate, List<ApiParam> params, List<Integer> statuses, String body, String response,
    String summary, Handler handler) {

  /** Handles a validated, authenticated call. */
  @FunctionalInterface
  interface Handler {
    ApiResult handle(ApiCall call) throws IOException;
  }

  String[] segments() {
    return template.substring(1).split("/", -1);
  }
}
