package io.vigil.collector.cli;

import io.vigil.common.cli.CommandLine.UsageException;
import io.vigil.common.config.PathArgument;
import io.vigil.proto.v1.FileChunk;
import io.vigil.proto.v1.GetCollectedFileRequest;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code vigilctl collected get COMMAND_ID --out FILE}: the file a CollectFile command brought to
 * the collector, written to a new file (mode 0600, never over an existing one) and checked against
 * the size and SHA-256 the collector recorded when the agent sent it. A file that does not check
 * out, or a download that fails half-way, is removed. Not thread-safe.
 */
final class CollectedCommands {
  static final Map<String, Set<String>> OPTIONS = Map.of("collected get", Set.of("--out"));

  /** Deadline of a whole download: files are up to {@code ingest.max_upload_bytes}. */
  static final Duration DOWNLOAD_DEADLINE = Duration.ofMinutes(30);

  private final CtlApi api;
  private final PrintStream out;

  CollectedCommands(CtlApi api, PrintStream out) {
    this.api = api;
    this.out = out;
  }

  int run(String command, List<String> words, CtlArgs args) throws UsageException {
    if (!command.equals("collected get")) {
      throw new UsageException("unknown command " + Shown.text(command));
    }
    String id = TokenCommands.words(command, words, 1).get(0);
    String value = args.option("--out");
    if (value == null || value.isBlank()) {
      throw new UsageException("collected get: --out FILE is required");
    }
    Path file;
    try {
      file = PathArgument.parse("--out", value);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    OutputStream sink;
    try {
      sink =
          Files.newOutputStream(
              Files.createFile(
                  file,
                  PosixFilePermissions.asFileAttribute(
                      PosixFilePermissions.fromString("rw-------"))),
              StandardOpenOption.WRITE);
    } catch (FileAlreadyExistsException e) {
      throw new UsageException("--out: " + file + " exists; give a new file");
    } catch (IOException e) {
      throw new UsageException("--out: cannot create " + file + ": " + e.getMessage());
    }
    boolean kept = false;
    try (sink) {
      Download d =
          api.call(
              DOWNLOAD_DEADLINE,
              s ->
                  download(
                      s.getCollectedFile(
                          GetCollectedFileRequest.newBuilder().setCommandId(id).build()),
                      sink));
      d.check();
      kept = true;
      out.println(
          "wrote "
              + file
              + ": "
              + d.size
              + " bytes, sha256 "
              + d.sha256
              + " (collected from "
              + Shown.text(d.path)
              + ")");
      out.flush();
      return AlertsCommand.OK;
    } catch (IOException e) {
      throw new IllegalStateException("cannot write " + file + ": " + e.getMessage());
    } catch (UncheckedIOException e) {
      throw new IllegalStateException("cannot write " + file + ": " + e.getCause().getMessage());
    } finally {
      if (!kept) {
        try {
          Files.deleteIfExists(file);
        } catch (IOException e) {
          // reported by the failure that got here
        }
      }
    }
  }

  /** What came, and what the collector said it should be. */
  private static final class Download {
    String path = "";
    long declaredSize = -1;
    long size;
    String sha256 = "";
    String declaredSha256 = "";
    boolean last;

    void check() {
      if (!last) {
        throw new IllegalStateException("the download ended before its last chunk");
      }
      if (size != declaredSize) {
        throw new IllegalStateException(
            "the file has " + size + " bytes, the collector recorded " + declaredSize);
      }
      if (!sha256.equals(declaredSha256)) {
        throw new IllegalStateException(
            "the file's SHA-256 is "
                + sha256
                + ", the collector recorded "
                + Shown.text(declaredSha256)
                + ": it was not written");
      }
    }
  }

  private static Download download(Iterator<FileChunk> chunks, OutputStream sink) {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
    Download d = new Download();
    boolean first = true;
    while (chunks.hasNext()) {
      FileChunk c = chunks.next();
      if (d.last) {
        throw new IllegalStateException("the collector sent a chunk after the last one");
      }
      if (first) {
        d.path = c.getPath();
        d.declaredSize = c.getSize();
        first = false;
      }
      try {
        c.getData().writeTo(sink);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      digest.update(c.getData().asReadOnlyByteBuffer());
      d.size += c.getData().size();
      if (c.getLast()) {
        d.last = true;
        d.declaredSha256 = c.getSha256();
      }
    }
    d.sha256 = HexFormat.of().formatHex(digest.digest());
    return d;
  }
}
