package io.vigil.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.v1.AgentStatus;
import io.vigil.proto.v1.ProcessExec;
import io.vigil.proto.v1.SensorState;
import io.vigil.testkit.DebPackages;
import io.vigil.testkit.Host;
import io.vigil.testkit.MetricsScrape;
import io.vigil.testkit.Netns;
import io.vigil.testkit.Poll;
import io.vigil.testkit.Ports;
import io.vigil.testkit.SensorRun;
import io.vigil.testkit.ServiceUnit;
import io.vigil.testkit.ShadedJars;
import io.vigil.testkit.StoreProbe;
import io.vigil.testkit.UnitRunner;
import io.vigil.testkit.VethNamespace;
import io.vigil.testkit.VigilProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The issue's must-show for the Debian packages, on this machine where systemd is not PID 1: the
 * built {@code vigil-collector} and {@code vigil-agent} packages are installed with {@code dpkg -i}
 * (the agent through {@code installers/install.sh}, which enrols it), each service is started by
 * running its installed unit's {@code ExecStart} as written with the unit's user, group and
 * capability set ({@link UnitRunner}, {@code setpriv}) inside a network namespace of the test's
 * own, and then:
 *
 * <ol>
 *   <li>both units pass {@code systemd-analyze verify}; the agent enrols and streams a command run
 *       in the namespace; with exactly the unit's capabilities its file and network sensors, and
 *       its process sensor's audit feed, are not degraded there;
 *   <li>an upgrade from a "previous" package keeps the edited conffiles, the agent's id and
 *       certificate, its FIM baseline, and the events it spooled while the collector was down
 *       (delivered after the upgrade, no gap). The previous packages are the same build relabelled
 *       0.0.1, or, with {@code -Dvigil.previousDebs=DIR}, a real earlier build ({@code
 *       installers/build-packages-at.sh REF DIR});
 *   <li>the upgraded agent unit, run in the initial network namespace (where the kernel's proc
 *       connector exists) until its first status is spooled, reports its process sensor (audit and
 *       proc connector), file and network sensors not degraded; the status is shipped when the
 *       agent runs in the namespace again;
 *   <li>{@code dpkg -r vigil-agent} while the host is isolated stops the agent and releases the
 *       host; {@code dpkg --purge} removes state and conffiles.
 * </ol>
 *
 * <p>Installing packages is machine-global: a marker file says the packages on this machine were
 * installed by this test, so that the leftovers of a killed run are purged at the next start; a
 * real Vigil install (packages without the marker) is never touched: the test fails in CI and is
 * skipped elsewhere.
 */
@Tag("kernel")
class PackageLifecycleTest {
  private static final Path MARKER = Path.of("/var/tmp/vigil-test-packages.marker");
  private static final String NS = "vigil-test-pkg";
  private static final String HOST_IFACE = "vigil-test-pkgh";
  private static final String NS_IFACE = "vigil-test-pkgn";
  private static final String HOST_ADDRESS = "10.239.12.1";
  private static final String NS_ADDRESS = "10.239.12.2";

  /** The collector's agent port after the conffile edit (inside the namespace). */
  private static final int AGENT_PORT = 17443;

  private static final String PREVIOUS_VERSION = "0.0.1";
  private static final String CONFFILE_EDIT = "# vigil-test-pkg: edited by PackageLifecycleTest";
  private static final Path AGENT_STATE = Path.of("/var/lib/vigil/agent");
  private static final Path COLLECTOR_STATE = Path.of("/var/lib/vigil/collector");
  private static final Path AGENT_YAML = Path.of("/etc/vigil/agent.yaml");
  private static final Path COLLECTOR_YAML = Path.of("/etc/vigil/collector.yaml");
  private static final Path AGENT_DEFAULTS = Path.of("/etc/default/vigil-agent");
  private static final Duration LONG = Duration.ofMinutes(3);

  @TempDir static Path dir;
  private static VethNamespace veth;
  private static final List<VigilProcess> services = new ArrayList<>();
  private static final long T0 = System.nanoTime();

  @BeforeAll
  static void cleanMachine() throws Exception {
    Host.requireRoot("installing packages needs root");
    removeLeftovers();
  }

  @AfterAll
  static void leaveTheMachineClean() throws Exception {
    for (VigilProcess p : services) {
      p.close();
    }
    if (Files.exists(MARKER)) {
      purgeOurPackages();
    }
    if (veth != null) {
      veth.close();
    }
  }

  @Test
  void installEnrolUpgradeRemoveWhileIsolatedAndPurge() throws Exception {
    Path agentDeb = DebPackages.agentOrSkip();
    Path collectorDeb = DebPackages.collectorOrSkip();
    String currentVersion = debVersion(agentDeb);
    Path previousAgent;
    Path previousCollector;
    String previousDebs = System.getProperty("vigil.previousDebs", "");
    if (previousDebs.isBlank()) {
      previousAgent = relabel(agentDeb, PREVIOUS_VERSION);
      previousCollector = relabel(collectorDeb, PREVIOUS_VERSION);
    } else {
      // A real earlier build (installers/build-packages-at.sh REF DIR): fail, not skip, when the
      // directory asked for does not hold them.
      previousAgent = givenDeb(Path.of(previousDebs), "vigil-agent_");
      previousCollector = givenDeb(Path.of(previousDebs), "vigil-collector_");
    }
    String previousVersion = debVersion(previousAgent);
    assertEquals(previousVersion, debVersion(previousCollector), "previous packages' versions");
    assertEquals(currentVersion, debVersion(collectorDeb), "current packages' versions");
    assertTrue(
        run(
                Duration.ofSeconds(30),
                "dpkg",
                "--compare-versions",
                previousVersion,
                "lt",
                currentVersion)
            .ok(),
        "the previous version " + previousVersion + " sorts below " + currentVersion);
    boolean userExisted = run(Duration.ofSeconds(30), "getent", "passwd", "vigil").ok();
    Files.writeString(
        MARKER,
        "Vigil packages installed by PackageLifecycleTest; purged at its next start\n"
            + "created_user="
            + !userExisted
            + "\n");
    veth = VethNamespace.create(NS, HOST_IFACE, HOST_ADDRESS, NS_IFACE, NS_ADDRESS, null);
    Netns ns = new Netns(NS);

    stage(
        "previous packages "
            + previousVersion
            + " ("
            + previousAgent.getParent()
            + "), current "
            + currentVersion);
    // --- the previous version, installed and enrolled -----------------------------------------
    check(LONG, "dpkg", "-i", previousCollector.toString());
    assertEquals(
        "vigil:vigil rwx------", ownerAndMode(COLLECTOR_STATE), "the collector's state directory");
    editConffiles();
    ServiceUnit collectorUnit = ServiceUnit.read(unitFile("vigil-collector.service"));
    VigilProcess collector = startService("collector", collectorUnit);
    Result token = createToken(ns);
    String fingerprint = caFingerprint(token.output());
    Path tokenFile = dir.resolve("enrol.token");
    List<String> installScript =
        concat(
            ns.prefix(),
            // the copy the build puts beside the packages, run as an operator would
            ShadedJars.repoRoot().resolve("installers/target/install.sh").toString(),
            "--collector",
            "127.0.0.1:" + AGENT_PORT,
            "--token-file",
            tokenFile.toString(),
            "--ca-fingerprint",
            fingerprint,
            "--package",
            previousAgent.toString());
    check(LONG, installScript);
    assertTrue(Files.isRegularFile(AGENT_STATE.resolve("pki/agent.pem")), "enrolled");
    assertEquals(previousVersion, installedVersion("vigil-agent"));
    // Idempotent: a second run (its one-use token already spent) installs and enrols nothing.
    byte[] enrolled = Files.readAllBytes(AGENT_STATE.resolve("pki/agent.pem"));
    String again = check(LONG, installScript);
    assertTrue(
        again.contains("is installed already") && again.contains("enrolled already"),
        "a second install.sh run says it had nothing to do: " + again);
    assertArrayEquals(
        enrolled,
        Files.readAllBytes(AGENT_STATE.resolve("pki/agent.pem")),
        "a second install.sh run leaves the enrolment alone");
    editAgentConffile();
    ServiceUnit agentUnit = ServiceUnit.read(unitFile("vigil-agent.service"));
    for (ServiceUnit u : List.of(agentUnit, collectorUnit)) {
      Result verify = run(LONG, "systemd-analyze", "verify", u.file().toString());
      assertTrue(verify.ok() && verify.output().isBlank(), "systemd-analyze verify " + verify);
    }
    stage("collector installed and running, agent installed and enrolled, units verified");
    VigilProcess agent = startService("agent", agentUnit);
    StoreProbe store = new StoreProbe(COLLECTOR_STATE.resolve("vigil.db"));
    awaitExecStored(ns, store, "first", agent);
    assertSensorsNotDegraded(store, agent);
    stage("agent streams; sensors:" + fullSensors(store.latestAgentStatus().orElseThrow()));
    Path baseline = AGENT_STATE.resolve("fim-baseline.pb");
    Poll.until(LONG, () -> "no FIM baseline: " + agent.logText(), () -> Files.exists(baseline));

    // --- events spooled while the collector is down, then the upgrade --------------------------
    assertEquals(143, collector.stop(), collector.logText());
    String spooled = "vigil-test-pkg-spooled-" + UUID.randomUUID();
    List<String> spooledMarkers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      spooledMarkers.add(spooled + "-" + i);
      runMarkedExec(ns, spooled + "-" + i);
    }
    // The collector is down: wait until the spool's files hold the three marked execs (an event's
    // protobuf bytes carry its arguments as written), then stop the agent.
    Poll.until(
        LONG,
        () -> "the three execs were not spooled: " + tail(agent),
        () -> spooledMarkers.stream().allMatch(PackageLifecycleTest::spoolHolds));
    assertEquals(143, agent.stop(), agent.logText());
    String agentId = Files.readString(AGENT_STATE.resolve("agent-id"));
    byte[] certificate = Files.readAllBytes(AGENT_STATE.resolve("pki/agent.pem"));
    byte[] baselineBefore = Files.readAllBytes(baseline);
    stage("events spooled, both stopped");
    check(LONG, "dpkg", "-i", agentDeb.toString(), collectorDeb.toString());
    stage("upgraded");
    assertEquals(currentVersion, installedVersion("vigil-agent"), "agent upgraded");
    assertEquals(currentVersion, installedVersion("vigil-collector"), "collector upgraded");
    assertTrue(Files.readString(COLLECTOR_YAML).contains(CONFFILE_EDIT), "collector.yaml kept");
    assertTrue(Files.readString(AGENT_YAML).contains(CONFFILE_EDIT), "agent.yaml kept");
    assertEquals(agentId, Files.readString(AGENT_STATE.resolve("agent-id")), "agent id kept");
    assertArrayEquals(
        certificate, Files.readAllBytes(AGENT_STATE.resolve("pki/agent.pem")), "certificate");
    assertArrayEquals(baselineBefore, Files.readAllBytes(baseline), "FIM baseline kept");

    collectorUnit = ServiceUnit.read(unitFile("vigil-collector.service"));
    agentUnit = ServiceUnit.read(unitFile("vigil-agent.service"));
    collector = startService("collector-upgraded", collectorUnit);
    VigilProcess upgraded = startService("agent-upgraded", agentUnit);
    Poll.until(
        LONG,
        () -> "the spooled execs did not arrive: " + tail(upgraded),
        () -> spooledMarkers.stream().allMatch(m -> !execsWithExactArg(store, m).isEmpty()));
    awaitExecStored(ns, store, "after-upgrade", upgraded);
    assertEquals(List.of(), store.gaps(), "no gap across the upgrade");
    List<String> epochs = store.epochs();
    assertEquals(1, epochs.size(), "one stream, continued: " + epochs);
    BitSet seqs = store.storedSeqs(epochs.get(0));
    assertEquals(
        seqs.length() - 1,
        seqs.cardinality() - (seqs.get(0) ? 1 : 0),
        "every seq up to the last stored: " + seqs);

    stage("spooled events delivered after the upgrade");
    VigilProcess streaming = statusFromInitialNamespace(ns, store, upgraded);
    // --- remove while isolated, then purge -----------------------------------------------------
    assertTrue(ns.pings(HOST_ADDRESS), "the namespace reaches its peer before the isolation");
    Result isolate =
        run(
            LONG,
            concat(
                ns.prefix(),
                "/usr/bin/vigilctl",
                "--config",
                COLLECTOR_YAML.toString(),
                "isolate",
                agentId.strip(),
                "--wait-ms",
                "60000"));
    assertTrue(isolate.ok(), "vigilctl isolate: " + isolate);
    assertTrue(ns.hasTable("vigil"), ns.ruleset());
    assertFalse(ns.pings(HOST_ADDRESS), "isolated");

    stage("isolated");
    Result remove = run(LONG, concat(ns.prefix(), "dpkg", "-r", "vigil-agent"));
    stage("removed: " + remove.output().strip());
    assertTrue(remove.ok(), "dpkg -r vigil-agent: " + remove);
    Poll.until(
        Duration.ofSeconds(60),
        () -> "the agent still runs: " + remove,
        () -> !streaming.isAlive());
    assertFalse(ns.hasTable("vigil"), "the table is gone: " + remove + "\n" + ns.ruleset());
    Poll.until(Duration.ofSeconds(30), () -> "no traffic after the removal", () -> pings(ns));
    String released = Files.readString(AGENT_STATE.resolve("containment.state"));
    assertTrue(released.contains("isolated=false"), released);

    assertEquals(143, collector.stop(), collector.logText());
    check(LONG, "dpkg", "--purge", "vigil-agent", "vigil-collector");
    assertFalse(Files.exists(AGENT_STATE), "agent state purged");
    assertFalse(Files.exists(COLLECTOR_STATE), "collector state purged");
    assertFalse(Files.exists(AGENT_YAML), "agent conffile purged");
    assertFalse(Files.exists(COLLECTOR_YAML), "collector conffile purged");
    assertEquals("", installedVersion("vigil-agent"));
    stage("purged");
  }

  // --- steps ---------------------------------------------------------------------------------

  /** Prints how far the test got and when: its stages take tens of seconds each. */
  private static void stage(String what) {
    System.out.printf("[PackageLifecycleTest +%.1f s] %s%n", (System.nanoTime() - T0) / 1e9, what);
  }

  private static VigilProcess startService(String name, ServiceUnit unit) throws Exception {
    stage(name + ": " + String.join(" ", UnitRunner.command(unit, Optional.of(new Netns(NS)))));
    VigilProcess p =
        UnitRunner.start(name, unit, Optional.of(new Netns(NS)), dir.resolve(name + ".log"));
    services.add(p);
    return p;
  }

  /**
   * The collector's agent port moved (inside the namespace nothing collides; the edit is there to
   * prove that conffile edits survive the upgrade), and the agent's FIM narrowed to a small tree so
   * that its first baseline is quick.
   */
  private static void editConffiles() throws IOException {
    String c = Files.readString(COLLECTOR_YAML);
    assertTrue(c.contains("0.0.0.0:7443"), c);
    Files.writeString(
        COLLECTOR_YAML, CONFFILE_EDIT + "\n" + c.replace("0.0.0.0:7443", "0.0.0.0:" + AGENT_PORT));
  }

  private static void editAgentConffile() throws IOException {
    String a = Files.readString(AGENT_YAML);
    assertTrue(a.contains("\nsensors:\n"), a);
    Files.writeString(
        AGENT_YAML,
        CONFFILE_EDIT
            + "\n"
            + a.replace("\nsensors:\n", "\nsensors:\n  fim:\n    paths: [/etc/vigil]\n")
            + "\nstatus:\n  interval: 5s\n");
  }

  /** {@code vigilctl token create} in the namespace, retried while the collector starts. */
  private static Result createToken(Netns ns) throws Exception {
    Path token = dir.resolve("enrol.token");
    Result[] last = new Result[1];
    Poll.until(
        LONG,
        () -> "vigilctl token create: " + last[0],
        () -> {
          try {
            Files.deleteIfExists(token);
            last[0] =
                run(
                    Duration.ofSeconds(60),
                    concat(
                        ns.prefix(),
                        "/usr/bin/vigilctl",
                        "--config",
                        COLLECTOR_YAML.toString(),
                        "token",
                        "create",
                        "--uses",
                        "1",
                        "--ttl",
                        "10m",
                        "--note",
                        "vigil-test-pkg",
                        "--output",
                        token.toString()));
            return last[0].ok();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
    return last[0];
  }

  private static String caFingerprint(String vigilctlOutput) {
    Matcher m = Pattern.compile("(?m)^ca_fingerprint: *([0-9A-Fa-f:]+)").matcher(vigilctlOutput);
    assertTrue(m.find(), "no ca_fingerprint in: " + vigilctlOutput);
    return m.group(1);
  }

  /**
   * Runs, in the namespace, one exec whose argv holds {@code marker} as an argument and no other
   * exec's does: {@code ip netns exec NS /bin/sh -c 'exec /bin/true "$0$1"' HEAD TAIL}, the marker
   * split in two that only the shell joins, for {@code /bin/true}. Passed whole (as {@code sh -c ':
   * MARKER'}), the marker was also in the argv and command line of the {@code ip} exec that wraps
   * the shell, so finding it showed only that the wrapper was recorded, not the exec after it.
   */
  private static void runMarkedExec(Netns ns, String marker) throws Exception {
    int cut = marker.length() / 2;
    check(
        Duration.ofSeconds(30),
        concat(
            ns.prefix(),
            "/bin/sh",
            "-c",
            "exec /bin/true \"$0$1\"",
            marker.substring(0, cut),
            marker.substring(cut)));
  }

  /** Stored execs with {@code marker} as a whole argument (the wrappers hold only its halves). */
  private static List<ProcessExec> execsWithExactArg(StoreProbe store, String marker) {
    return store.execs(x -> x.getArgsList().contains(marker));
  }

  /** Runs a command in the namespace and waits until the collector stored its exec. */
  private static void awaitExecStored(Netns ns, StoreProbe store, String what, VigilProcess agent)
      throws Exception {
    String marker = "vigil-test-pkg-" + what + "-" + UUID.randomUUID();
    Poll.until(
        LONG,
        () -> "the exec of " + marker + " was not stored: " + tail(agent),
        () -> {
          try {
            runMarkedExec(ns, marker);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
          return !execsWithExactArg(store, marker).isEmpty();
        });
  }

  /**
   * With exactly the unit's capability set, the agent's file and network sensors run without
   * degradation, and so does the process sensor's audit feed. The process sensor as a whole is
   * reported degraded in the test's namespace for a reason that is not a capability: the kernel's
   * proc connector exists in the initial network namespace only, so its subscription ({@code
   * send(LISTEN)}) is refused there; the check accepts exactly that reason, with audit working.
   */
  private static void assertSensorsNotDegraded(StoreProbe store, VigilProcess agent)
      throws Exception {
    AgentStatus[] last = new AgentStatus[1];
    Poll.until(
        LONG,
        () ->
            "no status with the sensors running and not degraded: "
                + (last[0] == null ? "none" : fullSensors(last[0]))
                + tail(agent),
        () -> {
          Optional<AgentStatus> s = store.latestAgentStatus();
          s.ifPresent(x -> last[0] = x);
          return s.isPresent() && sensorsFine(s.get());
        });
  }

  private static boolean sensorsFine(AgentStatus s) {
    for (String n : List.of("file", "network")) {
      if (SensorRun.sensor(s, n).map(SensorState::getDegraded).orElse(true)) {
        return false;
      }
    }
    Optional<SensorState> p = SensorRun.sensor(s, "process");
    return p.isPresent()
        && p.get().getSource().contains("audit (daemon)")
        && (!p.get().getDegraded() || p.get().getReason().startsWith("send(LISTEN) failed"));
  }

  private static String fullSensors(AgentStatus s) {
    StringBuilder b = new StringBuilder();
    for (SensorState st : s.getSensorsList()) {
      b.append("\n  ")
          .append(st.getName())
          .append(": source=")
          .append(st.getSource())
          .append(" degraded=")
          .append(st.getDegraded())
          .append(" reason=")
          .append(st.getReason());
    }
    return b.toString();
  }

  /**
   * The process sensor with exactly the unit's capabilities where the proc connector exists: the
   * installed agent unit runs in the initial network namespace until its first status is in the
   * spool, then stops; run again in the test's namespace, it ships that status, whose process, file
   * and network sensors must not be degraded. Nothing is isolated meanwhile (the agent re-applies a
   * persisted isolation at start, so none may be persisted), and it reaches no collector: the
   * enrolled address, 127.0.0.1:AGENT_PORT, is the test's collector only inside the namespace.
   *
   * @return the agent running again in the namespace
   */
  private static VigilProcess statusFromInitialNamespace(
      Netns ns, StoreProbe store, VigilProcess inNamespace) throws Exception {
    assertEquals(143, inNamespace.stop(), inNamespace.logText());
    Path containment = AGENT_STATE.resolve("containment.state");
    if (Files.exists(containment)) {
      String c = Files.readString(containment);
      assertFalse(
          c.contains("isolated=true"), "an isolation would be re-applied to the host: " + c);
    }
    String listening =
        run(Duration.ofSeconds(30), "ss", "-Htln", "sport = :" + AGENT_PORT).output();
    stage(
        "initial namespace, on the enrolled collector port "
            + AGENT_PORT
            + ": "
            + (listening.isBlank() ? "nothing listens" : listening.strip()));
    // The packaged metrics address (127.0.0.1:9464) may be taken in the initial namespace: the
    // unit's EnvironmentFile moves it to a free port, which also lets the test watch the spool.
    byte[] defaults = Files.readAllBytes(AGENT_DEFAULTS);
    int metricsPort = Ports.free();
    VigilProcess host;
    try {
      Files.writeString(
          AGENT_DEFAULTS,
          new String(defaults, StandardCharsets.UTF_8)
              + "\n# vigil-test-pkg\nVIGIL_AGENT__METRICS__LISTEN=127.0.0.1:"
              + metricsPort
              + "\n");
      ServiceUnit unit = ServiceUnit.read(unitFile("vigil-agent.service"));
      stage("agent-initial-netns: " + String.join(" ", UnitRunner.command(unit, Optional.empty())));
      host =
          UnitRunner.start(
              "agent-initial-netns",
              unit,
              Optional.empty(),
              dir.resolve("agent-initial-netns.log"));
      services.add(host);
    } finally {
      Files.write(AGENT_DEFAULTS, defaults);
    }
    // The first status is emitted before the metrics endpoint starts; once the spool has taken
    // every event produced by then (or dropped it), the status is on disk.
    double[] produced = {-1};
    Poll.until(
        LONG,
        () -> "the first status was not spooled: " + tail(host),
        () -> {
          if (!host.isAlive()) {
            throw new AssertionError("the agent exited: " + tail(host));
          }
          if (produced[0] < 0) {
            produced[0] = metric(metricsPort, "vigil_agent_events_produced_total").orElse(-1);
            return false;
          }
          return metric(metricsPort, "vigil_agent_events_spooled_total").orElse(0)
                  + metric(metricsPort, "vigil_agent_events_dropped_total").orElse(0)
              >= produced[0];
        });
    assertEquals(
        0.0,
        metric(metricsPort, "vigil_agent_stream_connects_total").orElse(-1),
        "the agent in the initial namespace reached no collector: " + tail(host));
    assertEquals(143, host.stop(), host.logText());
    assertFalse(
        check(Duration.ofSeconds(30), "nft", "list", "tables")
            .lines()
            .anyMatch(l -> l.equals("table inet vigil")),
        "nothing isolated or blocked in the initial namespace");
    stage("agent ran in the initial namespace: " + sensorLines(host.logText()));

    VigilProcess again =
        startService("agent-again", ServiceUnit.read(unitFile("vigil-agent.service")));
    AgentStatus[] seen = new AgentStatus[1];
    Poll.until(
        LONG,
        () ->
            "no status with the process, file and network sensors not degraded: "
                + (seen[0] == null ? "none" : fullSensors(seen[0]))
                + tail(host)
                + tail(again),
        () -> {
          for (AgentStatus s : store.agentStatuses()) {
            seen[0] = s;
            if (processSensorFull(s)) {
              return true;
            }
          }
          return false;
        });
    stage("status from the initial namespace stored:" + fullSensors(seen[0]));
    awaitExecStored(ns, store, "again", again);
    return again;
  }

  private static boolean processSensorFull(AgentStatus s) {
    for (String n : List.of("process", "file", "network")) {
      if (SensorRun.sensor(s, n).map(SensorState::getDegraded).orElse(true)) {
        return false;
      }
    }
    String source = SensorRun.sensor(s, "process").orElseThrow().getSource();
    return source.contains("proc connector") && source.contains("audit");
  }

  private static OptionalDouble metric(int port, String name) {
    try {
      return MetricsScrape.value("127.0.0.1", port, name);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The agent's "sensor NAME started" log lines. */
  private static String sensorLines(String log) {
    StringBuilder b = new StringBuilder();
    log.lines()
        .filter(l -> l.contains("sensor ") && l.contains(" started"))
        .forEach(l -> b.append("\n  ").append(l.strip()));
    return b.toString();
  }

  /**
   * Whether a file of the agent's spool holds an exec event with {@code marker} as a whole argument
   * (see {@link #runMarkedExec}): an event's protobuf bytes carry its strings as written. The
   * needle is the argument's encoding as {@code ProcessExec.args} (field 3, length-delimited: tag
   * 0x1a, then the length), so that the exit event of the marked process, whose command line also
   * holds the marker but after {@code "/bin/true "}, does not count. The spool is Chronicle Queue's
   * memory-mapped files, read as they are.
   */
  private static boolean spoolHolds(String marker) {
    byte[] text = marker.getBytes(StandardCharsets.UTF_8);
    if (text.length > 127) {
      throw new IllegalArgumentException("a marker this long needs a multi-byte length: " + marker);
    }
    byte[] needle = new byte[text.length + 2];
    needle[0] = 0x1a; // field 3, wire type 2
    needle[1] = (byte) text.length;
    System.arraycopy(text, 0, needle, 2, text.length);
    try (Stream<Path> files = Files.list(AGENT_STATE.resolve("spool"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".cq4")).toList()) {
        if (contains(f, needle)) {
          return true;
        }
      }
      return false;
    } catch (IOException e) {
      return false; // the spool not created yet, or a file rolled away while listed
    }
  }

  private static boolean contains(Path file, byte[] needle) throws IOException {
    byte[] buf = new byte[1 << 20];
    int kept = 0;
    try (var in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buf, kept, buf.length - kept)) > 0) {
        int end = kept + n;
        for (int i = 0; i + needle.length <= end; i++) {
          if (buf[i] == needle[0]
              && Arrays.equals(buf, i, i + needle.length, needle, 0, needle.length)) {
            return true;
          }
        }
        // Keep the tail that could start a match across the chunk boundary.
        kept = Math.min(needle.length - 1, end);
        System.arraycopy(buf, end - kept, buf, 0, kept);
      }
    }
    return false;
  }

  // --- packages ------------------------------------------------------------------------------

  /** The one {@code PREFIX*.deb} in a directory the test was given; fails when missing. */
  private static Path givenDeb(Path directory, String prefix) throws IOException {
    List<Path> found;
    try (Stream<Path> s = Files.list(directory)) {
      found =
          s.filter(
                  p ->
                      p.getFileName().toString().startsWith(prefix)
                          && p.getFileName().toString().endsWith(".deb"))
              .toList();
    }
    assertEquals(1, found.size(), "one " + prefix + "*.deb in -Dvigil.previousDebs=" + directory);
    return found.get(0);
  }

  private static String debVersion(Path deb) throws Exception {
    return check(Duration.ofSeconds(30), "dpkg-deb", "-f", deb.toString(), "Version").strip();
  }

  /** A copy of {@code deb} with another version in its control file (the "previous" release). */
  private static Path relabel(Path deb, String version) throws Exception {
    Path tree = dir.resolve("relabel-" + deb.getFileName());
    check(LONG, "dpkg-deb", "-R", deb.toString(), tree.toString());
    Path control = tree.resolve("DEBIAN/control");
    String text = Files.readString(control);
    Files.writeString(control, text.replaceFirst("(?m)^Version: .*$", "Version: " + version));
    Path out =
        dir.resolve(deb.getFileName().toString().replaceFirst("_[^_]+_", "_" + version + "_"));
    check(LONG, "dpkg-deb", "-Zgzip", "-z1", "-b", tree.toString(), out.toString());
    return out;
  }

  /** The installed unit file (the package puts it in /lib or /usr/lib systemd/system). */
  private static Path unitFile(String name) {
    for (String d : List.of("/usr/lib/systemd/system", "/lib/systemd/system")) {
      Path p = Path.of(d, name);
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    throw new AssertionError(name + " is not installed in a systemd unit directory");
  }

  /** The installed version of {@code pkg}; empty when not installed (or only config left). */
  private static String installedVersion(String pkg) throws Exception {
    Result r = run(Duration.ofSeconds(30), "dpkg-query", "-W", "-f=${Status}|${Version}", pkg);
    if (!r.ok() || !r.output().startsWith("install ok installed|")) {
      return "";
    }
    return r.output().substring("install ok installed|".length()).strip();
  }

  private static String ownerAndMode(Path p) throws Exception {
    return check(Duration.ofSeconds(30), "stat", "-c", "%U:%G %A", p.toString())
        .strip()
        .replaceFirst(" d", " ");
  }

  /**
   * Removes what a killed earlier run left: the namespace and, when the marker says this test
   * installed them, the packages, their state and the user it created. Packages installed without
   * the marker are a real install: fail in CI, skip elsewhere.
   */
  private static void removeLeftovers() throws Exception {
    boolean installed =
        !installedOrConfigured("vigil-agent").isEmpty()
            || !installedOrConfigured("vigil-collector").isEmpty();
    if (installed && !Files.exists(MARKER)) {
      String why =
          "vigil-agent or vigil-collector is installed on this machine and was not installed by"
              + " this test (no "
              + MARKER
              + "): a real Vigil install, which this test would destroy";
      if ("true".equals(System.getenv("CI"))) {
        throw new AssertionError(why);
      }
      Assumptions.abort(why);
    }
    if (Files.exists(MARKER)) {
      purgeOurPackages();
    }
    run(Duration.ofSeconds(30), "ip", "netns", "del", NS);
    run(Duration.ofSeconds(30), "ip", "link", "del", HOST_IFACE);
  }

  /** Purges what this test installed (the marker says so), and the user it created. */
  private static void purgeOurPackages() throws Exception {
    killServices();
    // The agent's prerm releases an isolation left in the namespace; run it there.
    if (Files.isDirectory(Path.of("/run/netns", NS))) {
      run(LONG, "ip", "netns", "exec", NS, "dpkg", "--purge", "vigil-agent");
    }
    run(LONG, "dpkg", "--purge", "vigil-agent", "vigil-collector");
    run(Duration.ofSeconds(30), "rm", "-rf", AGENT_STATE.toString(), COLLECTOR_STATE.toString());
    String marker = Files.readString(MARKER);
    if (marker.contains("created_user=true")) {
      run(Duration.ofSeconds(30), "userdel", "vigil");
      run(Duration.ofSeconds(30), "groupdel", "vigil");
    }
    Files.delete(MARKER);
  }

  /** Services of an earlier run of this test still running from the packaged files. */
  private static void killServices() throws Exception {
    for (ProcessHandle p : ProcessHandle.allProcesses().toList()) {
      String cmd = p.info().commandLine().orElse("");
      // The launcher runs -jar /usr/lib/vigil/PACKAGE/bin/../lib/NAME.jar.
      if (cmd.contains("/usr/lib/vigil/agent/") && cmd.contains("vigil-agent.jar")
          || cmd.contains("/usr/lib/vigil/collector/") && cmd.contains("vigil-collector.jar")) {
        p.destroy();
        try {
          p.onExit().get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          p.destroyForcibly();
        }
      }
    }
  }

  private static String installedOrConfigured(String pkg) throws Exception {
    Result r = run(Duration.ofSeconds(30), "dpkg-query", "-W", "-f=${db:Status-Abbrev}", pkg);
    return r.ok() && !r.output().startsWith("un") ? r.output().strip() : "";
  }

  private static boolean pings(Netns ns) {
    try {
      return ns.pings(HOST_ADDRESS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String tail(VigilProcess p) {
    String s = p.logText();
    return "\n" + p + " log:\n" + (s.length() > 3000 ? s.substring(s.length() - 3000) : s);
  }

  // --- commands ------------------------------------------------------------------------------

  /** A command's exit code and its output (stdout and stderr). */
  record Result(int exitCode, String output) {
    boolean ok() {
      return exitCode == 0;
    }
  }

  static List<String> concat(List<String> prefix, String... rest) {
    List<String> all = new ArrayList<>(prefix);
    all.addAll(List.of(rest));
    return all;
  }

  static Result run(Duration timeout, String... argv) throws Exception {
    return run(timeout, List.of(argv));
  }

  /** Runs {@code argv} with stdin closed; its output goes to a file (no pipe to fill). */
  static Result run(Duration timeout, List<String> argv) throws Exception {
    Path out = Files.createTempFile(dir, "cmd", ".log");
    Process p =
        new ProcessBuilder(argv)
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .start();
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(
          String.join(" ", argv)
              + " did not finish within "
              + timeout
              + ":\n"
              + Files.readString(out));
    }
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
  }

  static String check(Duration timeout, String... argv) throws Exception {
    return check(timeout, List.of(argv));
  }

  static String check(Duration timeout, List<String> argv) throws Exception {
    Result r = run(timeout, argv);
    if (!r.ok()) {
      throw new AssertionError(
          String.join(" ", argv) + " failed (exit " + r.exitCode() + "):\n" + r.output());
    }
    return r.output();
  }
}
