package io.vigil.agent.sensor.packet;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Tells pcap4j where libpcap is. pcap4j loads the library by the name {@code pcap}, which only the
 * development package's {@code libpcap.so} symlink provides; servers have the runtime package
 * ({@code libpcap0.8} on Debian), whose file is {@code libpcap.so.0.8}. Must run before pcap4j's
 * classes load; an operator's own {@code -Dorg.pcap4j.core.pcapLibName} wins.
 */
final class LibpcapLocation {
  static final String PROPERTY = "org.pcap4j.core.pcapLibName";

  private static final List<String> CANDIDATES =
      List.of(
          "/usr/lib/x86_64-linux-gnu/libpcap.so.0.8",
          "/usr/lib/aarch64-linux-gnu/libpcap.so.0.8",
          "/usr/lib64/libpcap.so.1",
          "/usr/lib/libpcap.so.0.8",
          "/usr/lib/libpcap.so.1");

  private LibpcapLocation() {}

  /** Sets the property when needed; returns the library pcap4j will load, for the status event. */
  static String configure() {
    String given = System.getProperty(PROPERTY);
    if (given != null && !given.isBlank()) {
      return given;
    }
    for (String dir :
        List.of(
            "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib")) {
      if (Files.exists(Path.of(dir, "libpcap.so"))) {
        return "pcap";
      }
    }
    for (String c : CANDIDATES) {
      if (Files.exists(Path.of(c))) {
        System.setProperty(PROPERTY, c);
        return c;
      }
    }
    return "pcap";
  }
}
