package io.vigil.detect.sigma.conformance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds rule files by their top-level {@code id:} without parsing every rule (SigmaHQ has
 * thousands; only the few hundred under test are loaded through the real loader).
 */
final class RulesById {
  private static final Pattern ID = Pattern.compile("(?m)^id:\\s*['\"]?([0-9a-fA-F-]{36})");

  private RulesById() {}

  /** Rule id (lower case) to file, over every {@code .yml} below each of {@code roots}. */
  static Map<String, Path> index(List<Path> roots) throws IOException {
    Map<String, Path> byId = new HashMap<>();
    for (Path root : roots) {
      List<Path> files;
      try (Stream<Path> walk = Files.walk(root)) {
        files = walk.filter(p -> p.toString().endsWith(".yml")).sorted().toList();
      }
      for (Path f : files) {
        Matcher m = ID.matcher(Files.readString(f));
        if (m.find()) {
          byId.putIfAbsent(m.group(1).toLowerCase(Locale.ROOT), f);
        }
      }
    }
    return byId;
  }
}
