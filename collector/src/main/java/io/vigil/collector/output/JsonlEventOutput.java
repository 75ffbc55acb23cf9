package io.vigil.collector.output;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.vigil.common.text.JsonStrings;
import io.vigil.proto.v1.Event;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Path;

/**
 * Appends each stored event to a file as one JSON object per line:
 *
 * <pre>{"agent_id":"…","epoch":"…","event":{…}}</pre>
 *
 * where {@code event} is the protobuf JSON form of the {@code vigil.v1.Event} with proto field
 * names and its {@code receive_time_ns} set to the collector's receive time. Every string is JSON
 * escaped (newlines, terminal escape codes, U+2028), so a line is always exactly one event.
 *
 * <p>The file is opened in append mode, created owner-only (0600); an existing file keeps its mode.
 * Not thread-safe: used by the ingest writer thread only (see {@link EventOutput}).
 */
public final class JsonlEventOutput implements EventOutput {
  private final Path file;
  private final Writer out;
  private final JsonFormat.Printer printer =
      JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();

  public JsonlEventOutput(Path file) {
    this.file = file;
    this.out = AppendFile.open(file);
  }

  @Override
  public void write(String agentId, String epoch, long seq, Event event, long receiveTimeNs) {
    StringBuilder line = new StringBuilder(256);
    line.append("{\"agent_id\":");
    JsonStrings.quote(agentId, line);
    line.append(",\"epoch\":");
    JsonStrings.quote(epoch, line);
    line.append(",\"event\":");
    try {
      printer.appendTo(event.toBuilder().setReceiveTimeNs(receiveTimeNs).build(), line);
      line.append("}\n");
      out.append(line);
    } catch (InvalidProtocolBufferException e) {
      // Only Any fields with unknown types make the printer fail; Event has none.
      throw new IllegalStateException("cannot print event seq " + seq + " as JSON", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write to " + file, e);
    }
  }

  /** Hands buffered lines to the operating system (no fsync: the database is the record). */
  @Override
  public void flush() {
    try {
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write to " + file, e);
    }
  }

  @Override
  public String name() {
    return "jsonl";
  }

  @Override
  public void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close " + file, e);
    }
  }
}
