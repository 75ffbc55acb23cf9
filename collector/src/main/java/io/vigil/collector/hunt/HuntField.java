package io.vigil.collector.hunt;

import io.vigil.proto.v1.EventKind;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * A field a query can compare.
 *
 * @param name its canonical spelling
 * @param kinds the event kinds that can have it; empty for every kind
 * @param values its values in an event ({@code String} or {@code Long}); empty when absent
 */
record HuntField(String name, Set<EventKind> kinds, Function<HuntEvent, List<Object>> values) {
  HuntField {
    kinds = Set.copyOf(kinds);
  }
}
