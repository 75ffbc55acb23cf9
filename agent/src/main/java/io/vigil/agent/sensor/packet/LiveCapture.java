package io.vigil.agent.sensor.packet;

import io.vigil.agent.packet.IpText;
import java.io.Closeable;
import java.net.InetAddress;
import java.sql.Timestamp;
import java.util.HashSet;
import java.util.Set;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapAddress;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.PcapStat;
import org.pcap4j.core.Pcaps;

/**
 * Live capture on one interface through libpcap (pcap4j), raw frames only: decoding is Vigil's own
 * (pcap4j's packet classes cost several times more per packet). The capture runs in {@link #loop}
 * on a thread of the caller's, and is stopped from another thread with {@link #stop}: libpcap's
 * read timeout does not fire on a quiet interface, so a read loop would never notice a stop. {@link
 * #stats()} may be called from any thread while the loop runs.
 */
public final class LiveCapture implements Closeable {
  /** Receives each frame; the array is the frame's own (pcap4j allocates one per packet). */
  @FunctionalInterface
  public interface FrameHandler {
    void frame(byte[] data, int linkType, long timestampNs, int originalLength);
  }

  /** Counters libpcap keeps for the handle (kernel ring drops, interface drops). */
  public record Stats(long received, long droppedByKernel, long droppedByInterface) {}

  private final PcapHandle handle;
  private final int linkType;
  private volatile boolean stopped;

  private LiveCapture(PcapHandle handle) {
    this.handle = handle;
    this.linkType = handle.getDlt().value();
  }

  /**
   * Opens {@code options.iface()} and applies its filter.
   *
   * @throws CaptureException when libpcap cannot open the interface (missing, no permission) or
   *     compile the filter; the message says which
   */
  public static LiveCapture open(CaptureOptions options) throws CaptureException {
    LibpcapLocation.configure();
    PcapHandle h;
    try {
      h =
          new PcapHandle.Builder(options.iface())
              .snaplen(options.snapLength())
              .promiscuousMode(PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS)
              .timeoutMillis(options.timeoutMillis())
              .bufferSize(options.bufferBytes())
              .build();
    } catch (PcapNativeException | RuntimeException | UnsatisfiedLinkError e) {
      throw new CaptureException("cannot open interface " + options.iface() + ": " + e, e);
    }
    try {
      if (!options.filter().isBlank()) {
        h.setFilter(options.filter(), BpfProgram.BpfCompileMode.OPTIMIZE);
      }
    } catch (PcapNativeException | NotOpenException | RuntimeException e) {
      h.close();
      throw new CaptureException(
          "cannot apply filter \"" + options.filter() + "\" on " + options.iface() + ": " + e, e);
    }
    return new LiveCapture(h);
  }

  /**
   * The addresses of every interface libpcap lists from the calling thread's network namespace, in
   * {@link IpText} form.
   *
   * @throws CaptureException when libpcap cannot list them
   */
  public static Set<String> interfaceAddresses() throws CaptureException {
    LibpcapLocation.configure();
    Set<String> out = new HashSet<>();
    try {
      for (PcapNetworkInterface ni : Pcaps.findAllDevs()) {
        for (PcapAddress a : ni.getAddresses()) {
          InetAddress ip = a.getAddress();
          if (ip != null) {
            out.add(IpText.of(ip.getAddress(), 0, ip.getAddress().length));
          }
        }
      }
    } catch (PcapNativeException | RuntimeException | UnsatisfiedLinkError e) {
      throw new CaptureException("cannot list interface addresses: " + e, e);
    }
    return Set.copyOf(out);
  }

  /** The interface's pcap link type (1 for Ethernet, 772 for Linux cooked "any", ...). */
  public int linkType() {
    return linkType;
  }

  /**
   * Delivers frames until {@link #stop} is called (from another thread) or the handle fails.
   *
   * @throws CaptureException when libpcap reports an error while capturing
   */
  public void loop(FrameHandler handler) throws CaptureException {
    try {
      handle.loop(
          -1,
          (byte[] raw) -> {
            Timestamp ts = handle.getTimestamp();
            long ns = ts.getTime() / 1000 * 1_000_000_000L + ts.getNanos();
            Integer orig = handle.getOriginalLength();
            handler.frame(raw, linkType, ns, orig == null ? raw.length : orig);
          });
    } catch (InterruptedException e) {
      // breakLoop makes loop throw this: the normal end, not a thread interrupt.
      if (!stopped) {
        Thread.currentThread().interrupt();
      }
    } catch (PcapNativeException | NotOpenException e) {
      if (!stopped) {
        throw new CaptureException("capture failed: " + e, e);
      }
    }
  }

  /** Makes {@link #loop} return promptly; safe from any thread, idempotent. */
  public void stop() {
    stopped = true;
    try {
      handle.breakLoop();
    } catch (NotOpenException e) {
      // closed already: the loop has ended
    }
  }

  /** libpcap's counters; zeros when the handle is closed. */
  public Stats stats() {
    try {
      PcapStat s = handle.getStats();
      return new Stats(
          s.getNumPacketsReceived(), s.getNumPacketsDropped(), s.getNumPacketsDroppedByIf());
    } catch (PcapNativeException | NotOpenException e) {
      return new Stats(0, 0, 0);
    }
  }

  @Override
  public void close() {
    stop();
    handle.close();
  }
}
