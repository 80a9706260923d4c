package dev.stephttp.servlet;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stephttp.internal.wire.Json;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** The library's own error answers: {@code {"errors":[{"code":…,"message":…}]}}. */
final class ErrorBodies {
  private ErrorBodies() {}

  static byte[] errors(String code, String message) {
    ObjectNode root = Json.mapper().createObjectNode();
    root.putArray("errors").addObject().put("code", code).put("message", message);
    return Json.write(root);
  }

  static void write(HttpServletResponse response, int status, byte[] body) throws IOException {
    response.setStatus(status);
    response.setContentType("application/json");
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }
}
