package io.vigil.collector.detection;

import io.vigil.collector.store.NewAlert;
import java.util.List;
import java.util.Map;

/**
 * What detection made of one event, decided off the writer thread: the alerts to store with it
 * (Sigma rules that alert on their own and threat-intel hits, exceptions already applied) and the
 * findings that feed correlation rules, with the field values those need. Immutable.
 */
public record Detections(List<NewAlert> alerts, List<Feed> feeds) {
  public static final Detections NONE = new Detections(List.of(), List.of());

  public Detections {
    alerts = List.copyOf(alerts);
    feeds = List.copyOf(feeds);
  }

  public boolean isEmpty() {
    return alerts.isEmpty() && feeds.isEmpty();
  }

  /** A finding of rule {@code ruleId} that correlation rules count, with their field values. */
  public record Feed(String ruleId, Map<String, String> fields) {
    public Feed {
      fields = Map.copyOf(fields);
    }
  }
}
