package io.vigil.agent.response;

import com.google.protobuf.InvalidProtocolBufferException;
import io.vigil.proto.v1.CommandResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's local record of commands, so that each runs at most once and its result reaches the
 * collector exactly once, also across a {@code kill -9}: the intent is written (and synced) before
 * a command runs, the outcome before it is reported, and the collector's acknowledgement after.
 *
 * <p>One line per record, appended and synced: {@code I <id> <expires_ns>} (about to run), {@code O
 * <base64 CommandResult>} (finished), {@code A <id>} (acknowledged). A torn last line (a crash in
 * mid-write) is ignored. At open, a command with an intent but no outcome was interrupted: it is
 * not run again (it may have half-happened, and the operator must decide), and a FAILED result
 * saying so is recorded for it. Acknowledged commands are forgotten once expired (a re-sent expired
 * command is refused as expired anyway) or when more than {@link #REMEMBERED} are kept.
 *
 * <p>Thread-safe; every write blocks on an fsync, which is fine at the rate of operator commands.
 */
public final class CommandJournal implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CommandJournal.class);

  /** Command ids as the collector makes them (UUIDs); anything else is refused before it runs. */
  public static final Pattern ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  /** Acknowledged commands remembered at most, newest kept. */
  static final int REMEMBERED = 10_000;

  /** The journal is compacted at open and when it grows past this. */
  private static final long COMPACT_BYTES = 4L << 20;

  /** What the journal knows of one command. */
  private static final class Entry {
    long expiresNs;
    CommandResult outcome;
    boolean acked;
  }

  private final Path file;
  private final Map<String, Entry> entries = new LinkedHashMap<>();
  private final List<CommandResult> interrupted = new ArrayList<>();
  private FileChannel out;

  private CommandJournal(Path file) {
    this.file = file;
  }

  /**
   * Opens (or creates, 0600) the journal, replays it and compacts it.
   *
   * @param nowNs the current time, UTC ns: expired acknowledged commands are dropped
   * @param interruptedResult makes the result recorded for a command that was interrupted by a
   *     restart (given its id); called once per such command, during open
   * @throws IOException when it cannot be read or written
   */
  public static CommandJournal open(
      Path file, long nowNs, java.util.function.Function<String, CommandResult> interruptedResult)
      throws IOException {
    CommandJournal j = new CommandJournal(file);
    j.replay();
    for (Map.Entry<String, Entry> e : j.entries.entrySet()) {
      if (e.getValue().outcome == null) {
        CommandResult r = interruptedResult.apply(e.getKey());
        e.getValue().outcome = r;
        j.interrupted.add(r);
      }
    }
    j.compact(nowNs);
    return j;
  }

  private void replay() throws IOException {
    if (!Files.exists(file)) {
      return;
    }
    String text = Files.readString(file, StandardCharsets.US_ASCII);
    int lineNo = 0;
    int start = 0;
    while (start < text.length()) {
      int end = text.indexOf('\n', start);
      if (end < 0) {
        log.warn("{}: ignoring a torn last record (the agent stopped while writing it)", file);
        break;
      }
      lineNo++;
      String line = text.substring(start, end);
      start = end + 1;
      try {
        apply(line);
      } catch (IllegalArgumentException | InvalidProtocolBufferException e) {
        // One bad line must not cost the others; say which.
        log.warn("{}:{}: ignoring an unreadable record: {}", file, lineNo, e.getMessage());
      }
    }
  }

  private void apply(String line) throws InvalidProtocolBufferException {
    String[] f = line.split(" ", -1);
    switch (f.length == 0 ? "" : f[0]) {
      case "I" -> {
        requireFields(f, 3);
        Entry e = entries.computeIfAbsent(id(f[1]), k -> new Entry());
        e.expiresNs = Long.parseLong(f[2]);
      }
      case "O" -> {
        requireFields(f, 2);
        CommandResult r = CommandResult.parseFrom(Base64.getDecoder().decode(f[1]));
        entries.computeIfAbsent(id(r.getCommandId()), k -> new Entry()).outcome = r;
      }
      case "A" -> {
        requireFields(f, 2);
        Entry e = entries.get(id(f[1]));
        if (e != null) {
          e.acked = true;
        }
      }
      default -> throw new IllegalArgumentException("unknown record type");
    }
  }

  private static void requireFields(String[] f, int n) {
    if (f.length != n) {
      throw new IllegalArgumentException("expected " + n + " fields, got " + f.length);
    }
  }

  private static String id(String s) {
    if (!ID.matcher(s).matches()) {
      throw new IllegalArgumentException("not a command id");
    }
    return s;
  }

  /** Rewrites the journal with what is still needed, atomically. */
  private void compact(long nowNs) throws IOException {
    List<String> acked = new ArrayList<>();
    entries.forEach(
        (id, e) -> {
          if (e.acked) {
            acked.add(id);
          }
        });
    int over = acked.size() - REMEMBERED;
    for (String id : acked) {
      Entry e = entries.get(id);
      boolean expired = e.expiresNs != 0 && e.expiresNs < nowNs;
      if (expired || over-- > 0) {
        entries.remove(id);
      }
    }
    StringBuilder text = new StringBuilder();
    entries.forEach(
        (id, e) -> {
          text.append(intentLine(id, e.expiresNs));
          if (e.outcome != null) {
            text.append(outcomeLine(e.outcome));
          }
          if (e.acked) {
            text.append("A ").append(id).append('\n');
          }
        });
    Files.createDirectories(file.toAbsolutePath().getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(
        tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.US_ASCII)));
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    // The rename itself must survive a power loss, or the previous journal could come back.
    try (FileChannel d =
        FileChannel.open(file.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
      d.force(true);
    }
    if (out != null) {
      out.close();
    }
    out = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
  }

  private static String intentLine(String id, long expiresNs) {
    return "I " + id + " " + expiresNs + "\n";
  }

  private static String outcomeLine(CommandResult r) {
    return "O " + Base64.getEncoder().encodeToString(r.toByteArray()) + "\n";
  }

  /** True when this command id was seen before (run, running, or interrupted). */
  public synchronized boolean seen(String commandId) {
    return entries.containsKey(commandId);
  }

  /**
   * Records that the command is about to run; synced before it returns.
   *
   * @return false when the id was seen before (it must not run again)
   */
  public synchronized boolean intend(String commandId, long expiresNs) {
    id(commandId);
    if (entries.containsKey(commandId)) {
      return false;
    }
    // Written first: if the disk is full the command is not taken (the collector re-sends it
    // after a reconnect), rather than remembered as seen and never run nor reported.
    append(intentLine(commandId, expiresNs));
    Entry e = new Entry();
    e.expiresNs = expiresNs;
    entries.put(commandId, e);
    return true;
  }

  /** Records the command's outcome; synced before it returns, so it is reported after a crash. */
  public synchronized void finished(CommandResult result) {
    Entry e = entries.computeIfAbsent(result.getCommandId(), k -> new Entry());
    e.outcome = result;
    append(outcomeLine(result));
  }

  /** The collector stored these results: they are not re-sent after a restart. */
  public synchronized void acked(List<String> commandIds) {
    StringBuilder lines = new StringBuilder();
    for (String id : commandIds) {
      Entry e = entries.get(id);
      if (e != null && !e.acked) {
        e.acked = true;
        lines.append("A ").append(id).append('\n');
      }
    }
    if (lines.length() > 0) {
      append(lines.toString());
    }
  }

  /** Finished results the collector has not acknowledged, in journal order. */
  public synchronized List<CommandResult> unacked() {
    List<CommandResult> out = new ArrayList<>();
    entries.values().stream()
        .filter(e -> e.outcome != null && !e.acked)
        .forEach(e -> out.add(e.outcome));
    return out;
  }

  /** The results recorded at open for commands a restart interrupted. */
  public synchronized List<CommandResult> interruptedAtOpen() {
    return List.copyOf(interrupted);
  }

  /** The outcome of a command, if it finished. */
  public synchronized Optional<CommandResult> outcome(String commandId) {
    Entry e = entries.get(commandId);
    return e == null ? Optional.empty() : Optional.ofNullable(e.outcome);
  }

  private void append(String lines) {
    try {
      out.write(ByteBuffer.wrap(lines.getBytes(StandardCharsets.US_ASCII)));
      out.force(false);
      if (out.size() > COMPACT_BYTES) {
        compact(System.currentTimeMillis() * 1_000_000L);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the command journal " + file, e);
    }
  }

  @Override
  public synchronized void close() throws IOException {
    if (out != null) {
      out.close();
      out = null;
    }
  }
}
