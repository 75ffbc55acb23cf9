package io.vigil.detect.vigil;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.detect.sigma.match.SigmaFields;
import io.vigil.detect.sigma.rule.LogSource;
import io.vigil.proto.v1.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ExecAuditRecordsTest {
  private static final List<String> ASKED = names();

  private static List<String> names() {
    List<String> out =
        new ArrayList<>(
            List.of(
                "type",
                "SYSCALL",
                "success",
                "exe",
                "comm",
                "pid",
                "ppid",
                "uid",
                "gid",
                "euid",
                "suid",
                "fsuid",
                "egid",
                "auid",
                "ses",
                "tty",
                "key",
                "argc",
                "cwd",
                "item",
                "name",
                "nametype",
                "inode",
                "a",
                "a01",
                "acct",
                "Image"));
    for (int i = 0; i < 70; i++) {
      out.add("a" + i);
    }
    return out;
  }

  private static List<SigmaFields> records(Event e) {
    return LogSources.map(new LogSource("linux", null, "auditd")).present(e);
  }

  /** The engine skips names outside fieldNames(): every name a record answers must be in it. */
  @Test
  void fieldNamesCoverEveryFieldARecordAnswers() {
    List<Event> events =
        List.of(
            Events.exec("/usr/bin/sysctl", "sysctl", "-w", "kernel.randomize_va_space=0"),
            Events.exec("/usr/bin/true"),
            Events.exec("/bin/sh", manyArgs(66)));
    for (Event e : events) {
      for (SigmaFields r : records(e)) {
        Set<String> declared = r.fieldNames();
        for (String name : ASKED) {
          if (!r.values(name).isEmpty()) {
            assertTrue(declared == null || declared.contains(name), r + " answers " + name);
          }
        }
      }
    }
  }

  @Test
  void keywordStringsAreTheTypeAndEveryFieldText() {
    Event e = Events.exec("/usr/bin/sysctl", "sysctl", "-w", "kernel.randomize_va_space=0");
    List<SigmaFields> r = records(e);
    assertEquals(
        List.of("EXECVE", "3", "sysctl", "-w", "kernel.randomize_va_space=0"), strings(r.get(1)));
    assertEquals(List.of("CWD", "/home/alice"), strings(r.get(2)));
    assertEquals(List.of("PATH", "0", "/usr/bin/sysctl", "NORMAL"), strings(r.get(3)));
    List<String> syscall = strings(r.get(0));
    assertEquals(
        List.of("SYSCALL", "execve", "yes", "/usr/bin/sysctl", "sysctl"), syscall.subList(0, 5));
    assertEquals("(none)", syscall.get(syscall.size() - 1));
  }

  @Test
  void commIsTheBaseNameCutToFifteenCharacters() {
    Event e = Events.exec("/opt/x/a-very-long-program-name", "a-very-long-program-name");
    assertEquals(List.of("a-very-long-pro"), records(e).get(0).values("comm"));
  }

  private static String[] manyArgs(int n) {
    String[] out = new String[n];
    for (int i = 0; i < n; i++) {
      out[i] = "arg" + i;
    }
    return out;
  }

  private static List<String> strings(SigmaFields f) {
    List<String> out = new ArrayList<>();
    f.allStrings().forEach(out::add);
    return out;
  }
}
