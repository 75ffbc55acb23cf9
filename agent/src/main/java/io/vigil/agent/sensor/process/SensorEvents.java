package io.vigil.agent.sensor.process;

import io.vigil.proto.v1.AuditMessage;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.Gap;
import io.vigil.proto.v1.ProcessExec;
import io.vigil.proto.v1.ProcessExit;

/** Wraps payloads into events of the {@code process} sensor. Stateless; thread-safe. */
final class SensorEvents {
  static final String SENSOR = "process";

  private SensorEvents() {}

  static Event.Builder exec(long timeNs, ProcessExec exec) {
    return Event.newBuilder().setSensor(SENSOR).setEventTimeNs(timeNs).setProcessExec(exec);
  }

  static Event.Builder exit(long timeNs, ProcessExit exit) {
    return Event.newBuilder().setSensor(SENSOR).setEventTimeNs(timeNs).setProcessExit(exit);
  }

  static Event.Builder audit(long timeNs, AuditMessage message) {
    return Event.newBuilder().setSensor(SENSOR).setEventTimeNs(timeNs).setAudit(message);
  }

  /**
   * A kernel source lost events.
   *
   * @param source e.g. {@code "proc_connector"}, {@code "audit"}
   * @param count how many, 0 when unknown
   */
  static Event.Builder sourceGap(long timeNs, String source, long count) {
    Gap gap =
        Gap.newBuilder()
            .setReason(Gap.Reason.REASON_SOURCE_OVERRUN)
            .setSource(source)
            .setCount(count)
            .setFirstEventTimeNs(timeNs)
            .setLastEventTimeNs(timeNs)
            .build();
    return Event.newBuilder().setSensor(SENSOR).setEventTimeNs(timeNs).setGap(gap);
  }
}
