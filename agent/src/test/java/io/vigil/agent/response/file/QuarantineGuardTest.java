package io.vigil.agent.response.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vigil.agent.config.ResponseSection;
import io.vigil.agent.response.ActionRefusedException;
import io.vigil.proto.v1.Command;
import io.vigil.proto.v1.CommandResult;
import io.vigil.proto.v1.Quarantine;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every guard rail of quarantine refuses with a clear message and leaves the file in place. */
class QuarantineGuardTest {
  @TempDir Path dir;
  private Path stateDir;
  private Path config;
  private Path listed;
  private QuarantineAction action;

  @BeforeEach
  void setUp() throws Exception {
    assumeTrue(FileTestSupport.ok("id", "-u").trim().equals("0"), "needs root (vault root:root)");
    stateDir = Files.createDirectories(dir.resolve("state"));
    config = Files.writeString(dir.resolve("agent.yaml"), "agent: {}\n");
    listed = Files.createDirectories(dir.resolve("listed"));
    ResponseSection response =
        FileTestSupport.response(stateDir.resolve("quarantine"), List.of(listed), 1 << 20);
    action = new QuarantineAction(response, stateDir, Optional.of(config), List.of());
  }

  private String refused(String path) {
    ActionRefusedException e =
        assertThrows(
            ActionRefusedException.class,
            () ->
                action.run(
                    Command.newBuilder()
                        .setCommandId("g")
                        .setQuarantine(Quarantine.newBuilder().setPath(path))
                        .build(),
                    CommandResult.newBuilder()),
            path);
    return e.getMessage();
  }

  private void refusedContaining(String path, String expected) {
    String m = refused(path);
    assertTrue(m.contains(expected), path + " -> " + m);
  }

  @Test
  void syntaxIsCheckedNotNormalised() throws Exception {
    Path victim = Files.writeString(dir.resolve("v"), "v");
    refusedContaining("", "empty");
    refusedContaining("relative/v", "not absolute");
    refusedContaining("/", "root directory");
    refusedContaining(dir + "/../" + dir.getFileName() + "/v", "\"..\" segment");
    refusedContaining(dir + "/./v", "\".\" segment");
    refusedContaining(dir + "//v", "empty segment");
    refusedContaining(dir + "/v/", "empty segment");
    refusedContaining(dir + "/v\0x", "NUL");
    refusedContaining("/" + "a".repeat(5000), "longer than");
    refusedContaining(dir + "/missing", "no file at");
    assertTrue(Files.exists(victim));
  }

  @Test
  void onlyRegularFiles() throws Exception {
    Path target = Files.writeString(dir.resolve("target"), "t");
    Path link = Files.createSymbolicLink(dir.resolve("link"), target);
    String m = refused(link.toString());
    assertTrue(m.contains("symbolic link to \"" + target + "\""), m);
    assertTrue(m.contains("quarantine or collect the target instead"), m);
    assertTrue(Files.isSymbolicLink(link));
    refusedContaining(dir.toString(), "is a directory");
    Path fifo = dir.resolve("fifo");
    FileTestSupport.ok("mkfifo", fifo.toString());
    refusedContaining(fifo.toString(), "not a regular file");
    refusedContaining("/dev/null", "not a regular file");
    refusedContaining("/proc/self/exe", "symbolic link");
  }

  @Test
  void theAgentItselfIsProtected() throws Exception {
    Path javaHome = Path.of(System.getProperty("java.home"));
    Path release = javaHome.resolve("release");
    assumeTrue(Files.isRegularFile(release, LinkOption.NOFOLLOW_LINKS));
    refusedContaining(release.toString(), "the Java runtime the agent runs on");
    // The directory this class was loaded from: target/classes here, the jar's directory in a
    // package.
    Path installDir = ProtectedFiles.installDirectory().orElseThrow();
    Path own = installDir.resolve("io/vigil/agent/response/file/QuarantineAction.class");
    if (Files.isRegularFile(own)) {
      refusedContaining(own.toString(), "the agent's install directory");
    }
    Path stateFile = Files.writeString(stateDir.resolve("agent-id"), "x");
    refusedContaining(stateFile.toString(), "the agent's state directory");
    refusedContaining(config.toString(), "the agent's configuration file");
    Path inListed = Files.writeString(listed.resolve("keep"), "k");
    refusedContaining(inListed.toString(), "response.protected_paths");
    String libjvm =
        ProtectedFiles.mappedFiles().stream()
            .map(Path::toString)
            .filter(p -> p.endsWith("/libjvm.so"))
            .findFirst()
            .orElseThrow();
    String m = refused(libjvm);
    assertTrue(m.contains("Java runtime") || m.contains("mapped into"), m);
    assertTrue(Files.exists(stateFile) && Files.exists(config) && Files.exists(inListed));
  }

  @Test
  void aFileInTheVaultIsProtected() throws Exception {
    Path vault = stateDir.resolve("quarantine");
    Path victim = Files.writeString(dir.resolve("w"), "w");
    CommandResult.Builder r = CommandResult.newBuilder();
    action.run(
        Command.newBuilder()
            .setCommandId("q")
            .setQuarantine(Quarantine.newBuilder().setPath(victim.toString()))
            .build(),
        r);
    Path stored = vault.resolve(r.getFactsOrThrow("quarantine_id")).resolve("content");
    refusedContaining(stored.toString(), "the quarantine vault");
  }

  @Test
  void systemEssentialsAreProtected() throws Exception {
    refusedContaining("/etc/shadow", "needs to boot");
    refusedContaining("/etc/passwd", "needs to boot");
    refusedContaining("/etc/group", "needs to boot");
    refusedContaining("/proc/self/status", "/proc");
    refusedContaining("/proc/1/cmdline", "/proc");
    if (Files.isRegularFile(Path.of("/sys/kernel/uevent_seqnum"))) {
      refusedContaining("/sys/kernel/uevent_seqnum", "/sys");
    }
    if (Files.isRegularFile(Path.of("/usr/sbin/nft"))) {
      refusedContaining("/usr/sbin/nft", "nft");
    }
    // Merged /usr: /bin is a link to usr/bin; both spellings of a protected file are refused.
    if (Files.isSymbolicLink(Path.of("/bin")) && Files.isRegularFile(Path.of("/usr/bin/bash"))) {
      refusedContaining("/bin/bash", "/usr/bin/bash");
      refusedContaining("/usr/bin/bash", "/usr/bin/bash");
    }
    String libc =
        ProtectedFiles.mappedFiles().stream()
            .map(Path::toString)
            .filter(p -> p.matches(".*/libc[.-].*so.*"))
            .findFirst()
            .orElseThrow();
    refused(libc);
  }

  @Test
  void aHardLinkToAProtectedFileIsProtected() throws Exception {
    Path secret = Files.writeString(stateDir.resolve("secret"), "s");
    Path link = Files.createLink(dir.resolve("innocent"), secret);
    refusedContaining(link.toString(), "a hard link to the agent's state directory");
    assertEquals("s", Files.readString(link));
    assertEquals(0644 & 0, (Integer) Files.getAttribute(secret, "unix:mode") & 0, "mode untouched");
  }
}
