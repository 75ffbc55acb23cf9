package io.vigil.agent.sensor.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.agent.sensor.process.procfs.ExecutableHashes;
import io.vigil.agent.sensor.process.procfs.FileIdentity;
import io.vigil.proto.v1.ProcessExec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecutableFactsTest {
  @TempDir Path dir;

  @Test
  void aProcessThatExitsBetweenItsExeLinkAndTheHashIsHashedFromThePathItRan() throws Exception {
    Path proc = Files.createDirectories(dir.resolve("proc"));
    Path tool = Files.write(dir.resolve("tool"), new byte[] {4, 5, 6});
    Map<String, Object> a = Files.readAttributes(tool, "unix:dev,ino");
    FileIdentity executed = FileIdentity.ofStat((Long) a.get("dev"), (Long) a.get("ino"));
    ExecutableFacts facts = new ExecutableFacts(proc, new ExecutableHashes());

    // the exe link was read (it named the image), then the process exited: proc/77/exe is gone
    ProcessExec.Builder exec = ProcessExec.newBuilder();
    facts.fill(exec, 77, tool.toString(), tool.toString(), Optional.of(executed));

    String sha256 =
        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(new byte[] {4, 5, 6}));
    assertEquals(sha256, exec.getSha256());
    assertEquals(executed.inode(), exec.getExeInode());

    // without the kernel's identity the path proves nothing: no hash
    ProcessExec.Builder unproven = ProcessExec.newBuilder();
    facts.fill(unproven, 78, tool.toString(), tool.toString(), Optional.empty());
    assertEquals("", unproven.getSha256());
  }
}
