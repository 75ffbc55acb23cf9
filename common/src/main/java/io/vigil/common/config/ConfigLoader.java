package io.vigil.common.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Loads a configuration from its layers, each overriding the one before: the binder's built-in
 * defaults &lt; the YAML file &lt; environment variables &lt; {@code --set} flags.
 *
 * <p>An environment variable {@code <prefix>SPOOL__MAX_BYTES=2GiB} sets {@code spool.max_bytes}
 * (double underscore separates levels; names are lower-cased). A flag {@code --set
 * spool.max_bytes=2GiB} does the same and wins over the environment. Problems found here (missing
 * or unreadable file, YAML syntax, malformed variable or flag) are not thrown: they are kept in the
 * returned root and reported by {@link ConfigNode#finish()} together with binding problems.
 *
 * <p>Stateless; {@link #load} blocks on reading the file.
 */
public final class ConfigLoader {
  private static final Pattern KEY_PATH = Pattern.compile("[a-z0-9_]{1,64}(\\.[a-z0-9_]{1,64})*");
  private static final long MAX_FILE_BYTES = 4L * YamlTreeReader.MAX_CODE_POINTS;

  private ConfigLoader() {}

  /**
   * Loads and merges the layers.
   *
   * @param file the YAML file ({@code --config}), if any; a missing file is a problem
   * @param env the process environment (or a test map); only names starting with {@code envPrefix}
   *     are used
   * @param envPrefix e.g. {@code VIGIL_AGENT__}
   * @param sets {@code key.path=value} strings from repeated {@code --set} flags, in order
   * @return the root section, to be bound and then {@link ConfigNode#finish() finished}
   */
  public static ConfigNode load(
      Optional<Path> file, Map<String, String> env, String envPrefix, List<String> sets) {
    List<String> problems = new ArrayList<>();
    ConfigValue.Mapping root = new ConfigValue.Mapping(new LinkedHashMap<>(), "defaults");
    if (file.isPresent()) {
      String text = readFile(file.get(), problems);
      if (text != null) {
        root = YamlTreeReader.read(text, file.get().toString(), problems);
      }
    }
    for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
      if (!e.getKey().startsWith(envPrefix)) {
        continue;
      }
      String origin = "environment variable " + e.getKey();
      String path = e.getKey().substring(envPrefix.length()).replace("__", ".");
      path = path.toLowerCase(Locale.ROOT);
      if (!KEY_PATH.matcher(path).matches()) {
        problems.add(origin + ": cannot be read as a key path (use " + envPrefix + "SECTION__KEY)");
        continue;
      }
      put(root, path, new ConfigValue.Scalar(e.getValue(), origin));
    }
    for (String set : sets) {
      int eq = set.indexOf('=');
      String path = eq < 0 ? "" : set.substring(0, eq).trim();
      if (!KEY_PATH.matcher(path).matches()) {
        problems.add(
            "--set " + ConfigValue.quote(set) + ": expected key.path=value, e.g. spool.dir=/x");
        continue;
      }
      put(root, path, new ConfigValue.Scalar(set.substring(eq + 1), "--set " + path));
    }
    return new ConfigNode(new Binding(root, problems), "", root.entries());
  }

  /** Sets a scalar at a dotted path, replacing whatever was there and creating sections. */
  private static void put(ConfigValue.Mapping root, String path, ConfigValue.Scalar value) {
    String[] segments = path.split("\\.");
    ConfigValue.Mapping m = root;
    for (int i = 0; i < segments.length - 1; i++) {
      ConfigValue next = m.entries().get(segments[i]);
      if (!(next instanceof ConfigValue.Mapping)) {
        next = new ConfigValue.Mapping(new LinkedHashMap<>(), value.origin());
        m.entries().put(segments[i], next);
      }
      m = (ConfigValue.Mapping) next;
    }
    m.entries().put(segments[segments.length - 1], value);
  }

  private static String readFile(Path file, List<String> problems) {
    try {
      if (Files.size(file) > MAX_FILE_BYTES) {
        problems.add(
            file + ": configuration file larger than " + Units.formatBytes(MAX_FILE_BYTES));
        return null;
      }
      byte[] bytes = Files.readAllBytes(file);
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (NoSuchFileException e) {
      problems.add(file + ": configuration file not found");
    } catch (AccessDeniedException e) {
      problems.add(file + ": configuration file not readable (permission denied)");
    } catch (CharacterCodingException e) {
      problems.add(file + ": configuration file is not valid UTF-8");
    } catch (IOException e) {
      problems.add(file + ": cannot read configuration file: " + e);
    }
    return null;
  }
}
