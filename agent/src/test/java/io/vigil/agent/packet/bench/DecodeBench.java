package io.vigil.agent.packet.bench;

import io.vigil.agent.packet.PacketPipeline;
import io.vigil.agent.packet.decode.DecodedPacket;
import io.vigil.agent.packet.decode.PacketDecoder;
import io.vigil.agent.packet.dns.DnsAnswerCache;
import io.vigil.agent.packet.file.CaptureFileReader;
import io.vigil.agent.packet.flow.FlowOptions;
import io.vigil.common.testing.Machine;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Decoder benchmark (issue #6, bench/pcap): packets/s through {@link PacketDecoder#decode} on one
 * thread. Reads every capture under a folder into memory, lays the packets out back to back in one
 * array repeated until there are about TARGET packets (so the decoder streams through memory as it
 * would through a large capture, not through a cache-resident corpus), then decodes the whole set
 * in warm-up passes and timed runs, printing each run and the median.
 *
 * <p>Usage: {@code DecodeBench CORPUS_DIR [TARGET_PACKETS] [WARMUP_PASSES] [RUNS]}.
 */
public final class DecodeBench {
  private DecodeBench() {}

  public static void main(String[] args) throws IOException {
    Path root = Path.of(args[0]);
    int target = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
    int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    int runs = args.length > 3 ? Integer.parseInt(args[3]) : 3;
    System.out.println(Machine.describe());

    Corpus c = Corpus.load(root);
    System.out.printf(
        "corpus:   %s: %d files (%d ended early: damaged), %d packets, %d bytes%n",
        root, c.files, c.damaged, c.count, c.length);
    CaptureFileReader reader = new CaptureFileReader();
    long[] seen = new long[2];
    PacketHandlerSum sum = new PacketHandlerSum(seen);
    for (int i = 0; i < 10; i++) { // warm-up
      readAll(reader, c.paths, sum);
    }
    long readStart = System.nanoTime();
    int readPasses = 20;
    seen[0] = 0;
    for (int i = 0; i < readPasses; i++) {
      readAll(reader, c.paths, sum);
    }
    double readSec = (System.nanoTime() - readStart) / 1e9;
    System.out.printf(
        "read:     %,.0f packets/s, %.0f MiB/s reading the %d files (page cache; 626 opens per"
            + " pass)%n",
        seen[0] / readSec, c.length * (double) readPasses / readSec / 1048576.0, c.files);

    Repeated r = Repeated.of(c, target);
    System.out.printf(
        "input:    %d packets, %d bytes (%.1f MiB), the corpus %d times%n",
        r.count, r.bytes, r.bytes / 1048576.0, r.copies);

    PacketDecoder decoder = new PacketDecoder();
    DecodedPacket out = new DecodedPacket();
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long reference = -1;
    for (int i = 0; i < warmup; i++) {
      long check = pass(decoder, out, r);
      if (reference < 0) {
        reference = check;
      }
    }
    System.out.printf("warm-up:  %d passes%n", warmup);
    double[] rates = new double[runs];
    for (int i = 0; i < runs; i++) {
      long tid = Thread.currentThread().getId();
      long alloc0 = threads.getThreadAllocatedBytes(tid);
      long cpu0 = threads.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      long check = pass(decoder, out, r);
      long wall = System.nanoTime() - t0;
      long cpu = threads.getCurrentThreadCpuTime() - cpu0;
      long alloc = threads.getThreadAllocatedBytes(tid) - alloc0;
      rates[i] = r.count / (wall / 1e9);
      System.out.printf(
          "run %d:    %,.0f packets/s (wall), %,.0f packets/s (thread CPU), %.1f ns/packet,"
              + " %.3f bytes allocated/packet, %s%n",
          i + 1,
          rates[i],
          r.count / (cpu / 1e9),
          (double) wall / r.count,
          (double) alloc / r.count,
          check == reference ? "same result" : "RESULT DIFFERS " + check + " vs " + reference);
    }
    double[] sorted = rates.clone();
    Arrays.sort(sorted);
    System.out.printf(
        "median:   %,.0f packets/s (min %,.0f, max %,.0f) over %d runs (decode only)%n",
        sorted[runs / 2], sorted[0], sorted[runs - 1], runs);

    // The whole pipeline of the sensor: decode, flow table, DNS matching and the answer cache.
    long[] events = new long[1];
    for (int i = 0; i < warmup; i++) {
      pipelinePass(r, events);
    }
    double[] full = new double[runs];
    for (int i = 0; i < runs; i++) {
      long tid = Thread.currentThread().getId();
      long alloc0 = threads.getThreadAllocatedBytes(tid);
      events[0] = 0;
      long t0 = System.nanoTime();
      pipelinePass(r, events);
      long wall = System.nanoTime() - t0;
      long alloc = threads.getThreadAllocatedBytes(tid) - alloc0;
      full[i] = r.count / (wall / 1e9);
      System.out.printf(
          "pipeline %d: %,.0f packets/s (wall), %.1f ns/packet, %.1f bytes allocated/packet,"
              + " %,d flow and DNS events%n",
          i + 1, full[i], (double) wall / r.count, (double) alloc / r.count, events[0]);
    }
    Arrays.sort(full);
    System.out.printf(
        "median:   %,.0f packets/s (min %,.0f, max %,.0f) over %d runs (decode, flows, DNS)%n",
        full[runs / 2], full[0], full[runs - 1], runs);
  }

  /** One pass through a fresh {@link PacketPipeline}, counting the events it emits. */
  private static void pipelinePass(Repeated r, long[] events) {
    PacketPipeline p =
        new PacketPipeline("bench", FlowOptions.defaults(), new DnsAnswerCache(), e -> events[0]++);
    byte[] data = r.data;
    for (int i = 0; i < r.count; i++) {
      p.frame(data, r.offsets[i], r.lengths[i], r.linkTypes[i], r.timestamps[i], r.lengths[i]);
    }
    p.finish();
  }

  private static void readAll(CaptureFileReader reader, List<Path> files, PacketHandlerSum sum) {
    for (Path f : files) {
      try {
        reader.read(f, sum);
      } catch (IOException e) {
        // the two damaged corpus files end early, as they do in Corpus.load
      }
    }
  }

  /** Counts packets and touches one byte of each, so the reading is not optimised away. */
  private record PacketHandlerSum(long[] seen) implements io.vigil.agent.packet.file.PacketHandler {
    @Override
    public void packet(byte[] buf, int off, int len, int linkType, long ts, int orig) {
      seen[0]++;
      seen[1] += len > 0 ? buf[off] : 0;
    }
  }

  /** One pass over every packet: returns a checksum of what was decoded, so none is skipped. */
  private static long pass(PacketDecoder decoder, DecodedPacket out, Repeated r) {
    long sum = 0;
    byte[] data = r.data;
    int[] offsets = r.offsets;
    int[] lengths = r.lengths;
    int[] linkTypes = r.linkTypes;
    long[] ts = r.timestamps;
    for (int i = 0; i < r.count; i++) {
      if (decoder.decode(data, offsets[i], lengths[i], linkTypes[i], ts[i], lengths[i], out)) {
        sum += out.ipLength + out.srcPort * 31L + out.dstPort + out.protocol + out.payloadLength;
      } else {
        sum += out.malformed == null ? 1 : 1000;
      }
    }
    return sum;
  }

  /** The corpus read once: packets back to back. */
  private static final class Corpus {
    byte[] data = new byte[1 << 20];
    int length;
    List<int[]> meta = new ArrayList<>(); // offset, length, link type
    List<Long> timestamps = new ArrayList<>();
    int count;
    int files;
    int damaged;
    List<Path> paths;

    static Corpus load(Path root) throws IOException {
      Corpus c = new Corpus();
      List<Path> files;
      try (Stream<Path> s = Files.walk(root)) {
        files =
            s.filter(Files::isRegularFile)
                .filter(p -> p.toString().endsWith(".pcap") || p.toString().endsWith(".pcapng"))
                .sorted()
                .toList();
      }
      c.paths = files;
      CaptureFileReader reader = new CaptureFileReader();
      for (Path f : files) {
        c.files++;
        try {
          reader.read(
              f,
              (buf, off, len, lt, t, orig) -> {
                if (c.length + len > c.data.length) {
                  c.data = Arrays.copyOf(c.data, Math.max(c.data.length * 2, c.length + len));
                }
                System.arraycopy(buf, off, c.data, c.length, len);
                c.meta.add(new int[] {c.length, len, lt});
                c.timestamps.add(t);
                c.length += len;
                c.count++;
              });
        } catch (IOException e) {
          c.damaged++; // the packets before the damage were kept
        }
      }
      return c;
    }
  }

  /** The corpus repeated to about the target packet count, in flat arrays. */
  private static final class Repeated {
    byte[] data;
    int[] offsets;
    int[] lengths;
    int[] linkTypes;
    long[] timestamps;
    int count;
    long bytes;
    int copies;

    static Repeated of(Corpus c, int target) {
      Repeated r = new Repeated();
      r.copies = Math.max(1, (target + c.count / 2) / c.count);
      r.count = c.count * r.copies;
      r.bytes = (long) c.length * r.copies;
      if (r.bytes > Integer.MAX_VALUE - 16) {
        throw new IllegalArgumentException("repeated corpus over 2 GiB: lower the target");
      }
      r.data = new byte[(int) r.bytes];
      r.offsets = new int[r.count];
      r.lengths = new int[r.count];
      r.linkTypes = new int[r.count];
      r.timestamps = new long[r.count];
      int i = 0;
      for (int k = 0; k < r.copies; k++) {
        int base = k * c.length;
        System.arraycopy(c.data, 0, r.data, base, c.length);
        for (int j = 0; j < c.count; j++, i++) {
          int[] m = c.meta.get(j);
          r.offsets[i] = base + m[0];
          r.lengths[i] = m[1];
          r.linkTypes[i] = m[2];
          // Each copy an hour later, so that no fragment of one copy meets another's.
          r.timestamps[i] = c.timestamps.get(j) + k * 3_600_000_000_000L;
        }
      }
      return r;
    }
  }
}
