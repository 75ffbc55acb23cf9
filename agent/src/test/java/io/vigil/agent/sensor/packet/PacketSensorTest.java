package io.vigil.agent.sensor.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.packet.dns.DnsAnswerCache;
import io.vigil.agent.packet.flow.FlowOptions;
import io.vigil.agent.sensor.EventSink;
import io.vigil.agent.sensor.network.LocalSockets;
import io.vigil.common.config.HostPort;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.SensorState;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The packet sensor without capture rights or interfaces: degraded with the reason, never fatal.
 */
class PacketSensorTest {
  static final class CollectingSink implements EventSink {
    final List<Event> events = new CopyOnWriteArrayList<>();

    @Override
    public boolean offer(Event.Builder event) {
      events.add(event.build());
      return true;
    }

    @Override
    public boolean offerOrRefuse(Event.Builder event) {
      return offer(event);
    }
  }

  @Test
  void anInterfaceThatCannotBeOpenedLeavesTheSensorDegradedWithTheReason() {
    CollectingSink sink = new CollectingSink();
    PacketSensor s =
        new PacketSensor(
            new PacketSensor.Options(
                List.of("vigil-nope0"),
                "udp",
                65_535,
                1 << 20,
                Optional.of(new HostPort("127.0.0.1", 7443)),
                FlowOptions.defaults()),
            new DnsAnswerCache(),
            new LocalSockets());
    try {
      s.start(sink);
      SensorState st = s.state();
      assertEquals("packet", st.getName());
      assertTrue(st.getDegraded(), st.toString());
      assertTrue(st.getReason().contains("vigil-nope0"), st.getReason());
      assertTrue(st.getSource().startsWith("libpcap"), st.getSource());
      assertTrue(st.getSource().contains("no interface"), st.getSource());
      assertEquals("(udp) and not (host 127.0.0.1 and tcp port 7443)", s.filter());
      assertEquals(List.of(), s.captureCounters());
    } finally {
      s.close();
      s.close(); // idempotent
    }
    assertEquals(List.of(), sink.events);
  }

  @Test
  void aNamespaceThatDoesNotExistLeavesTheSensorDegradedWithItsName() {
    PacketSensor s =
        new PacketSensor(
            new PacketSensor.Options(
                List.of("netns:vigil-test-absent/any"),
                "",
                65_535,
                1 << 20,
                Optional.empty(),
                FlowOptions.defaults()),
            new DnsAnswerCache(),
            new LocalSockets());
    try {
      s.start(new CollectingSink());
      SensorState st = s.state();
      assertTrue(st.getDegraded(), st.toString());
      assertTrue(
          st.getReason()
              .contains(
                  "cannot open interface netns:vigil-test-absent/any: network namespace"
                      + " vigil-test-absent does not exist"),
          st.getReason());
      assertEquals(List.of(), s.captureCounters());
    } finally {
      s.close();
    }
  }

  @Test
  void closingASensorThatNeverStartedIsHarmless() {
    PacketSensor s =
        new PacketSensor(
            new PacketSensor.Options(
                List.of("lo"), "", 65_535, 1 << 20, Optional.empty(), FlowOptions.defaults()),
            new DnsAnswerCache(),
            new LocalSockets());
    s.close();
    assertEquals(List.of(), s.captureCounters());
  }
}
