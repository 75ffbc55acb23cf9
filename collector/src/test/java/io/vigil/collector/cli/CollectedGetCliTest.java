package io.vigil.collector.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.collector.api.OperatorFixture;
import io.vigil.collector.store.AuditLog;
import io.vigil.collector.store.AuditRow;
import io.vigil.collector.store.CollectedFileRow;
import io.vigil.collector.store.CollectedFiles;
import io.vigil.proto.v1.FileChunk;
import io.vigil.proto.v1.GetCollectedFileRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GetCollectedFile} and {@code vigilctl collected get} over the real operator API: a stored
 * file comes back byte-identical in chunks of at most 1 MiB, an existing output file is never
 * overwritten, and content that does not match the recorded digest is not kept.
 */
class CollectedGetCliTest {
  @TempDir Path dir;
  private final CtlRunner vigilctl = new CtlRunner(() -> 1L);
  private OperatorFixture api;
  private Path responder;
  private byte[] content;

  @BeforeEach
  void start() throws Exception {
    api = OperatorFixture.start(dir);
    responder = api.tokenFile("rick", api.token("rick", "responder"));
    content = new byte[(5 << 19) + 17]; // 2.5 MiB and a bit: three chunks
    new Random(7).nextBytes(content);
    Path stored = dir.resolve("collected/agent-1/cmd-1");
    Files.createDirectories(stored.getParent());
    Files.write(stored, content);
    try (CollectedFiles files = CollectedFiles.open(api.db)) {
      assertTrue(
          files.insert(
              new CollectedFileRow(
                  "agent-1",
                  "cmd-1",
                  "/var/log/auth.log",
                  content.length,
                  HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)),
                  "collected/agent-1/cmd-1",
                  5)));
    }
  }

  @AfterEach
  void stop() {
    api.close();
  }

  private int ctl(String... args) {
    return vigilctl.ctl(api.ctlArgs(responder), args);
  }

  private String err() {
    return vigilctl.err();
  }

  @Test
  void theFileComesBackInChunksWithItsPathSizeAndDigest() throws Exception {
    List<FileChunk> chunks = new ArrayList<>();
    api.client(api.token("rick", "responder"))
        .call(
            s -> {
              Iterator<FileChunk> it =
                  s.getCollectedFile(
                      GetCollectedFileRequest.newBuilder().setCommandId("cmd-1").build());
              it.forEachRemaining(chunks::add);
              return null;
            });
    assertEquals(3, chunks.size());
    assertEquals("/var/log/auth.log", chunks.get(0).getPath());
    assertEquals(content.length, chunks.get(0).getSize());
    assertEquals("cmd-1", chunks.get(0).getCommandId());
    assertTrue(chunks.stream().allMatch(c -> c.getData().size() <= 1 << 20));
    assertTrue(chunks.get(2).getLast());
    assertFalse(chunks.get(1).getLast());
    assertEquals(64, chunks.get(2).getSha256().length());
  }

  @Test
  void vigilctlWritesANewFileAndChecksIt() throws Exception {
    Path target = dir.resolve("got.bin");
    assertEquals(0, ctl("collected", "get", "cmd-1", "--out", target.toString()), err());
    assertArrayEquals(content, Files.readAllBytes(target));
    assertEquals(
        PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(target));
    assertTrue(vigilctl.out().contains("/var/log/auth.log"));

    assertEquals(2, ctl("collected", "get", "cmd-1", "--out", target.toString()));
    assertTrue(err().contains("exists; give a new file"), err());
    assertArrayEquals(content, Files.readAllBytes(target));
  }

  @Test
  void anUnknownCommandIsNotFoundAndLeavesNoFile() throws Exception {
    Path target = dir.resolve("none.bin");
    assertEquals(1, ctl("collected", "get", "cmd-2", "--out", target.toString()));
    assertTrue(err().contains("no file was collected for command cmd-2"), err());
    assertFalse(Files.exists(target));
  }

  @Test
  void contentThatDoesNotMatchTheRecordedDigestIsNotKept() throws Exception {
    byte[] tampered = content.clone();
    tampered[12345] ^= 1;
    Files.write(dir.resolve("collected/agent-1/cmd-1"), tampered);
    Path target = dir.resolve("bad.bin");
    assertEquals(1, ctl("collected", "get", "cmd-1", "--out", target.toString()));
    assertTrue(err().contains("SHA-256"), err());
    assertFalse(Files.exists(target));
  }

  @Test
  void aViewerMayNotDownload() throws Exception {
    responder = api.tokenFile("vera", api.token("vera", "viewer"));
    Path target = dir.resolve("v.bin");
    assertEquals(1, ctl("collected", "get", "cmd-1", "--out", target.toString()));
    assertTrue(err().contains("needs responder"), err());
    assertFalse(Files.exists(target));
  }

  private List<AuditRow> downloads() {
    try (AuditLog log = AuditLog.open(api.db)) {
      List<AuditRow> rows =
          new ArrayList<>(
              log.newest(100).stream().filter(r -> r.action().equals("GetCollectedFile")).toList());
      java.util.Collections.reverse(rows); // oldest first
      return rows;
    }
  }

  @Test
  void aDownloadIsAuditedWithWhoWhatAndHowItEnded() throws Exception {
    Path target = dir.resolve("got.bin");
    assertEquals(0, ctl("collected", "get", "cmd-1", "--out", target.toString()), err());
    assertEquals(1, ctl("collected", "get", "cmd-2", "--out", dir.resolve("n.bin").toString()));
    responder = api.tokenFile("vera", api.token("vera", "viewer"));
    assertEquals(1, ctl("collected", "get", "cmd-1", "--out", dir.resolve("v.bin").toString()));

    List<AuditRow> rows = downloads();
    assertEquals(
        List.of(
            "rick responder attempted cmd-1",
            "rick responder ok agent-1:cmd-1",
            "rick responder attempted cmd-2",
            "rick responder failed cmd-2",
            "vera viewer denied cmd-1"),
        rows.stream()
            .map(r -> r.operator() + " " + r.role() + " " + r.outcome() + " " + r.target())
            .toList());
    assertTrue(rows.get(1).detail().startsWith("sent: /var/log/auth.log ("), rows.get(1).detail());
    assertTrue(rows.get(3).detail().contains("no file was collected for command cmd-2"));
  }

  @Test
  void noDownloadWithoutItsAuditRow() throws Exception {
    api.breakAuditLog(false);
    Path target = dir.resolve("got.bin");
    assertEquals(1, ctl("collected", "get", "cmd-1", "--out", target.toString()));
    assertTrue(err().contains("cannot write the audit log"), err());
    assertFalse(Files.exists(target));
    api.repairAuditLog();
  }
}
