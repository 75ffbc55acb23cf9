package io.vigil.agent.packet.bench;

import io.vigil.agent.packet.dns.DnsAnswerCache;
import io.vigil.agent.packet.flow.FlowOptions;
import io.vigil.agent.sensor.EventSink;
import io.vigil.agent.sensor.network.LocalSockets;
import io.vigil.agent.sensor.packet.PacketSensor;
import io.vigil.common.testing.Machine;
import io.vigil.proto.v1.CaptureCounters;
import io.vigil.proto.v1.Event;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Live capture under load (issue #6, bench/pcap/live-veth.sh): the agent's {@link PacketSensor}
 * (libpcap through pcap4j, the decoders, the flow table, DNS) on one interface while a load command
 * runs, then what it captured: packets/s, kernel drops, and the CPU of this JVM (every thread: the
 * capture thread, the clock, GC and the JIT) and of the capture thread alone. The rest of the agent
 * (spool, shipper) is not in this process: at a handful of flow events a second it has nothing to
 * do.
 *
 * <p>Usage: {@code LiveCaptureBench IFACE BUFFER_MIB COMMAND...}: captures IFACE (or {@code
 * netns:NAME/IFACE}) with a kernel buffer of BUFFER_MIB, starts COMMAND one second later, measures
 * from its start until one second after it exits.
 */
public final class LiveCaptureBench {
  private LiveCaptureBench() {}

  public static void main(String[] args) throws Exception {
    String iface = args[0];
    int bufferMib = Integer.parseInt(args[1]);
    List<String> command = Arrays.asList(args).subList(2, args.length);
    System.out.println(Machine.describe());

    AtomicLong flows = new AtomicLong();
    AtomicLong others = new AtomicLong();
    EventSink sink =
        new EventSink() {
          @Override
          public boolean offer(Event.Builder e) {
            (e.hasFlow() ? flows : others).incrementAndGet();
            return true;
          }

          @Override
          public boolean offerOrRefuse(Event.Builder e) {
            return offer(e);
          }
        };
    PacketSensor sensor =
        new PacketSensor(
            new PacketSensor.Options(
                List.of(iface),
                "",
                65_535,
                bufferMib << 20,
                Optional.empty(),
                FlowOptions.defaults()),
            new DnsAnswerCache(),
            new LocalSockets());
    sensor.start(sink);
    if (sensor.state().getDegraded()) {
      System.err.println("capture did not start: " + sensor.state().getReason());
      System.exit(2);
    }
    Thread.sleep(1000);
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    CaptureCounters before = sensor.captureCounters().get(0);
    long cpu0 = os.getProcessCpuTime();
    long capture0 = captureThreadCpu(threads);
    long t0 = System.nanoTime();
    Process p = new ProcessBuilder(command).inheritIO().start();
    int rc = p.waitFor();
    Thread.sleep(1000);
    long wall = System.nanoTime() - t0;
    long cpu = os.getProcessCpuTime() - cpu0;
    long capture = captureThreadCpu(threads) - capture0;
    CaptureCounters after = sensor.captureCounters().get(0);
    sensor.close();
    CaptureCounters last = sensor.captureCounters().get(0);

    double s = wall / 1e9;
    long received = after.getReceived() - before.getReceived();
    long decoded = after.getDecoded() - before.getDecoded();
    System.out.printf("command:  %s (exit %d)%n", String.join(" ", command), rc);
    System.out.printf("interface: %s, kernel buffer %d MiB%n", iface, bufferMib);
    System.out.printf(
        "window:   %.2f s (the command and one second after it)%n"
            + "captured: %,d packets offered by the kernel, %,d decoded: %,.0f packets/s%n"
            + "dropped:  %,d by the kernel (%.2f %% of those offered), %,d by the interface%n"
            + "cpu:      %.2f s of this JVM = %.0f %% of one core; capture thread %.2f s = %.0f %%%n"
            + "events:   %,d flows, %,d others (all after close: %,d flows counted by the"
            + " pipeline)%n",
        s,
        received,
        decoded,
        decoded / s,
        after.getDroppedByKernel() - before.getDroppedByKernel(),
        100.0 * (after.getDroppedByKernel() - before.getDroppedByKernel()) / Math.max(1, received),
        after.getDroppedByInterface() - before.getDroppedByInterface(),
        cpu / 1e9,
        100.0 * cpu / wall,
        capture / 1e9,
        100.0 * capture / wall,
        flows.get(),
        others.get(),
        last.getFlows());
  }

  private static long captureThreadCpu(ThreadMXBean threads) {
    long sum = 0;
    for (ThreadInfo t : threads.dumpAllThreads(false, false)) {
      if (t.getThreadName().startsWith("vigil-capture-")) {
        sum += Math.max(0, threads.getThreadCpuTime(t.getThreadId()));
      }
    }
    return sum;
  }
}
