package io.vigil.agent.config;

import io.vigil.agent.sensor.packet.CaptureTarget;
import io.vigil.common.config.ConfigNode;
import java.util.List;

/**
 * The packet sensor ({@code sensors.packet}): live capture through libpcap into flows and DNS
 * events. Immutable.
 *
 * @param enabled {@code sensors.packet.enabled}: off by default, because capturing every packet on
 *     every server costs CPU and needs CAP_NET_RAW, and is a choice the operator makes per fleet
 * @param interfaces {@code sensors.packet.interfaces}: interface names, one capture each; {@code
 *     any} captures every interface through one Linux cooked handle; {@code netns:NAME/IFACE} an
 *     interface inside the named network namespace ({@link CaptureTarget})
 * @param filter {@code sensors.packet.filter}: a BPF expression applied in the kernel, {@code ""}
 *     for all traffic; checked by libpcap at start (a bad one leaves the sensor degraded)
 * @param snapLength {@code sensors.packet.snap_length}: bytes kept of each packet
 * @param bufferBytes {@code sensors.packet.buffer_size}: the kernel capture buffer per interface
 * @param excludeCollector {@code sensors.packet.exclude_collector}: leave out the agent's own
 *     traffic to the collector (its address resolved at start), so shipping events does not make
 *     flow events that are shipped in turn
 */
public record PacketSection(
    boolean enabled,
    List<String> interfaces,
    String filter,
    int snapLength,
    int bufferBytes,
    boolean excludeCollector) {

  /** Longest BPF expression accepted; real filters are a few hundred characters at most. */
  static final int MAX_FILTER_CHARS = 4096;

  public PacketSection {
    interfaces = List.copyOf(interfaces);
  }

  static PacketSection bind(ConfigNode node) {
    boolean enabled = node.bool("enabled", false);
    List<String> interfaces = node.stringList("interfaces", List.of("any"));
    if (interfaces.isEmpty()) {
      node.error("interfaces", "expected at least one interface name");
      interfaces = List.of("any");
    } else {
      for (String i : interfaces) {
        try {
          CaptureTarget.parse(i);
        } catch (IllegalArgumentException e) {
          node.error("interfaces", e.getMessage());
          interfaces = List.of("any");
          break;
        }
      }
      if (interfaces.size() != interfaces.stream().distinct().count()) {
        node.error("interfaces", "an interface is listed twice: " + interfaces);
        interfaces = List.of("any");
      }
    }
    String filter = node.string("filter", "");
    if (filter.length() > MAX_FILTER_CHARS) {
      node.error("filter", "expected at most " + MAX_FILTER_CHARS + " characters");
      filter = "";
    } else if (filter.chars().anyMatch(c -> c < 0x20 && c != '\t' && c != '\n')) {
      node.error("filter", "control characters are not allowed in a BPF expression");
      filter = "";
    }
    int snap = node.intValue("snap_length", 65_535, 64, 262_144);
    int buffer = (int) node.bytes("buffer_size", "8MiB", 64L << 10, 1L << 30);
    boolean exclude = node.bool("exclude_collector", true);
    return new PacketSection(enabled, interfaces, filter.strip(), snap, buffer, exclude);
  }
}
