package dev.stephttp.orchestrator.management;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;

/**
 * One management API request as handlers see it: decoded path parameters, the query collector,
 * the body (already size-checked and read for POSTs), the caller and the request ID.
 */
record ApiCall(HttpServletRequest request, ApiRoute route, Map<String, String> path,
    ApiQuery query, byte[] body, ApiAuth.Principal principal, String requestId) {

  String pathParam(String name) {
    return path.get(name);
  }
}
