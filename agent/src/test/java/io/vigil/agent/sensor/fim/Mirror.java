package io.vigil.agent.sensor.fim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.proto.fim.FimDigest;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.FileEvent;
import io.vigil.proto.v1.FileState;
import io.vigil.proto.v1.FimBaseline;
import io.vigil.proto.v1.FimEntry;
import io.vigil.proto.v1.FimScan;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The collector's mirror of a baseline, built as the collector builds it from the events in order:
 * baseline parts replace it, a mismatch stores its {@code after}; every {@code FimScan} digest must
 * then equal the mirror's. Not thread-safe.
 */
final class Mirror {
  final Map<String, FileState> entries = new TreeMap<>();
  String baselineId = "";
  int scansChecked;

  /** Applies events in order, checking each scan. */
  Mirror apply(List<Event> events) {
    events.forEach(this::apply);
    return this;
  }

  void apply(Event e) {
    if (e.hasFimBaseline()) {
      FimBaseline b = e.getFimBaseline();
      if (b.getPart() == 1) {
        entries.clear();
        baselineId = b.getBaselineId();
      }
      b.getEntriesList().forEach(x -> entries.put(x.getPath(), x.getState()));
    } else if (e.hasFile()
        && e.getFile().getAction() == FileEvent.Action.ACTION_INTEGRITY_MISMATCH) {
      entries.put(e.getFile().getPath(), e.getFile().getAfter());
    } else if (e.hasFimScan()) {
      FimScan s = e.getFimScan();
      assertEquals(baselineId, s.getBaselineId(), "scan of the mirrored baseline");
      assertEquals(entries.size(), s.getEntries(), "entries in the mirror");
      assertEquals(digest(), s.getDigest(), "the mirror equals the agent's baseline");
      scansChecked++;
    }
  }

  String digest() {
    List<FimEntry> list = new ArrayList<>();
    entries.forEach((p, s) -> list.add(FimEntry.newBuilder().setPath(p).setState(s).build()));
    return FimDigest.of(list);
  }
}
