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
 * note may start with a dash. A repeatable option (such as {@code isolate --allow}) may be given
 * several times; any other only once. Immutable.
 *
 * @param words the non-option arguments, in order
 * @param options each value option given, by name (with its dashes); a repeatable one's first value
 * @param flags each boolean flag given
 * @param repeated every value of each repeatable option given, in order
 */
record CtlArgs(
    List<String> words,
    Map<String, String> options,
    Set<String> flags,
    Map<String, List<String>> repeated) {
  CtlArgs {
    words = List.copyOf(words);
    options = Map.copyOf(options);
    flags = Set.copyOf(flags);
    Map<String, List<String>> r = new LinkedHashMap<>();
    repeated.forEach((k, v) -> r.put(k, List.copyOf(v)));
    repeated = Map.copyOf(r);
  }

  /**
   * Parses without repeatable options.
   *
   * @see #parse(String[], Set, Set, Set)
   */
  static CtlArgs parse(String[] args, Set<String> valueOptions, Set<String> flagOptions)
      throws UsageException {
    return parse(args, valueOptions, flagOptions, Set.of());
  }

  /**
   * @param valueOptions options that take a value
   * @param flagOptions options that take none
   * @param repeatable value options that may be given more than once
   * @throws UsageException for an unknown option, a missing value, or an option given twice
   */
  static CtlArgs parse(
      String[] args, Set<String> valueOptions, Set<String> flagOptions, Set<String> repeatable)
      throws UsageException {
    List<String> words = new ArrayList<>();
    Map<String, String> options = new LinkedHashMap<>();
    Map<String, List<String>> repeated = new LinkedHashMap<>();
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
      } else if (valueOptions.contains(name) || repeatable.contains(name)) {
        String value;
        if (eq >= 0) {
          value = a.substring(eq + 1);
        } else if (i + 1 < args.length) {
          value = args[++i];
        } else {
          throw new UsageException(name + ": missing value");
        }
        if (repeatable.contains(name)) {
          repeated.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
          options.putIfAbsent(name, value);
        } else if (options.put(name, value) != null) {
          throw new UsageException(name + " given more than once");
        }
      } else {
        throw new UsageException("unknown option " + Shown.text(name));
      }
    }
    return new CtlArgs(words, options, Set.copyOf(flags), repeated);
  }

  String option(String name) {
    return options.get(name);
  }

  /** Every value of a repeatable option, in order; empty when not given. */
  List<String> all(String name) {
    return repeated.getOrDefault(name, List.of());
  }

  boolean has(String name) {
    return flags.contains(name) || options.containsKey(name);
  }
}
