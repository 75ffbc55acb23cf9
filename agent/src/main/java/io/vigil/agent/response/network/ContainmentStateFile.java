package io.vigil.agent.response.network;

import io.vigil.agent.config.IsolationException;
import io.vigil.common.text.TerminalText;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The containment state in a small text file in the agent's state directory, one {@code key=value}
 * a line, written atomically (a temporary file, fsync, rename) and readable by root only (0600): it
 * says what the host's firewall must be after a restart. A file that does not parse is an error
 * ({@link CorruptStateException}), never read as "nothing enforced". Not thread-safe: {@link
 * NetworkContainment} serialises its use.
 */
public final class ContainmentStateFile {
  /** Its name in the state directory. */
  public static final String NAME = "containment.state";

  private static final String HEADER = "# Vigil network containment; written by the agent";
  private static final int VERSION = 1;
  private static final long MAX_BYTES = 16L << 20;

  private final Path file;

  public ContainmentStateFile(Path file) {
    this.file = file;
  }

  /** Where it is kept. */
  public Path path() {
    return file;
  }

  /**
   * The persisted state; empty when there is no file (containment never used).
   *
   * @throws CorruptStateException when the file exists but does not parse
   * @throws IOException when it cannot be read
   */
  public Optional<ContainmentState> read() throws IOException {
    return readSaved().map(Saved::state);
  }

  /**
   * The persisted state with the table it was applied to and the isolation still awaiting proof, if
   * any; empty when there is no file.
   *
   * @throws CorruptStateException when the file exists but does not parse
   * @throws IOException when it cannot be read
   */
  public Optional<Saved> readSaved() throws IOException {
    byte[] bytes;
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw new CorruptStateException(file + " is larger than " + MAX_BYTES + " bytes");
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    return Optional.of(parseSaved(new String(bytes, StandardCharsets.UTF_8)));
  }

  /**
   * Replaces the file with {@code state}, no table name and nothing pending, durably: a crash
   * leaves the old or the new one.
   */
  public void write(ContainmentState state) throws IOException {
    write(new Saved(state, "", Optional.empty()));
  }

  /**
   * Replaces the file with {@code saved}, durably: the new file is fsynced, renamed into place and
   * the directory fsynced, so that a power loss can bring back neither the old file nor none.
   */
  public void write(Saved saved) throws IOException {
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(
        tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(format(saved).getBytes(StandardCharsets.UTF_8)));
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
      dir.force(true);
    }
  }

  /**
   * Moves a corrupt file aside ({@code NAME.corrupt}, replacing an older one) so that the next
   * write starts afresh while the evidence is kept.
   *
   * @return where it went
   */
  public Path moveAside() throws IOException {
    Path aside = file.resolveSibling(file.getFileName() + ".corrupt");
    Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
    return aside;
  }

  static String format(ContainmentState s) {
    return format(new Saved(s, "", Optional.empty()));
  }

  static String format(Saved saved) {
    ContainmentState s = saved.state();
    StringBuilder b = new StringBuilder(HEADER).append('\n');
    b.append("version=").append(VERSION).append('\n');
    if (!saved.table().isEmpty()) {
      b.append("table=").append(saved.table()).append('\n');
    }
    saved
        .pending()
        .ifPresent(
            p ->
                b.append("pending_command=")
                    .append(encode(p.commandId()))
                    .append('\n')
                    .append("pending_before=")
                    .append(encode(format(p.before())))
                    .append('\n'));
    b.append("isolated=").append(s.isolated()).append('\n');
    if (s.isolated()) {
      b.append("collector_host=").append(s.collectorHost()).append('\n');
      b.append("collector_port=").append(s.collectorPort()).append('\n');
      for (InetAddress a : s.collectorAddresses()) {
        b.append("collector_address=").append(AddressText.of(a)).append('\n');
      }
      for (IsolationException e : s.exceptions()) {
        b.append("allow=").append(ExceptionText.of(e)).append('\n');
      }
      b.append("baseline=")
          .append(Base64.getEncoder().encodeToString(s.baseline().getBytes(StandardCharsets.UTF_8)))
          .append('\n');
    }
    for (Cidr c : s.blocks()) {
      b.append("block=").append(c).append('\n');
    }
    return b.toString();
  }

  private static String encode(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String decode(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
  }

  ContainmentState parse(String text) throws CorruptStateException {
    return parseSaved(text).state();
  }

  Saved parseSaved(String text) throws CorruptStateException {
    Boolean isolated = null;
    String table = "";
    String pendingCommand = null;
    String pendingBefore = null;
    boolean versionSeen = false;
    String host = "";
    int port = 0;
    List<InetAddress> addresses = new ArrayList<>();
    List<IsolationException> allow = new ArrayList<>();
    List<Cidr> blocks = new ArrayList<>();
    String baseline = "";
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int eq = line.indexOf('=');
      if (eq < 1) {
        throw corrupt(i, "expected key=value, got \"" + TerminalText.escape(line, 80) + "\"");
      }
      String key = line.substring(0, eq);
      String value = line.substring(eq + 1);
      try {
        switch (key) {
          case "version" -> {
            if (!value.equals(Integer.toString(VERSION))) {
              throw corrupt(i, "version " + TerminalText.escape(value, 20) + " is not " + VERSION);
            }
            versionSeen = true;
          }
          case "isolated" -> {
            if (!value.equals("true") && !value.equals("false")) {
              throw corrupt(i, "isolated must be true or false");
            }
            isolated = Boolean.valueOf(value);
          }
          case "table" -> {
            if (!value.matches("[a-z][a-z0-9_]{0,31}")) {
              throw corrupt(i, "table \"" + TerminalText.escape(value, 40) + "\" is not a name");
            }
            table = value;
          }
          case "pending_command" -> pendingCommand = decode(value);
          case "pending_before" -> pendingBefore = decode(value);
          case "collector_host" -> host = value;
          case "collector_port" -> port = Integer.parseInt(value);
          case "collector_address" -> addresses.add(Cidr.parse(value).network());
          case "allow" -> allow.add(IsolationException.parse(value));
          case "block" -> blocks.add(Cidr.parse(value));
          case "baseline" ->
              baseline = new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
          default -> throw corrupt(i, "unknown key \"" + TerminalText.escape(key, 40) + "\"");
        }
      } catch (IllegalArgumentException e) {
        // NumberFormatException and a bad Base64 text are IllegalArgumentExceptions too.
        throw corrupt(i, key + ": " + TerminalText.escape(String.valueOf(e.getMessage()), 200));
      }
    }
    if (!versionSeen || isolated == null) {
      throw new CorruptStateException(file + ": no version or isolated line (truncated?)");
    }
    if ((pendingCommand == null) != (pendingBefore == null)) {
      throw new CorruptStateException(file + ": pending_command and pending_before go together");
    }
    ContainmentState state;
    try {
      state = new ContainmentState(isolated, host, port, addresses, allow, blocks, baseline);
    } catch (IllegalArgumentException e) {
      throw new CorruptStateException(file + ": " + e.getMessage());
    }
    Optional<Pending> pending = Optional.empty();
    if (pendingBefore != null) {
      Saved before = parseSaved(pendingBefore);
      if (before.pending().isPresent()) {
        throw new CorruptStateException(file + ": a pending state inside a pending state");
      }
      pending = Optional.of(new Pending(pendingCommand, before.state()));
    }
    return new Saved(state, table, pending);
  }

  /**
   * What the file holds.
   *
   * @param state what Vigil enforces (or, while {@code pending}, is proving)
   * @param table the nft table (in family inet) that holds it; empty when not known (files written
   *     before table names were kept: the configured table)
   * @param pending present while an isolation is applied but not yet proven by a round trip to the
   *     collector: an agent that starts and finds it was stopped in the middle of that proof
   */
  public record Saved(ContainmentState state, String table, Optional<Pending> pending) {}

  /**
   * An isolation awaiting proof.
   *
   * @param commandId the isolate command's id
   * @param before the state before it, to roll back to
   */
  public record Pending(String commandId, ContainmentState before) {}

  private CorruptStateException corrupt(int line, String what) {
    return new CorruptStateException(file + " line " + (line + 1) + ": " + what);
  }

  /** The state file exists but does not parse. */
  public static final class CorruptStateException extends IOException {
    private static final long serialVersionUID = 1L;

    CorruptStateException(String message) {
      super("corrupt containment state: " + message);
    }
  }
}
