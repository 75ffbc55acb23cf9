package io.vigil.agent.sensor.network;

import io.vigil.agent.platform.linux.SockDiagSocket;
import io.vigil.agent.sensor.ProcessDirectory;
import io.vigil.agent.sensor.process.procfs.BootTime;
import io.vigil.agent.sensor.process.procfs.ProcReader;
import io.vigil.common.proc.ProcessSelfStats;
import io.vigil.proto.v1.NetworkConnection;
import io.vigil.proto.v1.ProcessRef;
import io.vigil.proto.v1.Transport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Every listening socket and connection of the host now, each with its process, as the {@code
 * NetworkConnection}s the sensor's sock_diag snapshots emit (same directions, addresses and process
 * references), but all of them, not only those not reported before: for an on-demand snapshot.
 * Opens its own sock_diag socket per listing, so it needs nothing from a running network sensor.
 *
 * <p>Thread-safe (each listing has its own socket and state). Blocks for the dumps and the {@code
 * /proc/PID/fd} scan (milliseconds to tens of milliseconds).
 */
public final class OpenSockets {
  private static final int MAX_PROCESSES = 65_536;
  private static final int MAX_FDS_PER_PROCESS = 65_536;

  /** Owner references remembered within one listing (a server with many connections). */
  private static final int OWNER_CACHE = 4096;

  private final Path procRoot;
  private final ProcessRefs refs;

  /**
   * Reads the real host.
   *
   * @param directory the process sensor's table, or one that knows nothing
   */
  public OpenSockets(ProcessDirectory directory) {
    this(directory, Path.of("/proc"));
  }

  OpenSockets(ProcessDirectory directory, Path procRoot) {
    this.procRoot = procRoot;
    BootTime boot;
    try {
      boot = BootTime.read(procRoot, ProcessSelfStats.clockTicks());
    } catch (IOException | RuntimeException e) {
      boot = null; // owners then carry no entity id, as in the sensor
    }
    this.refs =
        new ProcessRefs(
            directory, new ProcReader(procRoot, ProcReader.DEFAULT_MAX_ARGV_BYTES), boot);
  }

  /**
   * What one listing found.
   *
   * @param connections connections and listening sockets handed over
   * @param truncated more sockets than {@code max}, or a dump hit its limit
   * @param problem why the listing is incomplete ({@code ""} when it is not): a failed or
   *     interrupted dump, an owner scan that hit its limits
   */
  public record Listing(int connections, boolean truncated, String problem) {}

  /**
   * Lists the sockets and hands each to {@code out}.
   *
   * @param source the events' {@code NetworkConnection.source}, e.g. {@code "snapshot"}
   * @param max connections handed over at most
   */
  public Listing list(String source, int max, Consumer<NetworkConnection> out) {
    SocketSnapshot snap;
    try (SockDiagSocket socket = SockDiagSocket.open()) {
      snap = SocketSnapshot.take(socket, new InetDiagParser(), Math.max(1, max));
    } catch (IOException e) {
      snap = new SocketSnapshot(List.of(), false, "sock_diag: " + e.getMessage());
    }
    SocketOwners.Scan scan =
        new SocketOwners(procRoot, MAX_PROCESSES, MAX_FDS_PER_PROCESS, Math.max(1, 4 * max)).scan();
    Set<Integer> tcpListenPorts = new HashSet<>();
    List<SocketEntry> reportable = new ArrayList<>();
    for (SocketEntry e : snap.sockets()) {
      if (e.listening()) {
        reportable.add(e);
        if (e.transport() == Transport.TRANSPORT_TCP) {
          tcpListenPorts.add(e.localPort());
        }
      } else if (e.connection()) {
        reportable.add(e);
      }
    }
    Map<Integer, ProcessRef> owners = new HashMap<>();
    int count = 0;
    boolean truncated = snap.problem().contains("truncated");
    for (SocketEntry e : reportable) {
      if (count == max) {
        truncated = true;
        break;
      }
      Integer pid = scan.owners().get(e.inode());
      ProcessRef p;
      if (pid == null) {
        p = ProcessRefs.unknown(e.uid());
      } else {
        p = owners.get(pid);
        if (p == null) {
          p = refs.of(pid, e.uid());
          if (owners.size() < OWNER_CACHE) {
            owners.put(pid, p);
          }
        }
      }
      out.accept(
          NetworkSensor.connection(e, tcpListenPorts, p).toBuilder().setSource(source).build());
      count++;
    }
    List<String> problems = new ArrayList<>();
    if (!snap.problem().isEmpty()) {
      problems.add(snap.problem());
    }
    if (scan.truncated()) {
      problems.add("socket owner scan hit its limits: some sockets have no process");
    }
    if (scan.unreadable() > 0) {
      problems.add(scan.unreadable() + " processes' descriptors unreadable (needs root)");
    }
    return new Listing(count, truncated, String.join("; ", problems));
  }
}
