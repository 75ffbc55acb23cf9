package io.vigil.detect.vigil;

import io.vigil.detect.sigma.match.SigmaFields;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.EventKind;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a rule's log source means on Vigil: the event kinds it applies to, each with how the event
 * is presented to the rule, or (when it applies to none) the reason, in words for a lint report.
 * Immutable and thread-safe. Obtain from {@link LogSources#map}.
 */
public final class LogSourceMapping {
  private final Map<EventKind, EventPresentation> presentations;
  private final String reason;

  private LogSourceMapping(Map<EventKind, EventPresentation> presentations, String reason) {
    this.presentations = Map.copyOf(presentations);
    this.reason = reason;
  }

  static LogSourceMapping of(Map<EventKind, EventPresentation> presentations, String reason) {
    return new LogSourceMapping(presentations, reason);
  }

  static LogSourceMapping notApplicable(String reason) {
    return new LogSourceMapping(Map.of(), reason);
  }

  /** Whether any Vigil event kind serves the log source. */
  public boolean applicable() {
    return !presentations.isEmpty();
  }

  /** The event kinds the rule is evaluated on; empty when not applicable. */
  public Set<EventKind> kinds() {
    return presentations.keySet();
  }

  /**
   * For an applicable log source, which telemetry serves it (for example "ProcessExec as Sysmon
   * process creation"); otherwise why not (for example "category registry_set: no Vigil
   * telemetry").
   */
  public String reason() {
    return reason;
  }

  /**
   * The views of {@code event} the rule sees: empty when the event is not of this log source; one
   * for most; one per record for auditd (the rule matches when any view matches).
   */
  public List<SigmaFields> present(Event event) {
    EventKind kind = EventKind.forNumber(event.getPayloadCase().getNumber());
    EventPresentation p = kind == null ? null : presentations.get(kind);
    return p == null ? List.of() : p.present(event);
  }

  @Override
  public String toString() {
    return (applicable() ? "applies " + kinds() + ": " : "not applicable: ") + reason;
  }
}
