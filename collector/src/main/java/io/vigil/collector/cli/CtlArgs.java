package io.vigil.collector.cli;

import io.vigil.common.cli.CommandLine.UsageException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The arguments of {@code vigilctl}: words in order, and options anywhere among them: {@code --name
 * value}, {@code --name=value} or a boolean {@code --flag}. {@code --} ends the options, so that a
 * note may start with a dash. Immutable.
 *
 * @param words the non-option arguments, in order
 * @param options each value option given, by name (with its dashes)
 * @param flags each boolean flag given
 */
record CtlArgs(List<String> words, Map<String, String> options, Set<String> flags) {
  CtlArgs {
    words = List.copyOf(words);
    options = Map.copyOf(options);
    flags = Set.copyOf(flags);
  }

  /**
   * @param valueOptions options that take a value
   * @param flagOptions options that take none
   * @throws UsageException for an unknown option, a missing value, or an option given twice
   */
  static CtlArgs parse(String[] args, Set<String> valueOptions, Set<String> flagOptions)
      throws UsageException {
    List<String> words = new ArrayList<>();
    Map<String, String> options = new LinkedHashMap<>();
    List<String> flags = new ArrayList<>();
    boolean optionsEnded = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (optionsEnded || !a.startsWith("--")) {
        words.add(a);
        continue;
      }
      if (a.equals("--")) {
        optionsEnded = true;
        continue;
      }
      int eq = a.indexOf('=');
      String name = eq < 0 ? a : a.substring(0, eq);
      if (flagOptions.contains(name)) {
        if (eq >= 0) {
          throw new UsageException(name + " takes no value");
        }
        if (flags.contains(name)) {
          throw new UsageException(name + " given more than once");
        }
        flags.add(name);
      } else if (valueOptions.contains(name)) {
        String value;
        if (eq >= 0) {
          value = a.substring(eq + 1);
        } else if (i + 1 < args.length) {
          value = args[++i];
        } else {
          throw new UsageException(name + ": missing value");
        }
        if (options.put(name, value) != null) {
          throw new UsageException(name + " given more than once");
        }
      } else {
        throw new UsageException("unknown option " + Shown.text(name));
      }
    }
    return new CtlArgs(words, options, Set.copyOf(flags));
  }

  String option(String name) {
    return options.get(name);
  }

  boolean has(String name) {
    return flags.contains(name) || options.containsKey(name);
  }
}
