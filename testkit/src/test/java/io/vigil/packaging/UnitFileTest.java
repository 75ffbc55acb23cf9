package io.vigil.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.testkit.ShadedJars;
import io.vigil.testkit.SystemdUnit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The rules of issue #12 for the two units in {@code installers/systemd}: the agent sees the real
 * filesystem (no mount-namespace option) and holds exactly the capabilities it uses, within hard
 * resource limits; the collector is sandboxed and unprivileged. Every failure names the key.
 */
class UnitFileTest {
  private static final String SERVICE = "Service";

  /** Options that give the agent a mount namespace or otherwise hide or freeze the real host. */
  private static final List<String> AGENT_FORBIDDEN =
      List.of(
          "ProtectSystem",
          "ProtectHome",
          "PrivateTmp",
          "PrivateDevices",
          "PrivateMounts",
          "PrivateNetwork",
          "PrivateUsers",
          "PrivateIPC",
          "NetworkNamespacePath",
          "IPCNamespacePath",
          "ReadOnlyPaths",
          "ReadWritePaths",
          "InaccessiblePaths",
          "ExecPaths",
          "NoExecPaths",
          "ReadOnlyDirectories",
          "ReadWriteDirectories",
          "InaccessibleDirectories",
          "TemporaryFileSystem",
          "BindPaths",
          "BindReadOnlyPaths",
          "MountAPIVFS",
          "ProtectKernelTunables",
          "ProtectKernelModules",
          "ProtectKernelLogs",
          "ProtectControlGroups",
          "ProtectProc",
          "ProcSubset",
          "RootDirectory",
          "RootImage",
          "DynamicUser",
          // setns(2) into a network namespace (netns: capture targets) is a namespace operation.
          "RestrictNamespaces",
          // restore puts back setuid and setgid bits of quarantined files.
          "RestrictSUIDSGID",
          // the JVM's JIT writes and then executes code.
          "MemoryDenyWriteExecute");

  /** A capability the agent's unit grants, why, and where the code that needs it lives. */
  record Use(String capability, String why, String file, String evidence) {}

  /**
   * Every capability the agent uses, each with a place in agent/src/main/java that proves the use
   * still exists. When the unit grants one more or one less, or the evidence is gone (the feature
   * moved or was removed), the test fails: re-check the capability against the code, then update
   * the unit and this list together.
   */
  private static final List<Use> AGENT_CAPABILITIES =
      List.of(
          new Use(
              "CAP_AUDIT_CONTROL",
              "audit rules, backlog and the audit daemon slot",
              "platform/linux/AuditNetlinkSocket.java",
              "CAP_AUDIT_CONTROL"),
          new Use(
              "CAP_AUDIT_READ",
              "the audit multicast group when auditd holds the slot",
              "platform/linux/AuditNetlinkSocket.java",
              "CAP_AUDIT_READ"),
          new Use(
              "CAP_NET_ADMIN",
              "proc connector and SO_RCVBUFFORCE",
              "platform/linux/ProcConnectorSocket.java",
              "CAP_NET_ADMIN"),
          new Use(
              "CAP_NET_ADMIN",
              "nft for isolation and blocks",
              "response/network/NftTool.java",
              "nft"),
          new Use(
              "CAP_NET_RAW",
              "packet capture through libpcap",
              "sensor/packet/PacketSensor.java",
              "CAP_NET_RAW"),
          new Use(
              "CAP_SYS_ADMIN",
              "fanotify filesystem marks",
              "platform/linux/FanotifyDescriptor.java",
              "FAN_MARK_FILESYSTEM"),
          new Use(
              "CAP_SYS_ADMIN",
              "setns into a capture target's network namespace",
              "platform/linux/NetworkNamespace.java",
              "setns"),
          new Use(
              "CAP_DAC_READ_SEARCH",
              "open_by_handle_at for fanotify file handles; reading any file to hash it",
              "platform/linux/FileHandleMount.java",
              "open_by_handle_at"),
          new Use(
              "CAP_DAC_OVERRIDE",
              "quarantine unlinks from, restore links into, directories root cannot write",
              "response/file/QuarantineAction.java",
              "dir.unlink("),
          new Use(
              "CAP_DAC_OVERRIDE",
              "restore links the file back into its directory",
              "response/file/RestoreAction.java",
              "dir.link("),
          new Use(
              "CAP_FOWNER",
              "the vault's mode 0 on files root does not own",
              "response/file/QuarantineAction.java",
              "content.setMode(0)"),
          new Use(
              "CAP_FOWNER",
              "restore puts back times of files root does not own",
              "response/file/RestoreAction.java",
              "f.setTimes("),
          new Use(
              "CAP_CHOWN",
              "restore puts back owner and group",
              "response/file/RestoreAction.java",
              "f.setOwner("),
          new Use(
              "CAP_FSETID",
              "restore puts back setgid bits whatever the group",
              "response/file/RestoreAction.java",
              "f.setMode("),
          new Use(
              "CAP_SETFCAP",
              "restore puts back security.capability",
              "response/file/RestoreAction.java",
              "f.writeAttribute("),
          new Use(
              "CAP_SYS_PTRACE",
              "/proc/PID/exe and fd/ of other users' processes",
              "sensor/process/procfs/ProcReader.java",
              "resolve(\"exe\")"),
          new Use(
              "CAP_KILL",
              "kill and freeze other users' processes",
              "platform/linux/ProcessDescriptor.java",
              "SIGKILL"));

  /** What the collector's unit must set, exactly. */
  private static final Map<String, String> COLLECTOR_REQUIRED =
      Map.ofEntries(
          Map.entry("User", "vigil"),
          Map.entry("Group", "vigil"),
          Map.entry("StateDirectory", "vigil/collector"),
          Map.entry("StateDirectoryMode", "0750"),
          Map.entry("ProtectSystem", "strict"),
          Map.entry("ProtectHome", "yes"),
          Map.entry("PrivateTmp", "yes"),
          Map.entry("PrivateDevices", "yes"),
          Map.entry("NoNewPrivileges", "yes"),
          Map.entry("ProtectKernelTunables", "yes"),
          Map.entry("ProtectKernelModules", "yes"),
          Map.entry("ProtectKernelLogs", "yes"),
          Map.entry("ProtectControlGroups", "yes"),
          Map.entry("ProtectClock", "yes"),
          Map.entry("ProtectHostname", "yes"),
          Map.entry("RestrictNamespaces", "yes"),
          Map.entry("RestrictRealtime", "yes"),
          Map.entry("RestrictSUIDSGID", "yes"),
          Map.entry("LockPersonality", "yes"),
          Map.entry("SystemCallArchitectures", "native"),
          Map.entry("UMask", "0027"),
          Map.entry("Restart", "on-failure"),
          Map.entry(
              "ExecStart",
              "/usr/lib/vigil/collector/bin/vigil-collector run --config /etc/vigil/collector.yaml"));

  private static final Set<String> COLLECTOR_ADDRESS_FAMILIES =
      Set.of("AF_INET", "AF_INET6", "AF_UNIX", "AF_NETLINK");

  private static SystemdUnit unit(String name) throws IOException {
    return SystemdUnit.read(ShadedJars.repoRoot().resolve("installers/systemd").resolve(name));
  }

  @Test
  void agentUnitHasNoMountNamespaceSandboxing() throws IOException {
    SystemdUnit agent = unit("vigil-agent.service");
    List<String> violations = new ArrayList<>();
    for (String key : AGENT_FORBIDDEN) {
      if (agent.has(SERVICE, key)) {
        violations.add(key + "= must not be set (the agent must see and act on the real host)");
      }
    }
    Optional<String> user = agent.last(SERVICE, "User");
    if (user.isPresent() && !user.get().equals("root") && !user.get().equals("0")) {
      violations.add("User=" + user.get() + ": the agent runs as root");
    }
    assertTrue(violations.isEmpty(), String.join("\n", violations));
  }

  @Test
  void agentCapabilitiesAreExactlyThoseItUses() throws IOException {
    SystemdUnit agent = unit("vigil-agent.service");
    Set<String> granted = new TreeSet<>();
    for (String c : agent.words(SERVICE, "CapabilityBoundingSet")) {
      assertTrue(
          !c.startsWith("~"), "CapabilityBoundingSet=: list the capabilities, not ~ exclusions");
      granted.add(c.toUpperCase(Locale.ROOT));
    }
    Set<String> used = new TreeSet<>();
    AGENT_CAPABILITIES.forEach(u -> used.add(u.capability()));
    Set<String> extra = new TreeSet<>(granted);
    extra.removeAll(used);
    Set<String> missing = new TreeSet<>(used);
    missing.removeAll(granted);
    assertTrue(
        extra.isEmpty() && missing.isEmpty(),
        "CapabilityBoundingSet= grants capabilities the agent does not use: "
            + extra
            + "; lacks capabilities the agent uses: "
            + missing);
    assertTrue(
        agent.words(SERVICE, "AmbientCapabilities").isEmpty(),
        "AmbientCapabilities=: the agent runs as root and needs none");
  }

  @Test
  void everyAgentCapabilityIsStillUsedByTheCode() throws IOException {
    Path src = ShadedJars.repoRoot().resolve("agent/src/main/java/io/vigil/agent");
    List<String> gone = new ArrayList<>();
    for (Use u : AGENT_CAPABILITIES) {
      Path file = src.resolve(u.file());
      if (!Files.isRegularFile(file) || !Files.readString(file).contains(u.evidence())) {
        gone.add(
            u.capability()
                + " ("
                + u.why()
                + "): "
                + u.file()
                + " no longer contains \""
                + u.evidence()
                + "\"; check whether CapabilityBoundingSet= still needs it");
      }
    }
    assertTrue(gone.isEmpty(), String.join("\n", gone));
  }

  @Test
  void agentUnitHasSaneHardLimits() throws IOException {
    SystemdUnit agent = unit("vigil-agent.service");
    long budget = 256L << 20; // the agent's own RssAnon budget default
    long jvmOverhead = 128L << 20; // metaspace, code cache, thread stacks, mapped spool pages
    long max = bytes(agent, "MemoryMax");
    long high = bytes(agent, "MemoryHigh");
    assertTrue(
        max >= budget + jvmOverhead,
        "MemoryMax= " + max + " leaves no room above the agent's 256 MiB budget and the JVM");
    assertTrue(high < max, "MemoryHigh= must be below MemoryMax= (throttle before the kill)");
    assertTrue(high > budget, "MemoryHigh= must be above the agent's own 256 MiB budget");
    String quota = required(agent, "CPUQuota");
    assertTrue(quota.endsWith("%"), "CPUQuota= " + quota + " is not a percentage");
    int percent = Integer.parseInt(quota.substring(0, quota.length() - 1));
    assertTrue(
        percent > 50 && percent <= 100,
        "CPUQuota= " + quota + " must be above the agent's 50 % budget and at most one core");
    int nice = Integer.parseInt(required(agent, "Nice"));
    assertTrue(nice > 0 && nice < 20, "Nice= " + nice + " must lower the agent's priority");
    String io = required(agent, "IOSchedulingClass");
    assertTrue(
        Set.of("idle", "best-effort", "2", "3").contains(io),
        "IOSchedulingClass= " + io + " must be idle or best-effort");
    if (io.equals("best-effort") || io.equals("2")) {
      int prio = Integer.parseInt(required(agent, "IOSchedulingPriority"));
      assertTrue(prio >= 4, "IOSchedulingPriority= " + prio + " must be low (4 to 7)");
    }
    assertEquals("on-failure", required(agent, "Restart"), "Restart=");
    assertTrue(agent.has(SERVICE, "RestartSec"), "RestartSec= is missing");
    assertTrue(agent.has(SERVICE, "TimeoutStopSec"), "TimeoutStopSec= is missing");
    assertTrue(
        agent.words(SERVICE, "SuccessExitStatus").contains("143"),
        "SuccessExitStatus= must contain 143 (the JVM's orderly stop on SIGTERM)");
    assertTrue(
        agent.words(SERVICE, "RestartPreventExitStatus").contains("2"),
        "RestartPreventExitStatus= must contain 2 (configuration error)");
    assertEquals(
        "/usr/lib/vigil/agent/bin/vigil-agent run --config /etc/vigil/agent.yaml",
        required(agent, "ExecStart"),
        "ExecStart=");
    assertEquals(
        "-/etc/default/vigil-agent", required(agent, "EnvironmentFile"), "EnvironmentFile=");
    assertEquals(
        "multi-user.target", agent.last("Install", "WantedBy").orElse(""), "[Install] WantedBy=");
  }

  @Test
  void collectorUnitIsSandboxedAndUnprivileged() throws IOException {
    SystemdUnit collector = unit("vigil-collector.service");
    List<String> violations = new ArrayList<>();
    for (Map.Entry<String, String> e : new TreeMap<>(COLLECTOR_REQUIRED).entrySet()) {
      Optional<String> v = collector.last(SERVICE, e.getKey());
      if (v.isEmpty()) {
        violations.add(e.getKey() + "= is missing (want " + e.getValue() + ")");
      } else if (!v.get().equals(e.getValue())) {
        violations.add(e.getKey() + "=" + v.get() + ", want " + e.getValue());
      }
    }
    for (String key : List.of("CapabilityBoundingSet", "AmbientCapabilities")) {
      if (!collector.has(SERVICE, key)) {
        violations.add(key + "= (empty) is missing");
      } else if (!collector.words(SERVICE, key).isEmpty()) {
        violations.add(key + "= must be empty, is " + collector.words(SERVICE, key));
      }
    }
    Set<String> families = collector.words(SERVICE, "RestrictAddressFamilies");
    if (!families.contains("AF_INET") || !families.contains("AF_INET6")) {
      violations.add("RestrictAddressFamilies= must allow AF_INET and AF_INET6: " + families);
    }
    for (String f : families) {
      if (!COLLECTOR_ADDRESS_FAMILIES.contains(f)) {
        violations.add("RestrictAddressFamilies= allows " + f + ", which the collector never uses");
      }
    }
    if (collector.has(SERVICE, "MemoryDenyWriteExecute")) {
      violations.add("MemoryDenyWriteExecute= must not be set (the JIT writes and executes code)");
    }
    for (String key : List.of("User", "Group")) {
      String v = collector.last(SERVICE, key).orElse("root");
      if (v.equals("root") || v.equals("0")) {
        violations.add(key + "=" + v + ": the collector must not run as root");
      }
    }
    assertTrue(violations.isEmpty(), String.join("\n", violations));
  }

  @Test
  void parserFollowsSystemdSyntax() {
    SystemdUnit u =
        SystemdUnit.parse(
            "# comment\n"
                + "[Service]\n"
                + "; another comment\n"
                + "CapabilityBoundingSet=CAP_A CAP_B\n"
                + "CapabilityBoundingSet=\n"
                + "CapabilityBoundingSet = CAP_C \\\n"
                + "# a comment inside a continuation\n"
                + "  CAP_D\n"
                + "ExecStart=/bin/x \\\n"
                + "  --flag\n"
                + "[Install]\n"
                + "WantedBy=multi-user.target\n");
    assertEquals(Set.of("CAP_C", "CAP_D"), u.words("Service", "CapabilityBoundingSet"));
    assertEquals(3, u.values("Service", "CapabilityBoundingSet").size());
    assertEquals(Optional.of("/bin/x  --flag"), u.last("Service", "ExecStart"));
    assertEquals(Optional.of("multi-user.target"), u.last("Install", "WantedBy"));
    assertTrue(u.last("Service", "WantedBy").isEmpty());
    assertThrows(IllegalArgumentException.class, () -> SystemdUnit.parse("Key=value\n"));
    assertThrows(IllegalArgumentException.class, () -> SystemdUnit.parse("[S]\nno equals\n"));
  }

  private static String required(SystemdUnit unit, String key) {
    return unit.last(SERVICE, key)
        .orElseThrow(() -> new AssertionError(key + "= is missing from [" + SERVICE + "]"));
  }

  /** A systemd size (K, M, G, T suffixes are powers of 1024). */
  private static long bytes(SystemdUnit unit, String key) {
    String v = required(unit, key).trim().toUpperCase(Locale.ROOT);
    long unitBytes = 1;
    char last = v.charAt(v.length() - 1);
    int shift = "KMGT".indexOf(last);
    if (shift >= 0) {
      unitBytes = 1L << (10 * (shift + 1));
      v = v.substring(0, v.length() - 1);
    }
    try {
      return Long.parseLong(v) * unitBytes;
    } catch (NumberFormatException e) {
      throw new AssertionError(key + "=" + v + " is not a size in bytes, K, M, G or T", e);
    }
  }
}
