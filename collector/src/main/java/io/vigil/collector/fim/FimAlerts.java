package io.vigil.collector.fim;

import io.vigil.collector.detection.AlertJson;
import io.vigil.collector.detection.BuiltinAlerts;
import io.vigil.collector.store.NewAlert;
import io.vigil.proto.v1.FileState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The alerts of the integrity mirror: source {@code fim}, built-in rule ids (what an allow-list
 * entry or {@code vigilctl alerts list --rule} names), origin {@code builtin:fim}. The matched
 * fields hold the details (paths, digests, counts) as a JSON object of field to array of strings,
 * like a Sigma alert's; paths and ids come from the host and are JSON-escaped by {@link AlertJson}.
 * The suppression key is agent, rule and what the alert is about (the path, or the baseline id), so
 * one path's repeated trouble folds within the suppression window and another path's does not.
 * Stateless.
 */
public final class FimAlerts {
  public static final String SOURCE = "fim";
  public static final String ORIGIN = "builtin:fim";
  private static final BuiltinAlerts BUILT_IN = new BuiltinAlerts(SOURCE, ORIGIN);

  /** The agent sent a baseline built from scratch while the collector mirrored another (high). */
  public static final String RECREATED = "vigil-fim-baseline-recreated";

  /** A resynchronised baseline differs from the mirror (medium). */
  public static final String RESYNC = "vigil-fim-resync-differences";

  /** A baseline's parts did not all arrive (medium). */
  public static final String INCOMPLETE = "vigil-fim-baseline-incomplete";

  /** A change's {@code before} is not what the mirror holds for the path (high). */
  public static final String CHANGE_OFF_MIRROR = "vigil-fim-change-off-mirror";

  /** A scan's digest is not the mirror's (high). */
  public static final String DIGEST_MISMATCH = "vigil-fim-digest-mismatch";

  /** A scan the collector has no following mirror to check against (low, once per baseline). */
  public static final String NOT_MIRRORED = "vigil-fim-not-mirrored";

  /** A baseline or change past the mirror's entry limit (medium). */
  public static final String LIMIT = "vigil-fim-mirror-limit";

  private static final List<String> TAMPERING =
      List.of("attack.defense-evasion", "attack.t1070", "attack.t1562.001");
  private static final List<String> UNSEEN_CHANGE = List.of("attack.impact", "attack.t1565.001");

  private FimAlerts() {}

  static NewAlert recreated(
      String agentId,
      String baselineId,
      String previousId,
      long entries,
      long previousEntries,
      MirrorDiff diff) {
    Map<String, List<String>> f = differences(diff);
    f.put("baseline_id", List.of(baselineId));
    f.put("previous_baseline_id", List.of(previousId));
    f.put("entries", List.of(Long.toString(entries)));
    f.put("previous_entries", List.of(Long.toString(previousEntries)));
    return BUILT_IN.alert(
        agentId, RECREATED, "FIM baseline re-created on host", "high", TAMPERING, f, baselineId);
  }

  static NewAlert resync(String agentId, String baselineId, String reason, MirrorDiff diff) {
    Map<String, List<String>> f = differences(diff);
    f.put("baseline_id", List.of(baselineId));
    f.put("reason", List.of(reason));
    return BUILT_IN.alert(
        agentId,
        RESYNC,
        "FIM mirror resynchronised with differences",
        "medium",
        UNSEEN_CHANGE,
        f,
        baselineId);
  }

  /**
   * @param lastPart the last part staged (0: none)
   * @param expectedDigest the digest the agent announced, null when its last part never came
   * @param stagedDigest the digest of what arrived, null when not computed
   */
  static NewAlert incomplete(
      String agentId,
      String baselineId,
      String reason,
      long lastPart,
      long parts,
      long staged,
      String expectedDigest,
      String stagedDigest) {
    Map<String, List<String>> f = new LinkedHashMap<>();
    f.put("baseline_id", List.of(baselineId));
    f.put("reason", List.of(reason == null ? "" : reason));
    f.put("parts", List.of(lastPart + "/" + parts));
    f.put("staged_entries", List.of(Long.toString(staged)));
    if (expectedDigest != null) {
      f.put("digest_host", List.of(expectedDigest));
    }
    if (stagedDigest != null) {
      f.put("digest_received", List.of(stagedDigest));
    }
    return BUILT_IN.alert(
        agentId,
        INCOMPLETE,
        "FIM baseline incomplete at the collector",
        "medium",
        List.of(),
        f,
        baselineId);
  }

  static NewAlert changeOffMirror(
      String agentId,
      String path,
      List<String> differences,
      FileState mirror,
      FileState before,
      List<String> reported) {
    Map<String, List<String>> f = new LinkedHashMap<>();
    f.put("TargetFilename", List.of(path));
    f.put("differences", List.copyOf(differences));
    f.put("mirror", List.of(StateText.of(mirror, differences)));
    f.put("reported_before", List.of(StateText.of(before, differences)));
    f.put("reported_changed", bounded(reported));
    return BUILT_IN.alert(
        agentId,
        CHANGE_OFF_MIRROR,
        "FIM change does not follow the collector's mirror",
        "high",
        TAMPERING,
        f,
        path);
  }

  static NewAlert digestMismatch(
      String agentId,
      String hostBaselineId,
      String mirrorBaselineId,
      String hostDigest,
      String mirrorDigest,
      long hostEntries,
      long mirrorEntries,
      String trigger) {
    Map<String, List<String>> f = new LinkedHashMap<>();
    f.put("baseline_id", List.of(hostBaselineId));
    f.put("mirror_baseline_id", List.of(mirrorBaselineId));
    f.put("digest_host", List.of(hostDigest));
    f.put("digest_mirror", List.of(mirrorDigest));
    f.put("entries_host", List.of(Long.toUnsignedString(hostEntries)));
    f.put("entries_mirror", List.of(Long.toString(mirrorEntries)));
    f.put("trigger", List.of(trigger));
    return BUILT_IN.alert(
        agentId,
        DIGEST_MISMATCH,
        "FIM baseline on the host differs from the collector's mirror",
        "high",
        TAMPERING,
        f,
        hostBaselineId);
  }

  /**
   * @param why {@code no mirror} or {@code mirror stopped following} (an incomplete or refused
   *     baseline came after it)
   */
  static NewAlert notMirrored(String agentId, String baselineId, long hostEntries, String why) {
    Map<String, List<String>> f = new LinkedHashMap<>();
    f.put("baseline_id", List.of(baselineId));
    f.put("entries_host", List.of(Long.toUnsignedString(hostEntries)));
    f.put("mirror", List.of(why));
    return BUILT_IN.alert(
        agentId,
        NOT_MIRRORED,
        "FIM baseline not mirrored: cannot verify",
        "low",
        List.of(),
        f,
        baselineId);
  }

  /**
   * @param subject the baseline id (a baseline too large) or the path (a change that would add one
   *     path too many)
   */
  static NewAlert limit(String agentId, String field, String subject, long limit) {
    Map<String, List<String>> f = new LinkedHashMap<>();
    f.put(field, List.of(subject));
    f.put("limit", List.of(Long.toString(limit)));
    return BUILT_IN.alert(
        agentId,
        LIMIT,
        "FIM baseline too large for the collector's mirror",
        "medium",
        List.of(),
        f,
        subject);
  }

  private static Map<String, List<String>> differences(MirrorDiff diff) {
    Map<String, List<String>> f = new LinkedHashMap<>();
    f.put("differing_paths", List.of(Long.toString(diff.count())));
    f.put("TargetFilename", diff.paths());
    // "<changes> <path>": the changes are FimCompare's words (no spaces), so the first space
    // separates them from the path whatever the path holds.
    List<String> each = new ArrayList<>(diff.paths().size());
    for (int i = 0; i < diff.paths().size(); i++) {
      each.add(String.join(",", diff.changes().get(i)) + " " + diff.paths().get(i));
    }
    f.put("differences", each);
    return f;
  }

  /** At most 32 of the host's words, each bounded: they are shown, not used. */
  private static List<String> bounded(List<String> words) {
    return words.stream().limit(32).map(StateText::bounded).toList();
  }
}
