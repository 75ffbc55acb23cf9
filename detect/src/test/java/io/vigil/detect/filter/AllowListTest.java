package io.vigil.detect.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.v1.Event;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AllowListTest {
  private static final String RULE = "cda69d48-9272-4d83-8728-5f25a1a2b2e9";
  private static final String OTHER = "b45e3d6f-42c6-47d8-a478-df6bd6cf534c";

  private static final Event RSYNC =
      Events.exec(1, "backup", "/usr/bin/rsync", "rsync -a /srv nas:/backups");
  private static final Event SCP = Events.exec(2, "backup", "/usr/bin/scp", "scp -r /srv nas:");
  private static final Event DNS = Events.dns(3, "updates.example.org");

  @TempDir Path dir;

  /** A clock an expiry test can move forward. */
  private static final class DayClock extends Clock {
    private Instant now;

    DayClock(String day) {
      set(day);
    }

    void set(String day) {
      now = Instant.parse(day + "T12:00:00Z");
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private static AllowList parse(String yaml) throws AllowListException {
    return AllowList.parse(yaml, "allow.yml", new DayClock("2026-11-28"));
  }

  private static AllowList one(String entryBody) throws AllowListException {
    return parse("entries:\n  - reason: why\n" + entryBody);
  }

  @Test
  void rulesAlone() throws Exception {
    AllowList a = one("    rules: [" + RULE + "]\n");
    assertEquals(Optional.of("entries[0]: why"), a.allows(RULE, "web-01", SCP, null));
    assertEquals(Optional.of("entries[0]: why"), a.allows(RULE, null, null, null));
    assertTrue(a.allows(OTHER, "web-01", SCP, null).isEmpty());
    assertEquals(Map.of("entries[0]: why", 2L), a.silencedCounts());
  }

  @Test
  void hostsAlone() throws Exception {
    AllowList a = one("    hosts: [backup-*, nas?]\n");
    assertTrue(a.allows(RULE, "backup-01", SCP, null).isPresent());
    assertTrue(a.allows(OTHER, "BACKUP-02.lan", null, null).isPresent(), "case ignored");
    assertTrue(a.allows(RULE, "nas1", SCP, null).isPresent());
    assertTrue(a.allows(RULE, "nas12", SCP, null).isEmpty(), "? is one character");
    assertTrue(a.allows(RULE, "web-backup-01", SCP, null).isEmpty(), "the glob is anchored");
    assertTrue(a.allows(RULE, null, SCP, null).isEmpty(), "unknown host");
  }

  @Test
  void indicatorsSilenceOnlyIntelHitsOnThoseValues() throws Exception {
    AllowList a = one("    indicators: [10.0.0.5, Example.ORG.]\n");
    assertTrue(a.allows("intel:ip:10.0.0.5", "web-01", SCP, "10.0.0.5").isPresent());
    assertTrue(a.allows("intel:domain:example.org", "web-01", DNS, "example.org").isPresent());
    assertTrue(a.allows("intel:ip:10.0.0.6", "web-01", SCP, "10.0.0.6").isEmpty());
    // The same host and event, raised by a Sigma rule or a correlation: not an intel hit.
    assertTrue(a.allows(RULE, "web-01", SCP, null).isEmpty());
    assertTrue(a.allows("intel:ip:10.0.0.5", "web-01", SCP, null).isEmpty());
  }

  @Test
  void matchAloneUsesTheEventKindsDefaultLogSource() throws Exception {
    AllowList a =
        parse(
            "entries:\n"
                + "  - reason: nightly backup\n    match:\n      Image|endswith: /usr/bin/rsync\n"
                + "  - reason: update server\n    match:\n      QueryName|endswith: .example.org\n");
    assertEquals(Optional.of("entries[0]: nightly backup"), a.allows(RULE, "h", RSYNC, null));
    assertTrue(a.allows(RULE, "h", SCP, null).isEmpty());
    assertEquals(Optional.of("entries[1]: update server"), a.allows(OTHER, "h", DNS, null));
    assertTrue(a.allows(OTHER, "h", Events.dns(4, "example.com"), null).isEmpty());
    assertTrue(a.allows(RULE, "h", null, null).isEmpty(), "no event, no match");
    assertEquals(
        Map.of("entries[0]: nightly backup", 1L, "entries[1]: update server", 1L),
        a.silencedCounts());
  }

  @Test
  void combinedKeysMustAllAgree() throws Exception {
    AllowList a =
        one(
            "    rules: ["
                + RULE
                + "]\n    hosts: [backup-*]\n    match:\n      Image|endswith: /rsync\n      User: backup\n");
    assertTrue(a.allows(RULE, "backup-1", RSYNC, null).isPresent());
    assertTrue(a.allows(OTHER, "backup-1", RSYNC, null).isEmpty(), "other rule");
    assertTrue(a.allows(RULE, "web-1", RSYNC, null).isEmpty(), "other host");
    assertTrue(a.allows(RULE, "backup-1", SCP, null).isEmpty(), "other image");
    assertTrue(
        a.allows(RULE, "backup-1", Events.exec(5, "root", "/usr/bin/rsync", "rsync"), null)
            .isEmpty(),
        "other user");
  }

  @Test
  void expiredEntriesAreReportedAndIgnoredFromTheDayAfter() throws Exception {
    String yaml =
        "entries:\n"
            + "  - reason: old\n    hosts: ['*']\n    expires: 2026-01-31\n"
            + "  - reason: until new year\n    hosts: ['*']\n    expires: 2026-12-31\n";
    DayClock clock = new DayClock("2026-11-28");
    AllowList a = AllowList.parse(yaml, "allow.yml", clock);
    assertEquals(
        List.of("allow.yml: entries[0].expires: 2026-01-31 has passed: the entry is ignored"),
        a.notes());
    assertEquals(Optional.of("entries[1]: until new year"), a.allows(RULE, "h", SCP, null));
    clock.set("2026-12-31");
    assertTrue(a.allows(RULE, "h", SCP, null).isPresent(), "the last day still applies");
    clock.set("2027-01-01");
    assertTrue(a.allows(RULE, "h", SCP, null).isEmpty(), "expired while running");
    assertEquals(
        Map.of("entries[0]: old", 0L, "entries[1]: until new year", 2L), a.silencedCounts());
  }

  @Test
  void aBadFileReportsEveryErrorWithItsPath() {
    String yaml =
        """
        entries:
          - reason: typo
            matc:
              Image: /bin/x
          - reason: only a reason
          - rules: [x]
          - reason: bad date
            hosts: [h]
            expires: 31/12/2026
          - reason: bad modifier
            match:
              Image|endswithh: /x
          - reason: unfilled field
            match:
              OriginalFileName: x.exe
          - reason: empty rules
            rules: []
          - reason: keyword match
            match: [mimikatz]
          - just a string
        extra: 1
        """;
    AllowListException e = assertThrows(AllowListException.class, () -> parse(yaml));
    List<String> errors = e.errors();
    List<String> expected =
        List.of(
            "extra: unknown key",
            "entries[0].matc: unknown key",
            "entries[0]: narrows nothing",
            "entries[1]: narrows nothing",
            "entries[2].reason: missing",
            "entries[3].expires: '31/12/2026' is not a date",
            "entries[4].match.Image|endswithh: unknown value modifier",
            "entries[5].match: Vigil fills OriginalFileName for no kind of event",
            "entries[6].rules: must list at least one value",
            "entries[7].match: must be a mapping",
            "entries[8]: must be a mapping");
    for (String start : expected) {
      assertTrue(errors.stream().anyMatch(s -> s.startsWith(start)), start + " in " + errors);
    }
    assertEquals(expected.size(), errors.size(), errors.toString());
    assertTrue(e.getMessage().startsWith("allow.yml: 11 error(s): "), e.getMessage());
  }

  @Test
  void filesAreReadWithTheSafeLoadersLimits() throws Exception {
    Path empty = Files.writeString(dir.resolve("empty.yml"), "");
    AllowList none = AllowList.load(empty);
    assertTrue(none.entries().isEmpty());
    assertTrue(none.allows(RULE, "h", SCP, null).isEmpty());

    Path good =
        Files.writeString(
            dir.resolve("good.yml"), "entries:\n  - reason: r\n    rules: [" + RULE + "]\n");
    assertTrue(AllowList.load(good).allows(RULE, "h", SCP, null).isPresent());

    StringBuilder bomb = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i < 9; i++) {
      bomb.append("a").append(i).append(": &a").append(i).append(" [");
      for (int j = 0; j < 10; j++) {
        bomb.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
      }
      bomb.append("]\n");
    }
    Path bombFile = Files.writeString(dir.resolve("bomb.yml"), bomb.toString());
    AllowListException e = assertThrows(AllowListException.class, () -> AllowList.load(bombFile));
    assertTrue(e.errors().get(0).contains("YAML aliases expand"), e.getMessage());

    Path binary = Files.write(dir.resolve("bin.yml"), new byte[] {(byte) 0xfe, 'x'});
    AllowListException b = assertThrows(AllowListException.class, () -> AllowList.load(binary));
    assertTrue(b.getMessage().contains("not valid UTF-8"), b.getMessage());
  }
}
