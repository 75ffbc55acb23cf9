package io.vigil.collector.ingest;

import static io.vigil.collector.ingest.FimAgentSim.file;
import static io.vigil.collector.ingest.FimAgentSim.hash;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.vigil.collector.fim.FimAlerts;
import io.vigil.collector.fim.FimOptions;
import io.vigil.collector.store.AlertQuery;
import io.vigil.collector.store.AlertRow;
import io.vigil.collector.store.EventStore;
import io.vigil.collector.store.StoreReader;
import io.vigil.proto.fim.FimDigest;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.FileState;
import io.vigil.proto.v1.FimBaseline;
import io.vigil.proto.v1.FimEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The collector's mirror of an agent's integrity baseline, through the real ingest path and a real
 * store file: a consistent stream raises nothing; an edited local baseline, a scan digest that
 * differs, a baseline re-created from scratch, a resynchronisation that differs, lost parts and an
 * unmirrorable baseline each raise their alert, stored, listed and written like any other; re-sent
 * batches, restarts and hostile parts neither double-apply nor break ingest.
 */
class FimMirrorIngestTest {
  private static final String BASELINES = "vigil_collector_fim_baselines_total";
  private static final String SCANS = "vigil_collector_fim_scans_total";
  private static final String IGNORED = "vigil_collector_fim_ignored_total";

  @TempDir Path dir;

  /** A small server baseline, with paths whose UTF-8 order is not Java's String order. */
  private static FimAgentSim agent() {
    FimAgentSim a = new FimAgentSim(1);
    a.edit("/etc/passwd", file(hash('1'), 1001));
    a.edit("/etc/shadow", file(hash('2'), 802));
    a.edit("/usr/bin/ls", file(hash('3'), 138_208));
    a.edit("/usr/bin/sudo", file(hash('4'), 232_416));
    a.edit("/etc/cron.d/e2scrub_all", file(hash('5'), 396));
    // U+FFFD sorts before U+1F600 in UTF-8 bytes, after it in UTF-16 (String.compareTo).
    a.edit("/srv/\uFFFD", file(hash('6'), 7));
    a.edit("/srv/\uD83D\uDE00", file(hash('7'), 8));
    a.edit("/srv/caf\u00e9", file(hash('8'), 9));
    a.edit("/srv/a\u0000b", file(hash('9'), 10));
    return a;
  }

  private static FimRun run(Path dir) throws Exception {
    return new FimRun(dir, FimOptions.defaults());
  }

  private static JsonObject matched(AlertRow a) {
    return JsonParser.parseString(a.matchedFieldsJson()).getAsJsonObject();
  }

  private static String first(JsonObject fields, String name) {
    return fields.getAsJsonArray(name).get(0).getAsString();
  }

  private static List<String> strings(JsonArray a) {
    List<String> out = new ArrayList<>();
    a.forEach(v -> out.add(v.getAsString()));
    return out;
  }

  @Test
  void aMirrorBuiltFromPartsSpanningBatchesFollowsAConsistentStreamWithoutAlerts()
      throws Exception {
    FimAgentSim a = agent();
    try (FimRun r = run(dir)) {
      List<Event> parts = a.sendBaseline("b1", "created", 4); // 9 entries: parts of 4, 4, 1
      assertEquals(3, parts.size());
      r.send(parts.subList(0, 2));
      assertEquals(8, r.staged(), "the first two parts wait, staged on disk");
      assertEquals(List.of(), r.mirroredPaths());
      r.send(parts.get(2), a.scan("b1"));
      assertEquals(9, r.mirroredPaths().size());
      assertEquals(0, r.staged());
      // Changes, a new file, a deletion, each followed by a scan whose digest must match.
      r.send(
          a.change("/etc/passwd", file(hash('a'), 1040)),
          a.change("/etc/cron.d/backdoor", file(hash('b'), 60)),
          a.change("/usr/bin/sudo", FileState.getDefaultInstance()),
          a.scan("b1"));
      r.send(a.change("/etc/shadow", file(hash('c'), 803)), a.scan("b1"));
      assertEquals(List.of(), r.alerts(), "a consistent stream raises nothing");
      assertEquals(1, r.counter(BASELINES, "outcome", "mirrored"));
      assertEquals(3, r.counter(SCANS, "result", "match"));
      assertEquals(0, r.counter(SCANS, "result", "mismatch"));
      assertEquals(4, r.counter("vigil_collector_fim_events_total", "kind", "change"));
      // The mirror is the agent's baseline, in FimDigest's order (UTF-8 bytes, unsigned).
      List<String> expected = new ArrayList<>(a.baseline().keySet());
      expected.sort(FimDigest::comparePaths);
      assertEquals(expected, r.mirroredPaths());
      String digest = FimDigest.of(entries(a));
      // 9 entries and the deleted /usr/bin/sudo, kept as an entry that does not exist.
      assertEquals(List.of("b1 10 " + digest + " 1"), r.agentRow());
    }
  }

  private static List<FimEntry> entries(FimAgentSim a) {
    List<FimEntry> out = new ArrayList<>();
    a.baseline().forEach((p, s) -> out.add(FimEntry.newBuilder().setPath(p).setState(s).build()));
    return out;
  }

  @Test
  void aChangeFromAnEditedLocalBaselineRaisesAnAlertNamingThePath() throws Exception {
    FimAgentSim a = agent();
    try (FimRun r = run(dir)) {
      r.send(a.sendBaseline("b1", "created", 100));
      // Root replaces ls, then edits the agent's local baseline to the new binary's state and
      // later touches the file again: the agent reports a change from the forged state.
      FileState trojan = file(hash('e'), 140_000);
      a.edit("/usr/bin/ls", trojan);
      r.send(a.change("/usr/bin/ls", trojan.toBuilder().setMode(0104755).build()), a.scan("b1"));

      List<AlertRow> alerts = r.alerts();
      assertEquals(List.of(FimAlerts.CHANGE_OFF_MIRROR), r.ruleIds(), alerts.toString());
      AlertRow alert = alerts.get(0);
      assertEquals("high", alert.level());
      assertEquals("fim", alert.source());
      assertEquals(FimAlerts.ORIGIN, alert.ruleOrigin());
      assertEquals("FIM change does not follow the collector's mirror", alert.title());
      assertTrue(alert.tagsJson().contains("attack.defense-evasion"), alert.tagsJson());
      JsonObject f = matched(alert);
      assertEquals("/usr/bin/ls", first(f, "TargetFilename"));
      assertEquals(
          List.of("content", "size", "mtime", "ctime", "inode"),
          strings(f.getAsJsonArray("differences")));
      assertTrue(first(f, "mirror").startsWith("sha256=" + hash('3')), f.toString());
      assertTrue(first(f, "reported_before").startsWith("sha256=" + hash('e')), f.toString());
      assertEquals(1, r.counter(SCANS, "result", "match"), "the mirror took the change");
    }
  }

  @Test
  void aScanWhoseDigestDiffersFromTheMirrorRaisesAnAlertWithBothDigests() throws Exception {
    FimAgentSim a = agent();
    try (FimRun r = run(dir)) {
      r.send(a.sendBaseline("b1", "created", 100));
      String mirror = FimDigest.of(entries(a));
      // Root edits the local baseline so the next scan finds nothing to report.
      a.edit("/etc/shadow", file(hash('f'), 900)).forget("/etc/cron.d/e2scrub_all");
      r.send(a.scan("b1"));

      List<AlertRow> alerts = r.alerts();
      assertEquals(List.of(FimAlerts.DIGEST_MISMATCH), r.ruleIds());
      assertEquals("high", alerts.get(0).level());
      assertEquals(23, alerts.get(0).eventKind(), "anchored on the FimScan");
      JsonObject f = matched(alerts.get(0));
      assertEquals(FimDigest.of(entries(a)), first(f, "digest_host"));
      assertEquals(mirror, first(f, "digest_mirror"));
      assertEquals("8", first(f, "entries_host"));
      assertEquals("9", first(f, "entries_mirror"));
      assertEquals(1, r.counter(SCANS, "result", "mismatch"));
      // A scan under a baseline id the mirror does not hold differs too.
      r.send(a.scan("b-unknown", mirror, 9));
      assertEquals(2, r.alerts().size());
      assertEquals("b-unknown", first(matched(r.alerts().get(1)), "baseline_id"));
    }
  }

  @Test
  void aBaselineReCreatedUnderANewIdRaisesAnAlertListingWhatDiffers() throws Exception {
    FimAgentSim a = agent();
    try (FimRun r = run(dir)) {
      r.send(a.sendBaseline("b1", "created", 100));
      // While nobody watched: ls replaced, a cron file planted, sudo's mode changed; then the
      // agent's baseline was deleted and the agent built a new one from what it found.
      a.edit("/usr/bin/ls", file(hash('e'), 140_000));
      a.edit("/etc/cron.d/evil", file(hash('d'), 60));
      a.edit("/usr/bin/sudo", file(hash('4'), 232_416).toBuilder().setMode(0104755).build());
      r.send(a.sendBaseline("b2", "created", 3));

      List<AlertRow> alerts = r.alerts();
      assertEquals(List.of(FimAlerts.RECREATED), r.ruleIds());
      AlertRow alert = alerts.get(0);
      assertEquals("high", alert.level());
      assertEquals("FIM baseline re-created on host", alert.title());
      JsonObject f = matched(alert);
      assertEquals("3", first(f, "differing_paths"));
      assertEquals("b2", first(f, "baseline_id"));
      assertEquals("b1", first(f, "previous_baseline_id"));
      assertEquals(
          List.of("/etc/cron.d/evil", "/usr/bin/ls", "/usr/bin/sudo"),
          strings(f.getAsJsonArray("TargetFilename")));
      assertEquals(
          List.of(
              "created /etc/cron.d/evil",
              "content,size,mtime,ctime,inode /usr/bin/ls",
              "mode /usr/bin/sudo"),
          strings(f.getAsJsonArray("differences")));
      // The new baseline is the mirror now: its scans match.
      r.send(a.scan("b2"));
      assertEquals(1, r.alerts().size());
      assertEquals(List.of("b2 10 " + FimDigest.of(entries(a)) + " 1"), r.agentRow());
    }
  }

  @Test
  void aReCreatedBaselineNamesAtMostTwentyPathsAndCountsThemAll() throws Exception {
    FimAgentSim a = agent();
    try (FimRun r = run(dir)) {
      r.send(a.sendBaseline("b1", "created", 100));
      for (int i = 0; i < 30; i++) {
        a.edit(String.format("/etc/new/%02d", i), file(hash('d'), i));
      }
      r.send(a.sendBaseline("b2", "created", 7));
      JsonObject f = matched(r.alerts().get(0));
      assertEquals("30", first(f, "differing_paths"));
      assertEquals(20, f.getAsJsonArray("TargetFilename").size());
      assertEquals("/etc/new/00", first(f, "TargetFilename"));
    }
  }

  @Test
  void aResyncWithDifferencesAlertsAndAConfigBaselineReplacesTheMirrorSilently() throws Exception {
    FimAgentSim a = agent();
    try (FimRun r = run(dir)) {
      r.send(a.sendBaseline("b1", "created", 100));
      r.send(a.sendBaseline("b1", "resync", 100));
      assertEquals(List.of(), r.alerts(), "a resync of the same baseline is quiet");
      a.edit("/etc/passwd", file(hash('a'), 1040)); // a change the agent could not send
      r.send(a.sendBaseline("b1", "resync", 4));
      assertEquals(List.of(FimAlerts.RESYNC), r.ruleIds());
      AlertRow alert = r.alerts().get(0);
      assertEquals("medium", alert.level());
      assertEquals(
          List.of("content,size,mtime,ctime,inode /etc/passwd"),
          strings(matched(alert).getAsJsonArray("differences")));
      // New monitored paths (config): the mirror is replaced, nothing raised.
      a.edit("/opt/app/bin/app", file(hash('b'), 5000)).forget("/etc/shadow");
      r.send(a.sendBaseline("b3", "config", 4));
      r.send(a.scan("b3"));
      assertEquals(1, r.alerts().size());
      assertTrue(r.mirroredPaths().contains("/opt/app/bin/app"));
      assertEquals(4, r.counter(BASELINES, "outcome", "mirrored"));
      assertEquals(1, r.counter(SCANS, "result", "match"));
    }
  }

  @Test
  void aConfigBaselineThatChangesAPathBothCopiesHoldIsNotTakenSilently() throws Exception {
    FimAgentSim a = agent();
    try (FimRun r = run(dir)) {
      r.send(a.sendBaseline("b1", "created", 100));
      // Root edits the local baseline (a scope string changed, /etc/passwd's entry made to match
      // a tampered file) so that the agent re-sends it as "config" without a mismatch event.
      a.edit("/etc/passwd", file(hash('e'), 1040)).edit("/opt/new", file(hash('f'), 10));
      r.send(a.sendBaseline("b1", "config", 4));
      assertEquals(List.of(FimAlerts.RESYNC), r.ruleIds());
      AlertRow alert = r.alerts().get(0);
      assertEquals(
          List.of("content,size,mtime,ctime,inode /etc/passwd"),
          strings(matched(alert).getAsJsonArray("differences")),
          "the changed path is named; the added one is not");
      assertEquals("config", first(matched(alert), "reason"));
    }
  }

  @Test
  void partsLostBehindAGapRaiseIncompleteAndTheScansSayTheyCannotVerifyOnce() throws Exception {
    FimAgentSim a = agent();
    try (FimRun r = run(dir)) {
      List<Event> parts = a.sendBaseline("b1", "created", 3);
      r.send(parts.get(0));
      r.send(parts.get(2)); // part 2 lost (a hole, as behind a Gap)
      assertEquals(List.of(FimAlerts.INCOMPLETE), r.ruleIds());
      JsonObject f = matched(r.alerts().get(0));
      assertEquals("3/3", first(f, "parts"));
      assertEquals("6", first(f, "staged_entries"));
      assertEquals(FimDigest.of(entries(a)), first(f, "digest_host"));
      assertEquals(List.of(), r.mirroredPaths(), "an incomplete baseline is not mirrored");
      assertEquals(0, r.staged());
      r.send(a.scan("b1"));
      r.send(a.scan("b1"));
      assertEquals(List.of(FimAlerts.INCOMPLETE, FimAlerts.NOT_MIRRORED), r.ruleIds());
      assertEquals("low", r.alerts().get(1).level());
      assertEquals(2, r.counter(SCANS, "result", "unverifiable"));
      // The next complete baseline is mirrored and checked again.
      r.send(a.sendBaseline("b1", "resync", 3));
      r.send(a.scan("b1"));
      assertEquals(2, r.alerts().size());
      assertEquals(1, r.counter(SCANS, "result", "match"));
    }
  }

  @Test
  void aLastPartThatNeverCameIsReportedAtTheNextScan() throws Exception {
    FimAgentSim a = agent();
    try (FimRun r = run(dir)) {
      r.send(a.sendBaseline("b1", "created", 100));
      a.edit("/etc/passwd", file(hash('a'), 1040));
      List<Event> parts = a.sendBaseline("b1", "resync", 5);
      r.send(parts.get(0));
      r.send(a.scan("b1")); // part 2 of 2 lost
      assertEquals(List.of(FimAlerts.INCOMPLETE, FimAlerts.NOT_MIRRORED), r.ruleIds());
      assertEquals("1/2", first(matched(r.alerts().get(0)), "parts"));
      assertEquals("mirror stopped following", first(matched(r.alerts().get(1)), "mirror"));
      assertEquals(0, r.staged());
      assertEquals(9, r.mirroredPaths().size(), "the old mirror stays, as evidence");
    }
  }

  @Test
  void aScanWithoutAnyMirrorSaysItCannotVerifyOncePerBaseline() throws Exception {
    FimAgentSim a = agent();
    try (FimRun r = run(dir)) {
      r.send(a.scan("b1"), a.scan("b1"), a.change("/etc/passwd", file(hash('a'), 1)));
      r.send(a.scan("b1"));
      assertEquals(List.of(FimAlerts.NOT_MIRRORED), r.ruleIds());
      JsonObject f = matched(r.alerts().get(0));
      assertEquals("no mirror", first(f, "mirror"));
      assertEquals("9", first(f, "entries_host"));
      r.send(a.scan("b2"));
      assertEquals(List.of(FimAlerts.NOT_MIRRORED, FimAlerts.NOT_MIRRORED), r.ruleIds());
      assertEquals(1, r.counter(IGNORED, "reason", "unmirrored"));
    }
  }

  @Test
  void reSentBatchesApplyNothingTwiceAndRaiseNothingAgainEvenAfterARestart() throws Exception {
    FimAgentSim a = agent();
    List<Event> baseline = a.sendBaseline("b1", "created", 4);
    FileState forged = file(hash('e'), 5);
    a.edit("/etc/shadow", forged);
    List<Event> changes =
        List.of(
            a.change("/etc/shadow", file(hash('f'), 6)), // off the mirror: one alert
            a.change("/etc/passwd", file(hash('a'), 7)),
            a.change("/usr/bin/ls", FileState.getDefaultInstance()),
            a.scan("b1"));
    try (FimRun r = run(dir)) {
      r.send(baseline);
      r.send(baseline);
      r.send(changes);
      r.send(changes); // re-sent: below the watermark
      r.send(baseline.subList(2, 3)); // an old part again
      assertEquals(List.of(FimAlerts.CHANGE_OFF_MIRROR), r.ruleIds());
      assertEquals(1, r.counter(SCANS, "result", "match"));
      assertEquals(1, r.counter(BASELINES, "outcome", "mirrored"));
    }
    try (FimRun r = run(dir)) {
      r.send(baseline);
      r.send(changes);
      assertEquals(List.of(FimAlerts.CHANGE_OFF_MIRROR), r.ruleIds());
      assertEquals(0, r.counter("vigil_collector_fim_events_total", "kind", "change"));
      assertEquals(9, r.mirroredPaths().size(), "8 files and the deleted one's entry");
      assertEquals(1, Files.readAllLines(r.jsonl).size(), "one JSONL line for the one alert");
    }
  }

  @Test
  void aRestartedCollectorKeepsTheMirrorAndGoesOnChecking() throws Exception {
    FimAgentSim a = agent();
    try (FimRun r = run(dir)) {
      r.send(a.sendBaseline("b1", "created", 4));
      r.send(a.change("/etc/passwd", file(hash('a'), 1040)));
    }
    try (FimRun r = run(dir)) {
      assertEquals(9, r.mirroredPaths().size());
      r.send(a.change("/etc/shadow", file(hash('b'), 900)), a.scan("b1"));
      assertEquals(List.of(), r.alerts());
      assertEquals(1, r.counter(SCANS, "result", "match"));
      a.edit("/usr/bin/ls", file(hash('e'), 1));
      r.send(a.scan("b1"));
      assertEquals(List.of(FimAlerts.DIGEST_MISMATCH), r.ruleIds());
    }
  }

  @Test
  void hostilePartsAreCountedAndIgnoredAndIngestGoesOn() throws Exception {
    FimAgentSim a = agent();
    try (FimRun r = new FimRun(dir, FimOptions.defaults().withMaxEntriesPerAgent(12))) {
      r.send(a.sendBaseline("b1", "created", 100));
      FimBaseline.Builder part =
          FimBaseline.newBuilder()
              .setBaselineId("b1")
              .setReason("resync")
              .setPart(1)
              .setParts(1)
              .addAllEntries(entries(a));
      long seq = a.seq();
      List<Event> bad = new ArrayList<>();
      // Part 0, a part past the count, a count of zero, an id of 10,000 characters.
      bad.add(a.event().setFimBaseline(part.clone().setPart(0)).build());
      bad.add(a.event().setFimBaseline(part.clone().setPart(3).setParts(2)).build());
      bad.add(a.event().setFimBaseline(part.clone().setParts(0)).build());
      bad.add(a.event().setFimBaseline(part.clone().setBaselineId("x".repeat(10_000))).build());
      assertEquals(seq + 3, r.send(bad));
      assertEquals(4, r.counter(IGNORED, "reason", "bad_part"));
      assertEquals(List.of(), r.alerts());

      // Part 1 of 10^9, with every path twice: staged, deduplicated, never completed.
      var huge = part.clone().setBaselineId("b-huge").setPart(1).setParts(1_000_000_000);
      huge.addAllEntries(entries(a));
      r.send(a.event().setFimBaseline(huge).build());
      assertEquals(9, r.staged());
      assertEquals(9, r.counter(IGNORED, "reason", "duplicate_path"));
      r.send(a.scan("b-huge"));
      assertEquals(List.of(FimAlerts.INCOMPLETE, FimAlerts.NOT_MIRRORED), r.ruleIds());
      assertEquals(0, r.staged());

      // Past the entry limit (12): refused with one alert, its later parts ignored.
      for (int i = 0; i < 10; i++) {
        a.edit("/var/lib/x/" + i, file(hash('d'), i));
      }
      List<Event> big = a.sendBaseline("b-big", "created", 5); // 19 entries, 4 parts
      r.send(big);
      assertEquals(FimAlerts.LIMIT, r.ruleIds().get(2));
      assertEquals("medium", r.alerts().get(2).level());
      assertEquals(1, r.counter(BASELINES, "outcome", "refused"));
      assertEquals(0, r.staged());
      assertEquals(3, r.counter(IGNORED, "reason", "over_limit"), "the rest of part 3");
      assertEquals(4, r.counter(IGNORED, "reason", "refused_baseline"), "part 4");
      assertEquals(9, r.mirroredPaths().size(), "the old mirror stays");
      assertEquals(3, r.alerts().size());
      // Ingest went on storing everything.
      try (StoreReader reader = EventStore.openReadOnly(r.db)) {
        assertEquals(a.seq() - 1, reader.countEvents());
      }
    }
  }

  @Test
  void mirrorAlertsAreListedByTheirSourceAndWrittenAsJsonLinesWithHostileTextEscaped()
      throws Exception {
    FimAgentSim a = agent();
    String hostile = "/etc/\u001b[2Jevil\n\"},\"x\":\"";
    try (FimRun r = run(dir)) {
      r.send(a.sendBaseline("b1", "created", 100));
      a.edit(hostile, file(hash('e'), 3)); // a path the mirror never had
      r.send(a.change(hostile, file(hash('f'), 4)));
      try (StoreReader reader = EventStore.openReadOnly(r.db)) {
        List<AlertRow> fim = reader.alerts(AlertQuery.open(10).withSource("fim"));
        assertEquals(1, fim.size());
        assertEquals(List.of(), reader.alerts(AlertQuery.open(10).withSource("sigma")));
        assertEquals(12, fim.get(0).eventKind(), "anchored on the file event");
        assertEquals(hostile, first(matched(fim.get(0)), "TargetFilename"));
        assertEquals(
            List.of("created"), strings(matched(fim.get(0)).getAsJsonArray("differences")));
      }
      List<String> lines = Files.readAllLines(r.jsonl);
      assertEquals(1, lines.size(), "the newline in the path stays escaped");
      JsonObject line = JsonParser.parseString(lines.get(0)).getAsJsonObject();
      assertEquals("fim", line.get("source").getAsString());
      assertEquals(FimAlerts.CHANGE_OFF_MIRROR, line.get("rule_id").getAsString());
      assertEquals("file", line.get("event_kind").getAsString());
      assertEquals("high", line.get("level").getAsString());
      assertEquals(
          hostile,
          line.getAsJsonObject("matched_fields")
              .getAsJsonArray("TargetFilename")
              .get(0)
              .getAsString());
    }
  }
}
