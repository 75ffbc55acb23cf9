package io.vigil.agent.offline;

import io.vigil.agent.packet.PacketPipeline;
import io.vigil.agent.packet.decode.LinkType;
import io.vigil.agent.packet.dns.DnsAnswerCache;
import io.vigil.agent.packet.file.CaptureFileReader;
import io.vigil.agent.packet.flow.FlowOptions;
import io.vigil.common.config.PathArgument;
import io.vigil.common.text.JsonStrings;
import io.vigil.common.text.TerminalText;
import io.vigil.proto.v1.Event;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code vigil-agent pcap FILE... --out FILE.jsonl}: reads pcap and pcapng files through the same
 * decoders, flow table and DNS matching as live capture and writes the events as JSON lines, {@code
 * {"file":"…","event":{…}}} with the protobuf JSON form of each event. A progress bar goes to the
 * terminal when there is one; the summary (packets, bytes, flows, DNS, malformed, by link type)
 * follows. A damaged file keeps what was read before the damage and is reported; the others go on.
 *
 * <p>Exit codes: 0 done, 1 a file could not be read (fully), 2 usage error.
 */
public final class PcapCommand {
  static final String USAGE = "usage: vigil-agent pcap FILE... --out FILE.jsonl";

  private final PrintStream out;
  private final PrintStream err;
  private final boolean terminal;

  PcapCommand(PrintStream out, PrintStream err, boolean terminal) {
    this.out = out;
    this.err = err;
    this.terminal = terminal;
  }

  public static void main(String[] args) {
    int code = new PcapCommand(System.out, System.err, System.console() != null).run(args);
    System.exit(code);
  }

  int run(String[] args) {
    List<Path> files = new ArrayList<>();
    Path output = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--out")) {
        if (i + 1 >= args.length || output != null) {
          return usage("--out takes one file");
        }
        try {
          output = PathArgument.parse("--out", args[++i]);
        } catch (IllegalArgumentException e) {
          return usage(e.getMessage());
        }
      } else if (a.startsWith("-")) {
        return usage("unknown option " + TerminalText.escape(a, 200));
      } else {
        try {
          files.add(PathArgument.parse("capture file", a));
        } catch (IllegalArgumentException e) {
          return usage(e.getMessage());
        }
      }
    }
    if (files.isEmpty() || output == null) {
      return usage(files.isEmpty() ? "no capture file given" : "--out is required");
    }
    for (Path f : files) {
      if (!Files.isRegularFile(f) || !Files.isReadable(f)) {
        err.println("vigil-agent pcap: cannot read " + TerminalText.escape(f.toString(), 500));
        return 1;
      }
    }
    long total = 0;
    for (Path f : files) {
      total += size(f);
    }
    Progress progress = new Progress(err, terminal, total);
    Totals totals = new Totals();
    boolean failed = false;
    CaptureFileReader reader = new CaptureFileReader();
    try (OutputStream os = Files.newOutputStream(output)) {
      JsonBytes w = new JsonBytes(os, 1 << 16);
      EventJson json = new EventJson(w);
      for (int n = 0; n < files.size(); n++) {
        Path f = files.get(n);
        String name = f.getFileName().toString();
        StringBuilder prefix = new StringBuilder("{\"file\":");
        JsonStrings.quote(f.toString(), prefix);
        prefix.append(",\"event\":");
        byte[] head = prefix.toString().getBytes(StandardCharsets.UTF_8);
        PacketPipeline pipeline =
            new PacketPipeline(
                name, FlowOptions.defaults(), new DnsAnswerCache(), e -> write(w, json, head, e));
        progress.file(n + 1, files.size(), name);
        try {
          reader.read(
              f,
              (buf, off, len, linkType, ts, orig) -> {
                pipeline.frame(buf, off, len, linkType, ts, orig);
                progress.advance(len + 16L);
              });
        } catch (IOException e) {
          failed = true;
          progress.clear();
          // The reader's message names the file and the offset.
          err.println(
              "vigil-agent pcap: "
                  + TerminalText.escape(String.valueOf(e.getMessage()), 1000)
                  + " (the packets before it were read)");
        }
        pipeline.finish();
        totals.add(pipeline.summary());
      }
      w.flush();
    } catch (IOException | UncheckedIOException e) {
      progress.clear();
      err.println(
          "vigil-agent pcap: cannot write "
              + TerminalText.escape(output + ": " + e.getMessage(), 1000));
      return 1;
    }
    progress.clear();
    totals.print(out, files.size(), output);
    return failed ? 1 : 0;
  }

  private static void write(JsonBytes w, EventJson json, byte[] head, Event.Builder e) {
    try {
      w.raw(head);
      json.write(e);
      w.ascii('}').ascii('\n');
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  private int usage(String problem) {
    err.println("vigil-agent pcap: " + problem);
    err.println(USAGE);
    return 2;
  }

  private static long size(Path f) {
    try {
      return Files.size(f);
    } catch (IOException e) {
      return 0;
    }
  }

  /** Sums over the files. */
  private static final class Totals {
    long frames;
    long bytes;
    long ip;
    long flows;
    long dns;
    long tls;
    long http;
    long analyzerErrors;
    long evicted;
    final Map<Integer, Long> byLinkType = new TreeMap<>();
    final Map<String, Long> malformed = new TreeMap<>();

    void add(PacketPipeline.Summary s) {
      frames += s.frames();
      bytes += s.bytes();
      ip += s.ipPackets();
      flows += s.flows();
      dns += s.dns();
      tls += s.tls();
      http += s.http();
      analyzerErrors += s.analyzerErrors();
      evicted += s.flowsEvicted();
      s.framesByLinkType().forEach((k, v) -> byLinkType.merge(k, v, Long::sum));
      s.malformedByReason().forEach((k, v) -> malformed.merge(k, v, Long::sum));
    }

    void print(PrintStream out, int files, Path output) {
      out.printf(
          "%d files: %,d packets, %,d bytes; %,d IP packets; %,d flows (%,d evicted), %,d DNS"
              + " events, %,d TLS handshakes, %,d HTTP requests -> %s%n",
          files, frames, bytes, ip, flows, evicted, dns, tls, http, output);
      StringBuilder links = new StringBuilder("by link type:");
      byLinkType.forEach(
          (k, v) -> links.append(' ').append(LinkType.name(k)).append(' ').append(v));
      out.println(links);
      StringBuilder bad = new StringBuilder("malformed:");
      if (malformed.isEmpty()) {
        bad.append(" none");
      }
      malformed.forEach((k, v) -> bad.append(' ').append(k).append(' ').append(v));
      out.println(bad);
      if (analyzerErrors > 0) {
        out.printf(
            "application analyzers failed on %,d packets (a bug: please report)%n", analyzerErrors);
      }
    }
  }
}
