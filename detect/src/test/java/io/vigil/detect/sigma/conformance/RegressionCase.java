package io.vigil.detect.sigma.conformance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One SigmaHQ regression case: a folder with {@code info.yml} naming the rule ({@code
 * rule_metadata[].id}) and {@code <rule id>.json} holding the recorded events that must match it.
 *
 * @param folder the case's folder
 * @param ruleId the id of the rule under test
 * @param events the JSON event file
 * @param expectedMatches {@code match_count} from info.yml, or -1 when absent
 */
record RegressionCase(Path folder, String ruleId, Path events, int expectedMatches) {
  private static final Pattern RULE_ID =
      Pattern.compile("(?m)^rule_metadata:\\s*\\n\\s*-\\s*id:\\s*['\"]?([0-9a-fA-F-]{36})");
  private static final Pattern MATCH_COUNT = Pattern.compile("(?m)^\\s*match_count:\\s*(\\d+)");

  /** Every case under {@code root}, sorted by folder. */
  static List<RegressionCase> findAll(Path root) throws IOException {
    List<Path> infos;
    try (Stream<Path> walk = Files.walk(root)) {
      infos = walk.filter(p -> p.getFileName().toString().equals("info.yml")).sorted().toList();
    }
    List<RegressionCase> cases = new ArrayList<>();
    for (Path info : infos) {
      String text = Files.readString(info);
      Matcher id = RULE_ID.matcher(text);
      if (!id.find()) {
        throw new IllegalStateException(info + " names no rule id");
      }
      Matcher count = MATCH_COUNT.matcher(text);
      String ruleId = id.group(1).toLowerCase(java.util.Locale.ROOT);
      cases.add(
          new RegressionCase(
              info.getParent(),
              ruleId,
              info.resolveSibling(ruleId + ".json"),
              count.find() ? Integer.parseInt(count.group(1)) : -1));
    }
    return cases;
  }
}
