package io.vigil.detect.vigil;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.detect.sigma.match.SigmaFields;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.EventKind;
import io.vigil.proto.v1.FileEvent;
import io.vigil.proto.v1.NetworkConnection;
import io.vigil.proto.v1.ProcessExit;
import io.vigil.proto.v1.ProcessRef;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The hunting views: the same adapters as the rules, but for every event of a kind, including the
 * listening sockets and file deletions the rules' log sources leave out.
 */
class SigmaViewsTest {
  private static final ProcessRef NC =
      ProcessRef.newBuilder().setPid(7).setImage("/usr/bin/nc").setUser("bob").build();

  @Test
  void aListeningSocketHasTheConnectionFieldsThoughNetworkConnectionRulesDoNotSeeIt() {
    Event listen =
        Event.newBuilder()
            .setConnection(
                NetworkConnection.newBuilder()
                    .setDirection(NetworkConnection.Direction.DIRECTION_LISTEN)
                    .setDestinationIp("0.0.0.0")
                    .setDestinationPort(4444)
                    .setProcess(NC))
            .build();
    SigmaFields v = SigmaViews.of(listen).orElseThrow();
    assertEquals(List.of("/usr/bin/nc"), v.values("Image"));
    assertEquals(List.of(4444L), v.values("DestinationPort"));
    assertEquals(List.of(), v.values("Initiated"));
    assertTrue(
        LogSources.map(
                new io.vigil.detect.sigma.rule.LogSource("linux", "network_connection", null))
            .present(listen)
            .isEmpty(),
        "rules still do not see it");
  }

  @Test
  void aDeletionHasTheFileFieldsAndKindsWithoutAViewHaveNone() {
    Event delete =
        Event.newBuilder()
            .setFile(
                FileEvent.newBuilder()
                    .setAction(FileEvent.Action.ACTION_DELETE)
                    .setPath("/tmp/x")
                    .setProcess(NC))
            .build();
    assertEquals(List.of("/tmp/x"), SigmaViews.of(delete).orElseThrow().values("TargetFilename"));
    Event exit = Event.newBuilder().setProcessExit(ProcessExit.newBuilder().setProcess(NC)).build();
    assertTrue(SigmaViews.of(exit).isEmpty());
    assertTrue(
        SigmaViews.names().get(EventKind.EVENT_KIND_PROCESS_EXEC).contains("ParentCommandLine"));
    assertEquals(6, SigmaViews.names().size());
  }
}
