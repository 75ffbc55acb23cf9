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

  /** The adapters' declared names; {@code null} when any name can be filled (auditd records). */
  private final Set<String> filled;

  private LogSourceMapping(
      Map<EventKind, EventPresentation> presentations, Set<String> filled, String reason) {
    this.presentations = Map.copyOf(presentations);
    this.filled = filled == null ? null : Set.copyOf(filled);
    this.reason = reason;
  }

  /** A mapping whose adapters answer only {@code filled} (their declared {@code NAMES}). */
  static LogSourceMapping of(
      Map<EventKind, EventPresentation> presentations,
      java.util.Collection<String> filled,
      String reason) {
    return new LogSourceMapping(presentations, Set.copyOf(filled), reason);
  }

  /** A mapping whose records carry whatever fields their source wrote (auditd). */
  static LogSourceMapping ofAnyField(
      Map<EventKind, EventPresentation> presentations, String reason) {
    return new LogSourceMapping(presentations, null, reason);
  }

  static LogSourceMapping notApplicable(String reason) {
    return new LogSourceMapping(Map.of(), Set.of(), reason);
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
   * Whether events of this log source can carry the Sigma field {@code name} (exact,
   * case-sensitive, as rules are matched). False for every name when not applicable; true for every
   * name when {@link #fillsAnyField()}.
   */
  public boolean fills(String name) {
    return filled == null || filled.contains(name);
  }

  /**
   * True when the views are records that carry whatever fields their source wrote (auditd: the
   * kernel's and audit user space's names), so no field name can be called never filled.
   */
  public boolean fillsAnyField() {
    return filled == null;
  }

  /**
   * The Sigma field names Vigil fills for this log source (the adapters' declared names; a name may
   * still be absent from a particular event); empty when {@link #fillsAnyField()} or not
   * applicable.
   */
  public Set<String> filledFields() {
    return filled == null ? Set.of() : filled;
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
    EventKind kind = kindOf(event);
    EventPresentation p = kind == null ? null : presentations.get(kind);
    return p == null ? List.of() : p.present(event);
  }

  /** The kind of {@code event}'s payload; null when it has none Vigil knows. */
  public static EventKind kindOf(Event event) {
    // The payload oneof's field numbers are the EventKind numbers (the schema keeps them equal).
    return EventKind.forNumber(event.getPayloadCase().getNumber());
  }

  @Override
  public String toString() {
    return (applicable() ? "applies " + kinds() + ": " : "not applicable: ") + reason;
  }
}
