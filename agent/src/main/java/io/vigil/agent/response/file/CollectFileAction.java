package io.vigil.agent.response.file;

import com.google.protobuf.ByteString;
import io.vigil.agent.config.CollectorConnection;
import io.vigil.agent.config.ResponseSection;
import io.vigil.agent.platform.linux.DirectoryHandle;
import io.vigil.agent.platform.linux.FileHandle;
import io.vigil.agent.platform.linux.FileStatus;
import io.vigil.agent.response.Action;
import io.vigil.agent.response.ActionRefusedException;
import io.vigil.agent.ship.FileUploader;
import io.vigil.proto.v1.Command;
import io.vigil.proto.v1.CommandResult;
import io.vigil.proto.v1.FileChunk;
import io.vigil.proto.v1.UploadReceipt;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code Command.collect_file}: uploads a copy of a regular file to the collector, reading it once
 * and hashing as it streams. Refuses the kernel's pseudo filesystems (endless or live content) and
 * the agent's own secrets (its private key and the rest of {@code <state_dir>/pki}). A file that
 * changes size while read fails the command. Runs on the dispatcher's thread; blocks on the file
 * and the network.
 */
public final class CollectFileAction implements Action {
  /** Largest chunk the contract allows. */
  static final int CHUNK = 1 << 20;

  private final long maxBytes;
  private final List<Path> secrets;
  private final FileUploader uploader;

  /**
   * @param response {@code response.collect.max_bytes}
   * @param stateDir {@code agent.state_dir}: its {@code pki} directory is never uploaded
   * @param secretFiles further files never uploaded, e.g. {@code collector.key_file} when it lies
   *     outside the state directory
   * @param uploader the transport, e.g. {@code new GrpcFileUploader(channelHolder::openSide, ...)}
   */
  public CollectFileAction(
      ResponseSection response, Path stateDir, List<Path> secretFiles, FileUploader uploader) {
    this.maxBytes = response.collectMaxBytes();
    List<Path> s = new ArrayList<>();
    s.add(stateDir.resolve(CollectorConnection.PKI_DIR));
    s.addAll(secretFiles);
    this.secrets = List.copyOf(s);
    this.uploader = Objects.requireNonNull(uploader, "uploader");
  }

  @Override
  public void run(Command command, CommandResult.Builder result) throws Exception {
    if (!command.hasCollectFile()) {
      throw new ActionRefusedException("not a collect_file command");
    }
    Path path = PathGuard.parse(command.getCollectFile().getPath());
    refusePseudo(path, path);
    String name = path.getFileName().toString();
    long requested = command.getCollectFile().getMaxBytes();
    long limit = requested == 0 ? maxBytes : Math.min(requested, maxBytes);
    if (requested < 0) {
      limit = maxBytes; // uint64 over Long.MAX_VALUE: no lower limit than the agent's
    }
    FileDigests.Result d;
    UploadReceipt receipt;
    // The directory is reached once without following links and the file opened from it; the
    // checks are made on what was opened, so a directory swapped for a link meanwhile cannot
    // make the agent upload its own key.
    try (DirectoryHandle dir = PathGuard.walkParent(path, "collect")) {
      FileStatus a = PathGuard.regularFile(dir, name, path);
      Path real = dir.realPath().resolve(name);
      refusePseudo(path, real);
      try (FileHandle file = dir.openRead(name)) {
        FileStatus opened = file.status();
        if (!opened.sameFileAs(a)) {
          throw new ActionRefusedException(
              PathGuard.shown(path.toString()) + " was replaced while it was examined");
        }
        Object fileKey = Files.readAttributes(file.procPath(), BasicFileAttributes.class).fileKey();
        refuseSecret(path, real, fileKey, opened);
        if (opened.size() > limit) {
          throw new ActionRefusedException(
              PathGuard.shown(path.toString())
                  + " is "
                  + opened.size()
                  + " bytes, over the limit of "
                  + limit);
        }
        try (FileChannel in = FileChannel.open(file.procPath(), StandardOpenOption.READ);
            FileUploader.Upload upload = uploader.open()) {
          long size = in.size();
          if (size > limit) {
            throw new ActionRefusedException(
                PathGuard.shown(path.toString())
                    + " is "
                    + size
                    + " bytes, over the limit of "
                    + limit);
          }
          d = stream(command.getCommandId(), path, size, in, upload);
          receipt = upload.finish();
        }
      }
    }
    if (!receipt.getSha256().equals(d.sha256()) || receipt.getSize() != d.size()) {
      throw new IOException(
          "the collector stored "
              + receipt.getSize()
              + " bytes with SHA-256 "
              + PathGuard.shown(receipt.getSha256())
              + ", the agent sent "
              + d.size()
              + " bytes with "
              + d.sha256());
    }
    result
        .setOutcome(CommandResult.Outcome.OUTCOME_SUCCEEDED)
        .setDetail("uploaded " + PathGuard.shown(path.toString()) + ", " + d.size() + " bytes")
        .putFacts("sha256", d.sha256())
        .putFacts("md5", d.md5())
        .putFacts("sha1", d.sha1())
        .putFacts("size", Long.toString(d.size()))
        .putFacts("path", path.toString());
  }

  /** Sends the content in chunks, then the last chunk with the digest. */
  private static FileDigests.Result stream(
      String commandId, Path path, long size, FileChannel in, FileUploader.Upload upload)
      throws IOException {
    FileDigests d = new FileDigests();
    ByteBuffer b = ByteBuffer.allocate(CHUNK);
    boolean first = true;
    long total = 0;
    while (true) {
      b.clear();
      int n = 0;
      while (b.hasRemaining() && (n = in.read(b)) >= 0) {
        // fill the chunk: fewer, fuller messages
      }
      b.flip();
      total += b.remaining();
      if (total > size) {
        throw new IOException(path + " grew while it was read (more than " + size + " bytes)");
      }
      if (b.hasRemaining() || first) {
        d.update(b);
        FileChunk.Builder c = FileChunk.newBuilder().setData(ByteString.copyFrom(b));
        if (first) {
          c.setCommandId(commandId).setPath(path.toString()).setSize(size);
          first = false;
        }
        upload.send(c.build());
      }
      if (n < 0) {
        break;
      }
    }
    if (total != size || in.size() != size) {
      throw new IOException(
          path + " changed size while it was read: " + size + " bytes, then " + total);
    }
    FileDigests.Result r = d.finish();
    upload.send(FileChunk.newBuilder().setLast(true).setSha256(r.sha256()).build());
    return r;
  }

  private static void refusePseudo(Path given, Path p) throws ActionRefusedException {
    for (Path root : ProtectedFiles.PSEUDO) {
      if (p.startsWith(root)) {
        throw new ActionRefusedException(
            "refusing to collect "
                + PathGuard.shown(given.toString())
                + ": "
                + root
                + " holds live kernel state, not files");
      }
    }
  }

  private void refuseSecret(Path given, Path real, Object fileKey, FileStatus status)
      throws ActionRefusedException, IOException {
    String because = null;
    List<Map.Entry<Path, String>> directories = new ArrayList<>();
    for (Path s : secrets) {
      Path r = s;
      try {
        r = s.toRealPath();
      } catch (IOException e) {
        // not there: compare as written
      }
      String reason = "one of the agent's own keys or certificates (" + s + ")";
      if (real.startsWith(r) || real.startsWith(s.toAbsolutePath())) {
        because = reason;
        break;
      }
      if (Files.isDirectory(r, LinkOption.NOFOLLOW_LINKS)) {
        directories.add(Map.entry(r, reason));
      } else if (fileKey != null
          && Files.isRegularFile(r, LinkOption.NOFOLLOW_LINKS)
          && fileKey.equals(
              Files.readAttributes(r, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                  .fileKey())) {
        because = "a hard link to " + reason;
        break;
      }
    }
    if (because == null && fileKey != null) {
      if (status.links() > 1) {
        String found =
            HardLinkSearch.find(fileKey, status.device(), directories, ProtectedFiles.MAX_SEARCHED);
        because = found == null ? null : "a hard link to " + found;
      }
    }
    if (because != null) {
      throw new ActionRefusedException(
          "refusing to collect " + PathGuard.shown(given.toString()) + ": it is " + because);
    }
  }
}
