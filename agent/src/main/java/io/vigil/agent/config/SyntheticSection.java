package io.vigil.agent.config;

import io.vigil.common.config.ConfigNode;
import io.vigil.proto.v1.EventKind;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The synthetic event generator used for load tests and demos ({@code sensors.synthetic}).
 * Immutable.
 *
 * @param enabled {@code sensors.synthetic.enabled}
 * @param rate {@code sensors.synthetic.rate}: events per second; 0 = as fast as the pipeline takes
 * @param count {@code sensors.synthetic.count}: stop after this many events; 0 = unbounded
 * @param seed {@code sensors.synthetic.seed}: random seed, so runs are reproducible
 * @param mix {@code sensors.synthetic.mix}: relative weight of each kind, keyed in the file by the
 *     lower-case {@link EventKind} name without its {@code EVENT_KIND_} prefix; a given mix
 *     replaces the default whole
 */
public record SyntheticSection(
    boolean enabled, long rate, long count, long seed, Map<EventKind, Integer> mix) {

  /** Kinds a sensor produces; agent status, command results and gaps are the agent's own. */
  static final List<EventKind> MIXABLE =
      List.of(
          EventKind.EVENT_KIND_PROCESS_EXEC,
          EventKind.EVENT_KIND_PROCESS_EXIT,
          EventKind.EVENT_KIND_FILE,
          EventKind.EVENT_KIND_CONNECTION,
          EventKind.EVENT_KIND_FLOW,
          EventKind.EVENT_KIND_DNS,
          EventKind.EVENT_KIND_HTTP,
          EventKind.EVENT_KIND_TLS);

  public SyntheticSection {
    mix = Collections.unmodifiableMap(new EnumMap<>(mix));
  }

  /** The config name of a kind, e.g. {@code process_exec}. */
  static String mixName(EventKind kind) {
    return kind.name().substring("EVENT_KIND_".length()).toLowerCase(Locale.ROOT);
  }

  static SyntheticSection bind(ConfigNode node) {
    boolean enabled = node.bool("enabled", false);
    long rate = node.longValue("rate", 0, 0, 100_000_000);
    long count = node.longValue("count", 0, 0, Long.MAX_VALUE);
    long seed = node.longValue("seed", 1);
    Map<String, Integer> defaults = new LinkedHashMap<>();
    defaults.put("process_exec", 50);
    defaults.put("process_exit", 20);
    defaults.put("connection", 15);
    defaults.put("file", 10);
    defaults.put("dns", 5);
    Set<String> names = new TreeSet<>();
    MIXABLE.forEach(k -> names.add(mixName(k)));
    Map<String, Integer> byName = node.intMap("mix", defaults, names, 0, 1_000_000);
    Map<EventKind, Integer> mix = new EnumMap<>(EventKind.class);
    for (EventKind kind : MIXABLE) {
      Integer weight = byName.get(mixName(kind));
      if (weight != null && weight > 0) {
        mix.put(kind, weight);
      }
    }
    if (enabled && mix.isEmpty()) {
      node.error("mix", "needs at least one kind with a weight above 0");
    }
    return new SyntheticSection(enabled, rate, count, seed, mix);
  }
}
