package io.vigil.common.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The configuration options of a command line: {@code --config FILE} (once) and {@code --set
 * key.path=value} (repeatable), also in the {@code --opt=value} form. Other arguments are kept, in
 * order, for the caller. Immutable.
 *
 * @param file the {@code --config} file, if given
 * @param sets the {@code --set} values in order, for {@link ConfigLoader#load}
 * @param remaining every other argument
 */
public record ConfigArgs(Optional<Path> file, List<String> sets, List<String> remaining) {

  public ConfigArgs {
    sets = List.copyOf(sets);
    remaining = List.copyOf(remaining);
  }

  /**
   * Splits {@code args}.
   *
   * @throws ConfigException when {@code --config} is repeated or an option lacks its value
   */
  public static ConfigArgs parse(String... args) throws ConfigException {
    Path file = null;
    List<String> sets = new ArrayList<>();
    List<String> remaining = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
      if (!name.equals("--config") && !name.equals("--set")) {
        remaining.add(arg);
        continue;
      }
      String value;
      if (!name.equals(arg)) {
        value = arg.substring(name.length() + 1);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        problems.add(name + ": missing value");
        continue;
      }
      if (name.equals("--set")) {
        sets.add(value);
      } else if (file != null) {
        problems.add("--config: given more than once");
      } else {
        try {
          file = PathArgument.parse("--config", value);
        } catch (IllegalArgumentException e) {
          problems.add(e.getMessage());
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return new ConfigArgs(Optional.ofNullable(file), sets, remaining);
  }
}
