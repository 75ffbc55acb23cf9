package io.vigil.collector.ingest;

import com.google.protobuf.ByteString;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.EventBatch;
import io.vigil.proto.v1.Gap;
import io.vigil.proto.v1.Hello;
import io.vigil.proto.v1.HostInfo;
import io.vigil.proto.v1.ProcessExec;
import io.vigil.proto.v1.ProcessRef;
import java.util.ArrayList;
import java.util.List;

/** Builds the events and batches the ingest tests send. */
final class TestEvents {
  private TestEvents() {}

  static Event exec(long seq, String commandLine) {
    return exec(seq, "/usr/bin/bash", commandLine);
  }

  static Event exec(long seq, String image, String commandLine) {
    return Event.newBuilder()
        .setSeq(seq)
        .setEventTimeNs(1_700_000_000_000_000_000L + seq)
        .setSensor("synthetic")
        .setProcessExec(
            ProcessExec.newBuilder()
                .setProcess(
                    ProcessRef.newBuilder()
                        .setPid(1000 + (int) seq)
                        .setImage(image)
                        .setCommandLine(commandLine)))
        .build();
  }

  static Event exec(long seq) {
    return exec(seq, "bash -c 'echo " + seq + "'");
  }

  static Event gap(long seq, long firstLost, long lastLost) {
    return Event.newBuilder()
        .setSeq(seq)
        .setSensor("spool")
        .setGap(
            Gap.newBuilder()
                .setReason(Gap.Reason.REASON_SPOOL_CAP)
                .setFirstSeq(firstLost)
                .setLastSeq(lastLost)
                .setCount(lastLost - firstLost + 1)
                .setSource("spool"))
        .build();
  }

  /** A batch of process events with seqs first..last. */
  static EventBatch batch(long first, long last) {
    List<ByteString> events = new ArrayList<>();
    for (long s = first; s <= last; s++) {
      events.add(exec(s).toByteString());
    }
    return raw(first, events);
  }

  static EventBatch of(Event... events) {
    List<ByteString> raw = new ArrayList<>();
    for (Event e : events) {
      raw.add(e.toByteString());
    }
    return raw(events[0].getSeq(), raw);
  }

  static EventBatch raw(long first, List<ByteString> events) {
    return EventBatch.newBuilder()
        .setFirstSeq(first)
        .addAllEvents(events)
        .setSentTimeNs(System.currentTimeMillis() * 1_000_000L)
        .build();
  }

  static Hello hello(String agentId, String epoch) {
    return Hello.newBuilder()
        .setAgentId(agentId)
        .setStreamEpoch(epoch)
        .setAgentVersion("0.1.0")
        .setHost(HostInfo.newBuilder().setHostname("web-1"))
        .setSentTimeNs(System.currentTimeMillis() * 1_000_000L)
        .build();
  }

  static long now() {
    return System.currentTimeMillis() * 1_000_000L;
  }
}
