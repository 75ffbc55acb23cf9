package io.vigil.collector.hunt;

import io.vigil.common.config.Suggestions;
import io.vigil.detect.vigil.SigmaViews;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.EventKind;
import io.vigil.proto.v1.ProcessRef;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The fields of the query language: the Sigma names the detection engine gives each event kind
 * ({@link SigmaViews}), and generic ones for every kind ({@code kind}, {@code host}, {@code
 * agent_id}, {@code sensor}, {@code entity}, {@code pid}) or a few ({@code direction}, {@code
 * action}, {@code exit_code}, {@code audit_type}, {@code audit_result}, {@code audit_key}). Names
 * match in any letter case. Immutable; thread-safe.
 */
public final class HuntFields {
  private static final Map<String, HuntField> BY_LOWER_NAME = build();

  private HuntFields() {}

  /** Every field by canonical name, sorted, with the kinds that can have it (empty: all). */
  public static Map<String, Set<EventKind>> all() {
    Map<String, Set<EventKind>> out = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    BY_LOWER_NAME.values().forEach(f -> out.put(f.name(), f.kinds()));
    return out;
  }

  /**
   * The canonical spelling of field {@code name} (any letter case).
   *
   * @throws IllegalArgumentException for an unknown field, with a likely intended one
   */
  public static String canonical(String name) {
    return find(name)
        .map(HuntField::name)
        .orElseThrow(
            () ->
                new IllegalArgumentException("unknown field \"" + name + "\"" + didYouMean(name)));
  }

  /**
   * The values of field {@code name} (any letter case) in {@code e}; empty when unknown or absent.
   */
  public static List<Object> values(String name, HuntEvent e) {
    return find(name).map(f -> f.values().apply(e)).orElse(List.of());
  }

  static Optional<HuntField> find(String name) {
    return Optional.ofNullable(BY_LOWER_NAME.get(name.toLowerCase(Locale.ROOT)));
  }

  /** {@code (did you mean "CommandLine"?)} for a misspelt name, or "". */
  static String didYouMean(String name) {
    List<String> names = new ArrayList<>();
    BY_LOWER_NAME.values().forEach(f -> names.add(f.name()));
    return Suggestions.didYouMean(name, names);
  }

  private static Map<String, HuntField> build() {
    Map<String, HuntField> m = new LinkedHashMap<>();
    Set<EventKind> all = Set.of();
    add(m, new HuntField("kind", all, e -> List.of(EventKinds.name(e.kind()))));
    add(m, new HuntField("host", all, e -> texts(e.hostname(), e.agentId())));
    add(m, new HuntField("agent_id", all, e -> texts(e.agentId())));
    add(m, new HuntField("sensor", all, e -> texts(e.event().getSensor())));
    add(m, new HuntField("entity", all, e -> texts(e.process().map(ProcessRef::getEntityId))));
    add(
        m,
        new HuntField(
            "pid",
            all,
            e ->
                e.process()
                    .filter(p -> p.getPid() > 0)
                    .<List<Object>>map(p -> List.of((long) p.getPid()))
                    .orElse(List.of())));
    add(
        m,
        new HuntField(
            "direction",
            Set.of(EventKind.EVENT_KIND_CONNECTION),
            e -> texts(enumWord(e.event().getConnection().getDirection().name(), "DIRECTION_"))));
    add(
        m,
        new HuntField(
            "action",
            Set.of(EventKind.EVENT_KIND_FILE),
            e -> texts(enumWord(e.event().getFile().getAction().name(), "ACTION_"))));
    add(
        m,
        new HuntField(
            "exit_code", Set.of(EventKind.EVENT_KIND_PROCESS_EXIT), e -> exitCode(e.event())));
    Set<EventKind> audit = Set.of(EventKind.EVENT_KIND_AUDIT);
    add(m, new HuntField("audit_type", audit, e -> texts(e.event().getAudit().getType())));
    add(m, new HuntField("audit_result", audit, e -> texts(e.event().getAudit().getResult())));
    add(m, new HuntField("audit_key", audit, e -> texts(e.event().getAudit().getKey())));
    Map<String, Set<EventKind>> sigma = new TreeMap<>();
    SigmaViews.names()
        .forEach(
            (kind, names) ->
                names.forEach(
                    n -> sigma.computeIfAbsent(n, k -> EnumSet.noneOf(EventKind.class)).add(kind)));
    sigma.forEach(
        (name, kinds) ->
            add(
                m,
                new HuntField(
                    name, kinds, e -> e.sigma().map(v -> v.values(name)).orElse(List.of()))));
    return Map.copyOf(m);
  }

  private static void add(Map<String, HuntField> m, HuntField f) {
    if (m.putIfAbsent(f.name().toLowerCase(Locale.ROOT), f) != null) {
      throw new IllegalStateException("two hunt fields named " + f.name() + " in any letter case");
    }
  }

  private static List<Object> exitCode(Event e) {
    return e.getProcessExit().getExitStatusKnown()
        ? List.of((long) e.getProcessExit().getExitCode())
        : List.of();
  }

  private static String enumWord(String name, String prefix) {
    String w = name.startsWith(prefix) ? name.substring(prefix.length()) : name;
    return w.equals("UNSPECIFIED") ? "" : w.toLowerCase(Locale.ROOT);
  }

  private static List<Object> texts(Optional<String> s) {
    return s.isPresent() ? texts(s.get()) : List.of();
  }

  private static List<Object> texts(String... values) {
    List<Object> out = new ArrayList<>(values.length);
    for (String v : values) {
      if (v != null && !v.isEmpty()) {
        out.add(v);
      }
    }
    return out;
  }
}
