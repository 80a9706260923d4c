package dev.stephttp.orchestrator.http;

import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/** Bounded reading of request bodies, before anything is parsed (docs/protocol.md §9.6). */
public final class Bodies {

  /** The body exceeded its limit. */
  public static final class TooLarge extends Exception {
    private static final long serialVersionUID = 1L;

    TooLarge() {
      super("request body too large", null, false, false);
    }
  }

  private Bodies() {}

  /** Reads at most {@code limit} bytes; checks Content-Length first so nothing is parsed. */
  public static byte[] readBody(HttpServletRequest req, int limit)
      throws IOException, TooLarge {
    long declared = req.getContentLengthLong();
    if (declared > limit) {
      throw new TooLarge();
    }
    try (InputStream in = req.getInputStream()) {
      if (declared >= 0) { // one array of the declared size (the server reads no more)
        return in.readNBytes((int) declared);
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
      byte[] buf = new byte[16 * 1024];
      int n;
      while ((n = in.read(buf)) != -1) {
        if (out.size() + n > limit) {
          throw new TooLarge();
        }
        out.write(buf, 0, n);
      }
      return out.toByteArray();
    }
  }
}
