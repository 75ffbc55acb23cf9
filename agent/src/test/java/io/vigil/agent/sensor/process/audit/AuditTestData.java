package io.vigil.agent.sensor.process.audit;

import io.vigil.common.testing.TestData;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/** Reads the shared auditd test logs straight from their zips; they are never copied. */
public final class AuditTestData {
  private AuditTestData() {}

  /**
   * The zip's single file, as lines (without their line ends). Skips the test if data is absent.
   */
  public static List<byte[]> linesOf(String zipName) throws IOException {
    Path zip = TestData.require("auditd/" + zipName);
    try (ZipFile z = new ZipFile(zip.toFile())) {
      Enumeration<? extends ZipEntry> entries = z.entries();
      ZipEntry only = entries.nextElement();
      if (entries.hasMoreElements()) {
        throw new IllegalStateException(zipName + " holds more than one file");
      }
      try (InputStream in = z.getInputStream(only)) {
        return split(in.readNBytes(16 * 1024 * 1024));
      }
    }
  }

  private static List<byte[]> split(byte[] all) {
    List<byte[]> lines = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= all.length; i++) {
      if (i == all.length || all[i] == '\n') {
        if (i > start) {
          lines.add(java.util.Arrays.copyOfRange(all, start, i));
        }
        start = i + 1;
      }
    }
    return lines;
  }
}
