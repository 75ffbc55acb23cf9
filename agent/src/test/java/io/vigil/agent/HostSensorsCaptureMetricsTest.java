package io.vigil.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.config.AgentConfig;
import io.vigil.agent.sensor.EventSink;
import io.vigil.agent.sensor.Sensor;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.proto.v1.Event;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The packet sensor's counters on the Prometheus endpoint, one series per configured interface,
 * from a real capture on loopback: what the status event's {@code captures} says, an operator's
 * scraper sees too; an interface that could not be opened reads 0.
 */
@Tag("kernel")
class HostSensorsCaptureMetricsTest {
  @Test
  void captureCountersAreGaugesLabelledByInterface() throws Exception {
    Assumptions.assumeTrue(
        "root".equals(System.getProperty("user.name")), "capture needs root (CAP_NET_RAW)");
    AgentConfig config =
        AgentConfig.load(
            Optional.empty(),
            Map.of(),
            List.of(
                "sensors.process.enabled=false",
                "sensors.network.enabled=false",
                "sensors.packet.enabled=true",
                "sensors.packet.interfaces=lo,vigil-nope0",
                "sensors.packet.filter=udp"));
    MetricsRegistry metrics = new MetricsRegistry();
    HostSensors sensors =
        HostSensors.build(
            config,
            metrics,
            new io.vigil.agent.status.TamperOutbox(),
            new io.vigil.agent.sensor.DetailLevel(metrics));
    EventSink sink =
        new EventSink() {
          @Override
          public boolean offer(Event.Builder e) {
            return true;
          }

          @Override
          public boolean offerOrRefuse(Event.Builder e) {
            return true;
          }
        };
    List<Sensor> order = sensors.inStartOrder();
    try {
      order.forEach(s -> s.start(sink));
      InetAddress lo = InetAddress.getByName("127.0.0.1");
      try (DatagramSocket a = new DatagramSocket(0, lo);
          DatagramSocket b = new DatagramSocket(0, lo)) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (metrics.value("vigil_capture_decoded", "interface", "lo") < 10
            && System.nanoTime() < deadline) {
          byte[] d = "vigil-test".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
          a.send(new DatagramPacket(d, d.length, lo, b.getLocalPort()));
          Thread.sleep(50);
        }
      }
      double received = metrics.value("vigil_capture_received", "interface", "lo");
      double decoded = metrics.value("vigil_capture_decoded", "interface", "lo");
      assertTrue(decoded >= 10, "decoded " + decoded);
      assertTrue(received >= decoded, "received " + received + " decoded " + decoded);
      assertEquals(0, metrics.value("vigil_capture_received", "interface", "vigil-nope0"));
      StringBuilder text = new StringBuilder();
      metrics.writeText(text);
      for (String family :
          List.of(
              "vigil_capture_received",
              "vigil_capture_dropped_by_kernel",
              "vigil_capture_dropped_by_interface",
              "vigil_capture_decoded",
              "vigil_capture_flows",
              "vigil_capture_dns",
              "vigil_capture_tls",
              "vigil_capture_http",
              "vigil_capture_analyzer_errors",
              "vigil_capture_flows_evicted")) {
        assertTrue(text.toString().contains(family + "{interface=\"lo\"}"), family + "\n" + text);
      }
    } finally {
      for (int i = order.size() - 1; i >= 0; i--) {
        order.get(i).close();
      }
    }
  }
}
