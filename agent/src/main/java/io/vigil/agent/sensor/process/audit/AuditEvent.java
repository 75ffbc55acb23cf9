package io.vigil.agent.sensor.process.audit;

import java.util.ArrayList;
import java.util.List;

/**
 * The records of one audit event, joined by serial, in arrival order. Immutable and thread-safe.
 *
 * @param serial the event serial
 * @param timestampNs the event time, UTC nanoseconds (from its first record)
 * @param records its records, EOE excluded
 * @param ending why the assembler considered it complete
 * @param droppedRecords records of this event dropped at the per-event record limit
 */
public record AuditEvent(
    long serial, long timestampNs, List<AuditRecord> records, Ending ending, int droppedRecords) {

  /** Why an event was closed. Anything but {@link #EOE} and {@link #STANDALONE} may be partial. */
  public enum Ending {
    /** The kernel's end-of-event record arrived. */
    EOE,
    /** A record type that never has companions (user-space messages and the like). */
    STANDALONE,
    /** A record with a newer serial arrived (auditd log files carry no EOE). */
    NEWER_SERIAL,
    /** Open longer than the maximum age. */
    AGED,
    /** Pushed out because too many events were open. */
    EVICTED,
    /** Closed by an explicit flush of everything, e.g. at the end of a file or at shutdown. */
    FLUSHED
  }

  public AuditEvent {
    records = List.copyOf(records);
  }

  /** Roughly the heap its records hold ({@link AuditRecord#payloadBytes}), summed on each call. */
  public long payloadBytes() {
    long n = 0;
    for (AuditRecord r : records) {
      n += r.payloadBytes();
    }
    return n;
  }

  /** The first record of this type, or {@code null}. */
  public AuditRecord first(int type) {
    for (AuditRecord r : records) {
      if (r.type() == type) {
        return r;
      }
    }
    return null;
  }

  /** All records of this type, in arrival order. */
  public List<AuditRecord> all(int type) {
    List<AuditRecord> out = new ArrayList<>();
    for (AuditRecord r : records) {
      if (r.type() == type) {
        out.add(r);
      }
    }
    return out;
  }
}
