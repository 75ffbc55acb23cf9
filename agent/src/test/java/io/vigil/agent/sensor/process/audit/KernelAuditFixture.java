package io.vigil.agent.sensor.process.audit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vigil.agent.platform.linux.AuditNetlinkSocket;
import io.vigil.agent.platform.linux.AuditStatus;
import io.vigil.agent.sensor.process.audit.rules.AuditRule;
import io.vigil.agent.sensor.process.audit.rules.AuditRuleCodec;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Test-side guard around the kernel's global audit state. At start it takes a lock file (so that
 * two test JVMs do not fight over audit), puts back what a killed earlier run left (rules whose key
 * starts with {@code vigil-test-}, and the enabled/backlog values recorded in {@link #MARKER}),
 * then records the current values in the marker. At close it removes every {@code vigil-test-}
 * rule, restores the values, gives back the daemon slot if this process holds it, and deletes the
 * marker.
 */
final class KernelAuditFixture implements AutoCloseable {
  static final Path MARKER = Path.of("/run/vigil-test-audit-state");
  static final String PREFIX = "vigil-test-";
  private static final Path LOCK = Path.of("/run/vigil-test-audit.lock");

  final AuditNetlinkSocket control;
  final AuditStatus original;
  private final FileChannel lockChannel;
  private final FileLock lock;

  private KernelAuditFixture(
      AuditNetlinkSocket control, AuditStatus original, FileChannel ch, FileLock lock) {
    this.control = control;
    this.original = original;
    this.lockChannel = ch;
    this.lock = lock;
  }

  /** Skips the test unless root with audit support and an unlocked configuration. */
  static KernelAuditFixture acquire() throws IOException {
    assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
    FileChannel ch = FileChannel.open(LOCK, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock = ch.lock();
    AuditNetlinkSocket control = null;
    try {
      control = AuditNetlinkSocket.openUnicast();
      AuditStatus status = control.status();
      assumeTrue(!status.locked(), "audit configuration is locked (enabled=2)");
      restoreLeftovers(control);
      status = control.status();
      Files.writeString(
          MARKER,
          "enabled=" + status.enabled() + " backlog=" + status.backlogLimit() + "\n",
          StandardCharsets.US_ASCII);
      return new KernelAuditFixture(control, status, ch, lock);
    } catch (IOException | RuntimeException | Error e) {
      if (control != null) {
        control.close();
      }
      lock.release();
      ch.close();
      throw e;
    }
  }

  /** Keys of the rules in the kernel, in order (rules without a key as the empty string). */
  List<String> keys() throws IOException {
    List<String> keys = new ArrayList<>();
    for (byte[] raw : control.listRules()) {
      keys.add(AuditRuleCodec.decode(raw).key().orElse(""));
    }
    return keys;
  }

  /** The kernel's rules carrying {@code key}. */
  List<AuditRule> rulesWithKey(String key) throws IOException {
    List<AuditRule> out = new ArrayList<>();
    for (byte[] raw : control.listRules()) {
      AuditRule r = AuditRuleCodec.decode(raw);
      if (r.key().map(key::equals).orElse(false)) {
        out.add(r);
      }
    }
    return out;
  }

  @Override
  public void close() throws IOException {
    try {
      removeTestRules(control);
      AuditStatus now = control.status();
      if (now.pid() == ProcessHandle.current().pid()) {
        control.setDaemonPid(0);
      }
      if (now.backlogLimit() != original.backlogLimit()) {
        control.setBacklogLimit(original.backlogLimit());
      }
      if (now.enabled() != original.enabled()) {
        control.setEnabled(original.enabled());
      }
      Files.deleteIfExists(MARKER);
    } finally {
      control.close();
      lock.release();
      lockChannel.close();
    }
  }

  private static void restoreLeftovers(AuditNetlinkSocket control) throws IOException {
    removeTestRules(control);
    if (!Files.exists(MARKER)) {
      return;
    }
    String[] parts = Files.readString(MARKER, StandardCharsets.US_ASCII).trim().split(" ");
    int enabled = Integer.parseInt(parts[0].substring("enabled=".length()));
    int backlog = Integer.parseInt(parts[1].substring("backlog=".length()));
    control.setBacklogLimit(backlog);
    control.setEnabled(enabled);
    Files.delete(MARKER);
  }

  private static void removeTestRules(AuditNetlinkSocket control) throws IOException {
    for (byte[] raw : control.listRules()) {
      if (AuditRuleCodec.decode(raw).key().map(k -> k.startsWith(PREFIX)).orElse(false)) {
        control.deleteRule(raw);
      }
    }
  }
}
