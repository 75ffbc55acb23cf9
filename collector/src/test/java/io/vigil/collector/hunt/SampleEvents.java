package io.vigil.collector.hunt;

import io.vigil.proto.v1.DnsEvent;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.FileEvent;
import io.vigil.proto.v1.NetworkConnection;
import io.vigil.proto.v1.ProcessExec;
import io.vigil.proto.v1.ProcessRef;
import io.vigil.proto.v1.Transport;

/** Events as the agent's sensors write them, for the hunting tests. */
final class SampleEvents {
  private SampleEvents() {}

  static ProcessRef process(String entity, int pid, String image, String commandLine, String user) {
    return ProcessRef.newBuilder()
        .setEntityId(entity)
        .setPid(pid)
        .setImage(image)
        .setCommandLine(commandLine)
        .setUser(user)
        .setUid(user.equals("root") ? 0 : 1000)
        .build();
  }

  static Event exec(long timeNs, ProcessRef p, ProcessRef parent) {
    return Event.newBuilder()
        .setEventTimeNs(timeNs)
        .setSensor("process")
        .setProcessExec(ProcessExec.newBuilder().setProcess(p).setParent(parent))
        .build();
  }

  static Event connection(
      long timeNs,
      NetworkConnection.Direction d,
      String src,
      int srcPort,
      String dst,
      int dstPort,
      ProcessRef p) {
    return Event.newBuilder()
        .setEventTimeNs(timeNs)
        .setSensor("connection")
        .setConnection(
            NetworkConnection.newBuilder()
                .setDirection(d)
                .setTransport(Transport.TRANSPORT_TCP)
                .setSourceIp(src)
                .setSourcePort(srcPort)
                .setDestinationIp(dst)
                .setDestinationPort(dstPort)
                .setProcess(p))
        .build();
  }

  static Event dns(long timeNs, String name, ProcessRef p) {
    return Event.newBuilder()
        .setEventTimeNs(timeNs)
        .setSensor("packet")
        .setDns(
            DnsEvent.newBuilder()
                .setQueryName(name)
                .setQueryType("A")
                .setResponseCode("NOERROR")
                .addAnswers("192.0.2.10")
                .setProcess(p))
        .build();
  }

  static Event file(long timeNs, FileEvent.Action action, String path, ProcessRef p) {
    return Event.newBuilder()
        .setEventTimeNs(timeNs)
        .setSensor("file")
        .setFile(FileEvent.newBuilder().setAction(action).setPath(path).setProcess(p))
        .build();
  }
}
