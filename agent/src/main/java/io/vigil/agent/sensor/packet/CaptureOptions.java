package io.vigil.agent.sensor.packet;

import java.util.Objects;

/**
 * How one interface is captured. Immutable.
 *
 * @param iface the interface name ("eth0", "any", "lo")
 * @param filter a BPF filter expression ("" for everything)
 * @param snapLength bytes kept of each packet (headers and the start of payloads are what the
 *     decoders need; DNS and TLS handshakes fit in the default)
 * @param bufferBytes the kernel ring buffer; larger absorbs bursts without kernel drops
 * @param timeoutMillis how long libpcap may hold packets to batch them (not a read timeout: a quiet
 *     interface still blocks, which is why the capture runs in {@code loop} and is stopped with
 *     {@code breakLoop})
 */
public record CaptureOptions(
    String iface, String filter, int snapLength, int bufferBytes, int timeoutMillis) {
  public CaptureOptions {
    Objects.requireNonNull(iface);
    Objects.requireNonNull(filter);
    if (snapLength < 64 || snapLength > 262_144) {
      throw new IllegalArgumentException("snap length " + snapLength + " outside 64..262144");
    }
    if (bufferBytes < 65_536) {
      throw new IllegalArgumentException("buffer " + bufferBytes + " below 64 KiB");
    }
  }
}
