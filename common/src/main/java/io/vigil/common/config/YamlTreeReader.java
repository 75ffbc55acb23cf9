package io.vigil.common.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Turns YAML text into a {@link ConfigValue} tree, keeping each value's line and column.
 *
 * <p>Works on snakeyaml-engine's node graph rather than constructed Java objects so that positions
 * survive and duplicate keys are reported per path. Bounded: at most 1 Mi code points, 16 aliases
 * to collections, nesting depth 32 and 100 000 nodes, so an alias bomb or a deeply nested file
 * cannot exhaust memory or stack (depth is checked on the parser's events before the recursive
 * composer runs). Stateless.
 */
final class YamlTreeReader {
  static final int MAX_CODE_POINTS = 1 << 20;
  static final int MAX_DEPTH = 32;
  private static final int MAX_NODES = 100_000;

  private final String label;
  private final List<String> problems;
  private int nodes;

  private YamlTreeReader(String label, List<String> problems) {
    this.label = label;
    this.problems = problems;
  }

  /**
   * Reads one YAML document that must be a mapping (an empty document is an empty mapping).
   * Problems go to {@code problems}; what could be read is returned.
   */
  static ConfigValue.Mapping read(String yaml, String label, List<String> problems) {
    LoadSettings settings =
        LoadSettings.builder()
            .setLabel(label)
            .setSchema(new CoreSchema())
            .setCodePointLimit(MAX_CODE_POINTS)
            .setAllowDuplicateKeys(false)
            .setAllowRecursiveKeys(false)
            .setMaxAliasesForCollections(16)
            .setUseMarks(true)
            .build();
    YamlTreeReader reader = new YamlTreeReader(label, problems);
    Optional<Node> root;
    try {
      if (tooDeep(yaml, settings)) {
        problems.add(label + ": YAML collections nested deeper than " + MAX_DEPTH + " levels");
        return emptyMapping(label);
      }
      root = new Compose(settings).composeString(yaml);
    } catch (MarkedYamlEngineException e) {
      String where = e.getProblemMark().map(reader::position).orElse(label);
      problems.add(where + ": YAML syntax error: " + e.getProblem());
      return emptyMapping(label);
    } catch (YamlEngineException e) {
      problems.add(label + ": YAML error: " + e.getMessage());
      return emptyMapping(label);
    }
    if (root.isEmpty()) {
      return emptyMapping(label);
    }
    ConfigValue value = reader.convert(root.get(), "", 0);
    if (value instanceof ConfigValue.Mapping m) {
      return m;
    }
    if (!(value instanceof ConfigValue.Scalar s && s.text() == null)) {
      problems.add(value.origin() + ": the configuration must be a mapping of keys");
    }
    return emptyMapping(label);
  }

  /**
   * Whether collections nest deeper than {@link #MAX_DEPTH}. Checked on the parser's events before
   * composing: the composer recurses once per level, so a file of a few hundred thousand {@code [}
   * would overflow the stack (a StackOverflowError, not a message naming the file), while the
   * parser below it is iterative.
   */
  private static boolean tooDeep(String yaml, LoadSettings settings) {
    int depth = 0;
    for (Event e : new Parse(settings).parseString(yaml)) {
      switch (e.getEventId()) {
        case MappingStart, SequenceStart -> {
          if (++depth > MAX_DEPTH) {
            return true;
          }
        }
        case MappingEnd, SequenceEnd -> depth--;
        default -> {
          // scalars, aliases and document markers do not nest
        }
      }
    }
    return false;
  }

  private static ConfigValue.Mapping emptyMapping(String label) {
    return new ConfigValue.Mapping(new LinkedHashMap<>(), label);
  }

  private ConfigValue convert(Node node, String path, int depth) {
    String origin = node.getStartMark().map(this::position).orElse(label);
    if (++nodes > MAX_NODES || depth > MAX_DEPTH) {
      if (nodes == MAX_NODES + 1 || depth == MAX_DEPTH + 1) {
        problems.add(origin + ": too deeply nested or too many values (aliases?)");
      }
      return new ConfigValue.Scalar(null, origin);
    }
    if (node instanceof ScalarNode s) {
      return new ConfigValue.Scalar(s.getTag().equals(Tag.NULL) ? null : s.getValue(), origin);
    }
    if (node instanceof SequenceNode seq) {
      List<ConfigValue> items = new ArrayList<>();
      for (Node item : seq.getValue()) {
        items.add(convert(item, path, depth + 1));
      }
      return new ConfigValue.Sequence(items, origin);
    }
    MappingNode mapping = (MappingNode) node;
    Map<String, ConfigValue> entries = new LinkedHashMap<>();
    for (NodeTuple tuple : mapping.getValue()) {
      String keyOrigin = tuple.getKeyNode().getStartMark().map(this::position).orElse(origin);
      if (!(tuple.getKeyNode() instanceof ScalarNode k) || k.getTag().equals(Tag.NULL)) {
        problems.add(keyOrigin + ": " + where(path) + "keys must be plain names");
        continue;
      }
      String key = k.getValue();
      String p = Binding.join(path, key);
      if (key.isEmpty() || key.indexOf('.') >= 0 || key.length() > 64) {
        problems.add(
            ConfigValue.quote(p)
                + ": keys must be 1 to 64 characters without '.' ("
                + keyOrigin
                + ")");
        continue;
      }
      if (entries.containsKey(key)) {
        problems.add(p + ": duplicate key (" + keyOrigin + ")");
        continue;
      }
      entries.put(key, convert(tuple.getValueNode(), p, depth + 1));
    }
    return new ConfigValue.Mapping(entries, origin);
  }

  private static String where(String path) {
    return path.isEmpty() ? "" : "under " + path + ": ";
  }

  /** {@code label:line:column}, 1-based as editors show it. */
  private String position(Mark mark) {
    return label + ":" + (mark.getLine() + 1) + ":" + (mark.getColumn() + 1);
  }
}
