package io.vigil.detect.bench;

import com.google.protobuf.TextFormat;
import io.vigil.proto.v1.Event;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The committed event mix's file format: one {@link Event} per line in protobuf text format (so a
 * reviewer can read and grep it without tools), lines starting with {@code #} are comments.
 */
final class EventMix {
  /** The committed mix, relative to the repository root. */
  static final String COMMITTED = "bench/detect/event-mix.txtpb";

  private EventMix() {}

  static void write(Path file, List<Event> events) throws IOException {
    TextFormat.Printer printer = TextFormat.printer().emittingSingleLine(true);
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      w.write("# Vigil benchmark event mix: made by io.vigil.detect.bench.EventMixGenerator;\n");
      w.write("# regenerate with bench/detect/run.sh generate. One event per line.\n");
      for (Event e : events) {
        w.write(printer.printToString(e));
        w.write('\n');
      }
    }
  }

  static List<Event> read(Path file) throws IOException {
    List<Event> out = new ArrayList<>();
    TextFormat.Parser parser = TextFormat.getParser();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int n = 0;
      while ((line = in.readLine()) != null) {
        n++;
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        Event.Builder b = Event.newBuilder();
        try {
          parser.merge(line, b);
        } catch (TextFormat.ParseException e) {
          throw new IOException(file + ":" + n + ": " + e.getMessage(), e);
        }
        out.add(b.build());
      }
    }
    return out;
  }
}
