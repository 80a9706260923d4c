package dev.stephttp.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The library's identity on the wire ({@code X-Inngest-SDK}, docs/protocol.md §5.5, §11). */
public final class Sdk {
  /** The library version, e.g. {@code 0.1.0-SNAPSHOT}. */
  public static final String VERSION = readVersion();
  /** The value of the {@code X-Inngest-SDK} header: {@code java:v<version>}. */
  public static final String HEADER_VALUE = "java:v" + VERSION;

  private Sdk() {}

  private static String readVersion() {
    try (InputStream in = Sdk.class.getResourceAsStream("version.properties")) {
      if (in == null) {
        return "0.0.0";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "0.0.0");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
