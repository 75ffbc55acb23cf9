package io.vigil.collector.store;

import java.util.List;

/**
 * Everything stored about one alert. Immutable.
 *
 * @param alert the alert with its anchor event
 * @param events its other events (correlation members, folded matches), oldest first, at most
 *     {@link StoreReader#MAX_ALERT_EVENTS}
 * @param eventCount how many such events are stored (may exceed {@code events.size()})
 * @param history its triage changes, oldest first
 */
public record AlertDetail(
    AlertRow alert, List<RelatedEvent> events, long eventCount, List<AlertChange> history) {
  public AlertDetail {
    events = List.copyOf(events);
    history = List.copyOf(history);
  }
}
