package io.vigil.agent.sensor.process.procfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcReaderFixtureTest {
  private static final String DOCKER_ID =
      "3f1c2a9e8b7d6c5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a19";

  @TempDir Path proc;

  /** A stat line of a process whose comm is {@code comm}, all fields after it realistic. */
  private static String stat(int pid, String comm, char state, int ppid, int ttyNr, long start) {
    return pid
        + " ("
        + comm
        + ") "
        + state
        + " "
        + ppid
        + " 4242 4242 "
        + ttyNr
        + " 4242 4194304 120 0 0 0 3 1 0 0 20 0 1 0 "
        + start
        + " 8192000 200 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
  }

  private Path process(int pid, String stat) throws IOException {
    Path dir = Files.createDirectories(proc.resolve(Integer.toString(pid)));
    Files.writeString(dir.resolve("stat"), stat);
    return dir;
  }

  @Test
  void commWithSpacesAndParenthesesDoesNotShiftTheFields() throws IOException {
    process(77, stat(77, "a) b (c", 'S', 12, (136 << 8) | 3, 987654));

    ProcSnapshot s = new ProcReader(proc, 4096).read(77).orElseThrow();

    assertEquals('S', s.state());
    assertEquals(12, s.ppid());
    assertEquals(987654L, s.startTicks());
    assertEquals("pts/3", s.tty());
  }

  @Test
  void statGivesTheFlagsThatMarkAKernelThread() throws IOException {
    // kthreadd's children carry PF_KTHREAD (0x00200000) in field 9; 0x208040 is a real value.
    process(88, stat(88, "kworker/0:1", 'I', 2, 0, 40).replace(" 4194304 ", " 2129984 "));
    process(89, stat(89, "sleep", 'S', 1, 0, 41));

    ProcReader reader = new ProcReader(proc, 4096);
    StatLine kworker = reader.stat(88).orElseThrow();
    StatLine sleep = reader.stat(89).orElseThrow();

    assertEquals(2129984L, kworker.flags());
    assertTrue(kworker.kernelThread());
    assertEquals(4194304L, sleep.flags());
    assertFalse(sleep.kernelThread());
    assertEquals('S', sleep.state());
    assertEquals(41L, sleep.startTicks());
    assertTrue(reader.stat(90).isEmpty());
  }

  @Test
  void everyFileIsReadIntoItsField() throws IOException {
    Path dir = process(100, stat(100, "nginx", 'R', 1, 0, 5000));
    Files.createSymbolicLink(dir.resolve("exe"), Path.of("/usr/sbin/nginx (deleted)"));
    Files.createSymbolicLink(dir.resolve("cwd"), Path.of("/srv/www dir"));
    Files.write(
        dir.resolve("cmdline"), "nginx\0-g\0daemon off;\0".getBytes(StandardCharsets.UTF_8));
    Files.writeString(
        dir.resolve("status"),
        "Name:\tnginx\nUid:\t1000\t0\t1001\t0\nGid:\t50\t51\t52\t53\nGroups:\t\n");
    Files.writeString(dir.resolve("loginuid"), "1000");
    Files.writeString(dir.resolve("sessionid"), "4294967295");
    Files.writeString(
        dir.resolve("cgroup"),
        "12:pids:/docker/" + DOCKER_ID + "\n0::/system.slice/docker-" + DOCKER_ID + ".scope\n");

    ProcSnapshot s = new ProcReader(proc, 4096).read(100).orElseThrow();

    assertEquals("/usr/sbin/nginx", s.exe());
    assertTrue(s.exeDeleted());
    assertEquals("/srv/www dir", s.cwd());
    assertEquals(List.of("nginx", "-g", "daemon off;"), s.argv().args());
    assertFalse(s.argv().truncated());
    assertEquals(
        Optional.of(new ProcSnapshot.Credentials(1000, 0, 1001, 0, 50, 51, 52, 53)),
        s.credentials());
    assertEquals(OptionalLong.of(1000), s.loginUid());
    assertEquals(OptionalLong.of(4294967295L), s.sessionId());
    assertEquals(DOCKER_ID, s.containerId());
    assertEquals("", s.tty());
  }

  @Test
  void hostCgroupGivesNoContainerId() throws IOException {
    Path dir = process(5, stat(5, "sshd", 'S', 1, 0, 10));
    Files.writeString(
        dir.resolve("cgroup"),
        "0::/system.slice/ssh.service\n4:memory:/process_api/85312ec6e84b3c3fc2ab2a0708c1d4e2\n");

    assertEquals("", new ProcReader(proc, 4096).read(5).orElseThrow().containerId());
  }

  @Test
  void unreadableFilesLeaveTheirFieldsEmptyButTheProcessIsStillRead() throws IOException {
    process(9, stat(9, "kthreadd", 'S', 0, 0, 2));

    ProcSnapshot s = new ProcReader(proc, 4096).read(9).orElseThrow();

    assertEquals("", s.exe());
    assertFalse(s.exeDeleted());
    assertEquals("", s.cwd());
    assertEquals(List.of(), s.argv().args());
    assertEquals(Optional.empty(), s.credentials());
    assertEquals(OptionalLong.empty(), s.loginUid());
    assertEquals("", s.containerId());
  }

  @Test
  void invalidUtf8InArgumentsIsEscapedLosslessly() throws IOException {
    Path dir = process(3, stat(3, "x", 'S', 1, 0, 2));
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes("prog\0caf".getBytes(StandardCharsets.US_ASCII));
    b.write(0xE9); // Latin-1 é, not UTF-8
    b.writeBytes("\0back\\slash\0grün\0".getBytes(StandardCharsets.UTF_8));
    Files.write(dir.resolve("cmdline"), b.toByteArray());

    ProcSnapshot s = new ProcReader(proc, 4096).read(3).orElseThrow();

    assertEquals(List.of("prog", "caf\\xE9", "back\\\\slash", "grün"), s.argv().args());
  }

  @Test
  void longArgumentIsCutAtTheLimitAndMarkedTruncated() throws IOException {
    Path dir = process(4, stat(4, "x", 'S', 1, 0, 2));
    byte[] big = new byte[100 * 1024];
    java.util.Arrays.fill(big, (byte) 'a');
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes("prog\0".getBytes(StandardCharsets.US_ASCII));
    b.writeBytes(big);
    b.write(0);
    b.writeBytes("after\0".getBytes(StandardCharsets.US_ASCII));
    Files.write(dir.resolve("cmdline"), b.toByteArray());

    ProcSnapshot s = new ProcReader(proc, ProcReader.DEFAULT_MAX_ARGV_BYTES).read(4).orElseThrow();

    assertTrue(s.argv().truncated());
    assertEquals(2, s.argv().args().size());
    assertEquals("prog", s.argv().args().get(0));
    assertEquals("a".repeat(ProcReader.DEFAULT_MAX_ARGV_BYTES - 5), s.argv().args().get(1));
  }

  @Test
  void cutNeverSplitsAUtf8Character() throws IOException {
    Path dir = process(6, stat(6, "x", 'S', 1, 0, 2));
    Files.write(dir.resolve("cmdline"), "ab€€\0".getBytes(StandardCharsets.UTF_8)); // € = 3 bytes

    ProcSnapshot.Argv argv = new ProcReader(proc, 4).read(6).orElseThrow().argv();

    assertEquals(List.of("ab"), argv.args());
    assertTrue(argv.truncated());
  }

  @Test
  void missingOrMalformedStatMeansNoProcess() throws IOException {
    process(8, "8 (broken S 1\n");

    assertEquals(Optional.empty(), new ProcReader(proc, 4096).read(8));
    assertEquals(Optional.empty(), new ProcReader(proc, 4096).read(12345));
  }

  @Test
  void statWithMissingTrailingFieldsOrNonNumbersMeansNoProcess() throws IOException {
    process(21, "21 (x) S 1 2 3 0 5 6 7 8 9 10 11 12 13 14 15 16 17 18\n"); // no field 22
    process(22, stat(22, "x", 'S', 1, 0, 5).replace(" 5 8192000", " 5x 8192000"));
    process(23, stat(23, "x", 'S', 1, 0, 5).replace(") S ", ") SS "));

    ProcReader reader = new ProcReader(proc, 4096);

    assertEquals(OptionalLong.empty(), reader.startTicks(21));
    assertEquals(OptionalLong.empty(), reader.startTicks(22));
    assertEquals(OptionalLong.empty(), reader.startTicks(23));
  }

  @Test
  void imageReadGivesStartTicksExeWithoutDeletedMarkAndContainer() throws IOException {
    Path dir = process(31, stat(31, "a) b", 'R', 1, 0, 424242));
    Files.createSymbolicLink(dir.resolve("exe"), Path.of("/usr/bin/app (deleted)"));
    Files.writeString(dir.resolve("cgroup"), "0::/system.slice/docker-" + DOCKER_ID + ".scope\n");
    Path other = process(32, stat(32, "b", 'R', 1, 0, 7));
    Files.writeString(other.resolve("cgroup"), "0::/system.slice/docker-" + DOCKER_ID + ".scope\n");
    ProcReader reader = new ProcReader(proc, 4096);

    LiveImage image = reader.readImage(31).orElseThrow();

    assertEquals(new LiveImage(31, 424242, "/usr/bin/app", DOCKER_ID), image);
    // The second process shares the cgroup text: the cached id is the same.
    assertEquals(new LiveImage(32, 7, "", DOCKER_ID), reader.readImage(32).orElseThrow());
    assertEquals(Optional.empty(), reader.readImage(12345));
  }
}
