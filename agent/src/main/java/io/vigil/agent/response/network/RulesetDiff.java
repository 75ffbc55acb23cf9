package io.vigil.agent.response.network;

import io.vigil.common.text.TerminalText;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A short account of how two listed rulesets differ, for the operator: the lines only in the one
 * before ({@code -}) and only in the one after ({@code +}), bounded and escaped (a ruleset may hold
 * comments anyone with root wrote).
 */
final class RulesetDiff {
  private static final int MAX_LINES = 12;

  private RulesetDiff() {}

  static String describe(String before, String after) {
    List<String> b = Arrays.asList(before.split("\n"));
    List<String> a = Arrays.asList(after.split("\n"));
    // Sets: a host with container firewalls has thousands of rules.
    java.util.Set<String> inBefore = new java.util.HashSet<>(b);
    java.util.Set<String> inAfter = new java.util.HashSet<>(a);
    List<String> out = new ArrayList<>();
    int total = 0;
    for (String line : b) {
      if (!inAfter.contains(line)) {
        total++;
        if (out.size() < MAX_LINES) {
          out.add("-" + line.strip());
        }
      }
    }
    for (String line : a) {
      if (!inBefore.contains(line)) {
        total++;
        if (out.size() < MAX_LINES) {
          out.add("+" + line.strip());
        }
      }
    }
    if (out.isEmpty()) {
      return "the same lines in another order";
    }
    String text =
        String.join(" | ", out) + (total > out.size() ? " | ... " + total + " in all" : "");
    return TerminalText.escape(text, 800);
  }
}
