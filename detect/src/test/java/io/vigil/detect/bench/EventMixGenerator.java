package io.vigil.detect.bench;

import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.FileEvent;
import io.vigil.proto.v1.NetworkConnection;
import io.vigil.proto.v1.NetworkConnection.Direction;
import io.vigil.proto.v1.ProcessExec;
import io.vigil.proto.v1.ProcessRef;
import io.vigil.proto.v1.Transport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Makes the benchmark's event mix: exactly 60 % process execs, 30 % connections, 10 % file events,
 * in a shuffled order, as an application server's sensors would report them, with a few per cent of
 * suspicious activity. Deterministic: {@code java.util.Random}'s algorithm is fixed by its
 * specification, so one seed gives the same mix on every JVM.
 *
 * <p>{@code EventMixGenerator OUT [COUNT] [SEED]} writes the mix (see {@link EventMix}); {@code
 * bench/detect/run.sh generate} calls it with the defaults.
 */
public final class EventMixGenerator {
  static final int DEFAULT_COUNT = 3000;
  static final long DEFAULT_SEED = 20261128L;

  /** 2026-11-28T03:00:00Z: when the mix "happened". */
  private static final long START_NS = 1_795_834_800_000_000_000L;

  private static final String[] USERS = {"root", "root", "deploy", "orders", "postgres", "alice"};

  /** A Python interpreter an intruder dropped into a hidden directory. */
  private static final String PY_TMP = "/tmp/.X11-unix/python3";

  private static final String[] CWDS = {
    "/", "/root", "/home/alice", "/srv/orders/current", "/var/lib/postgresql", "/home/deploy"
  };

  private final Random r;
  private final ServerCommands commands = new ServerCommands();
  private int nextPid = 20_000;

  private EventMixGenerator(long seed) {
    this.r = new Random(seed);
  }

  public static void main(String[] args) throws IOException {
    if (args.length < 1 || args.length > 3) {
      System.err.println("usage: EventMixGenerator OUT [COUNT] [SEED]");
      System.exit(2);
    }
    int count = args.length > 1 ? Integer.parseInt(args[1]) : DEFAULT_COUNT;
    long seed = args.length > 2 ? Long.parseLong(args[2]) : DEFAULT_SEED;
    List<Event> mix = generate(count, seed);
    EventMix.write(Path.of(args[0]), mix);
    System.out.println("wrote " + mix.size() + " events (seed " + seed + ") to " + args[0]);
  }

  static List<Event> generate(int count, long seed) {
    return new EventMixGenerator(seed).mix(count);
  }

  private List<Event> mix(int count) {
    int execs = count * 6 / 10;
    int connections = count * 3 / 10;
    List<Integer> kinds = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      kinds.add(i < execs ? 0 : i < execs + connections ? 1 : 2);
    }
    Collections.shuffle(kinds, r);
    List<Event> out = new ArrayList<>(count);
    long t = START_NS;
    for (int i = 0; i < count; i++) {
      t += 1_000_000L + r.nextInt(50_000_000);
      Event.Builder e = Event.newBuilder().setSeq(i + 1).setEventTimeNs(t);
      switch (kinds.get(i)) {
        case 0 -> e.setSensor("process").setProcessExec(exec(t));
        case 1 -> e.setSensor("process").setConnection(connection(t));
        default -> e.setSensor("file").setFile(file(t));
      }
      out.add(e.build());
    }
    return out;
  }

  private ProcessRef proc(String image, String commandLine, String user, long start) {
    return ProcessRef.newBuilder()
        .setEntityId(Gen.hex(r, 32))
        .setPid(nextPid++)
        .setImage(image)
        .setCommandLine(commandLine)
        .setUid(uid(user))
        .setUser(user)
        .setStartTimeNs(start)
        .build();
  }

  /** Who a long-running program runs as; interactive tools as an operator or root. */
  private String serviceUser(String image) {
    if (image.contains("postgres")) {
      return "postgres";
    }
    if (image.contains("nginx")) {
      return "www-data";
    }
    if (image.startsWith("/srv/orders") || image.contains("/jvm/") || image.endsWith("/node")) {
      return "orders";
    }
    if (image.contains("systemd") || image.contains("chronyd") || image.contains("sshd")) {
      return "root";
    }
    return Gen.pick(r, USERS);
  }

  private static int uid(String user) {
    return switch (user) {
      case "root" -> 0;
      case "www-data" -> 33;
      case "postgres" -> 114;
      case "deploy" -> 1001;
      case "orders" -> 998;
      default -> 1000;
    };
  }

  private ProcessRef parent(String user, long t) {
    int which = r.nextInt(10);
    String[] p =
        switch (which) {
          case 0, 1, 2 -> new String[] {"/usr/bin/bash", "-bash"};
          case 3, 4 -> new String[] {"/usr/sbin/cron", "/usr/sbin/CRON -f -P"};
          case 5 -> new String[] {"/usr/lib/systemd/systemd", "/sbin/init"};
          case 6 ->
              new String[] {
                "/usr/bin/containerd-shim-runc-v2",
                "/usr/bin/containerd-shim-runc-v2 -namespace moby -id " + Gen.hex(r, 64)
              };
          case 7 -> new String[] {"/usr/bin/make", "make -j4 all"};
          case 8 ->
              new String[] {
                "/srv/orders/venv/bin/python3",
                "/srv/orders/venv/bin/python3 /srv/orders/venv/bin/celery -A orders worker -l info"
              };
          default -> new String[] {"/usr/bin/sudo", "sudo -u " + user + " -i"};
        };
    return proc(p[0], p[1], user, t - 1_000_000_000L * (1 + r.nextInt(3600)));
  }

  private ProcessExec exec(long t) {
    ServerCommands.Command c = commands.pick(r);
    // A program run as the web server's user is what a web shell looks like: rare.
    String user = r.nextInt(200) == 0 ? "www-data" : Gen.pick(r, USERS);
    boolean interactive = r.nextInt(5) == 0;
    ProcessExec.Builder b =
        ProcessExec.newBuilder()
            .setProcess(proc(c.image(), String.join(" ", c.args()), user, t))
            .setParent(parent(user, t))
            .addAllArgs(c.args())
            .setCwd(Gen.pick(r, CWDS))
            .setEuid(uid(user))
            .setSuid(uid(user))
            .setFsuid(uid(user))
            .setGid(uid(user))
            .setEgid(uid(user))
            .setAuid(interactive ? 1000 : -1)
            .setSessionId(interactive ? 40 + r.nextInt(20) : -1)
            .setTty(interactive ? "pts/" + r.nextInt(4) : "")
            .setSource("audit")
            .setExeDevice(0x801)
            .setExeInode(100_000 + r.nextInt(900_000));
    if (r.nextBoolean()) {
      b.setSha256(Gen.hex(r, 64));
    }
    return b.build();
  }

  private NetworkConnection connection(long t) {
    int which = r.nextInt(100);
    NetworkConnection.Builder b =
        NetworkConnection.newBuilder().setTransport(Transport.TRANSPORT_TCP).setSource("audit");
    String image;
    if (which < 30) {
      image = "/usr/sbin/nginx";
      inbound(b, Gen.publicIp(r), Gen.pick(r, 443, 443, 80));
    } else if (which < 40) {
      image = "/usr/sbin/sshd";
      inbound(b, Gen.publicIp(r), 22);
    } else if (which < 55) {
      image = "/usr/lib/jvm/java-17-openjdk-amd64/bin/java";
      outbound(b, "10.0.2." + (10 + r.nextInt(6)), Gen.pick(r, 5432, 6379, 9092));
    } else if (which < 68) {
      image = "/srv/orders/venv/bin/python3";
      outbound(b, Gen.pick(r, "10.0.2.11", "10.0.2.15"), Gen.pick(r, 5432, 6379));
    } else if (which < 76) {
      image = "/usr/lib/systemd/systemd-resolved";
      b.setTransport(Transport.TRANSPORT_UDP);
      outbound(b, "10.0.0.2", 53);
    } else if (which < 82) {
      image = "/usr/bin/node";
      outbound(b, Gen.publicIp(r), 443);
    } else if (which < 87) {
      image = "/usr/lib/postgresql/15/bin/postgres";
      inbound(b, Gen.privateIp(r), 5432);
    } else if (which < 90) {
      image = "/usr/sbin/chronyd";
      b.setTransport(Transport.TRANSPORT_UDP);
      outbound(b, "2a01:4f8:" + Integer.toHexString(r.nextInt(0xffff)) + "::123", 123);
    } else if (which < 97) {
      image = Gen.pick(r, "/usr/sbin/nginx", "/usr/lib/postgresql/15/bin/postgres");
      b.setDirection(Direction.DIRECTION_LISTEN)
          .setDestinationIp("0.0.0.0")
          .setDestinationPort(image.endsWith("nginx") ? 443 : 5432);
    } else {
      // A reverse shell calling home: the back-connect and callback-port rules fire.
      image = Gen.pick(r, "/usr/bin/bash", PY_TMP);
      outbound(b, "198.51.100.23", Gen.pick(r, 4444, 2222));
    }
    return b.setProcess(proc(image, image, serviceUser(image), t - 60_000_000_000L)).build();
  }

  private void inbound(NetworkConnection.Builder b, String peer, int localPort) {
    b.setDirection(Direction.DIRECTION_INBOUND)
        .setSourceIp(peer)
        .setSourcePort(1024 + r.nextInt(64_000))
        .setDestinationIp("10.0.1.20")
        .setDestinationPort(localPort);
  }

  private void outbound(NetworkConnection.Builder b, String peer, int port) {
    boolean v6 = peer.indexOf(':') >= 0;
    b.setDirection(Direction.DIRECTION_OUTBOUND)
        .setSourceIp(v6 ? "2a01:4f8:c17:1234::20" : "10.0.1.20")
        .setSourcePort(32_768 + r.nextInt(28_000))
        .setDestinationIp(peer)
        .setDestinationPort(port);
  }

  private FileEvent file(long t) {
    int which = r.nextInt(100);
    FileEvent.Builder b = FileEvent.newBuilder().setMode(0100644).setSize(r.nextInt(1 << 20));
    String image;
    if (which < 30) {
      image = "/srv/orders/venv/bin/python3";
      b.setAction(FileEvent.Action.ACTION_MODIFY).setPath("/var/log/orders/app.log");
    } else if (which < 45) {
      image = "/usr/lib/postgresql/15/bin/postgres";
      b.setAction(FileEvent.Action.ACTION_CREATE)
          .setPath("/var/lib/postgresql/15/main/pg_wal/00000001000000A2000000" + Gen.hex(r, 2));
    } else if (which < 60) {
      image = "/usr/bin/gcc";
      String tmp = "/tmp/cc" + Gen.hex(r, 6) + ".o";
      b.setAction(Gen.pick(r, FileEvent.Action.ACTION_CREATE, FileEvent.Action.ACTION_DELETE))
          .setPath(tmp);
    } else if (which < 70) {
      image = "/usr/sbin/nginx";
      b.setAction(FileEvent.Action.ACTION_CREATE)
          .setPath("/var/cache/nginx/proxy/" + Gen.hex(r, 1) + "/" + Gen.hex(r, 32));
    } else if (which < 80) {
      image = "/usr/bin/cp";
      b.setAction(FileEvent.Action.ACTION_RENAME)
          .setOldPath("/srv/orders/shared/.config.yml." + Gen.hex(r, 6))
          .setPath("/srv/orders/shared/config.yml");
    } else if (which < 88) {
      image = "/usr/bin/dpkg";
      b.setAction(FileEvent.Action.ACTION_CREATE)
          .setPath("/var/lib/dpkg/info/libssl3:amd64." + Gen.pick(r, "list", "md5sums"));
    } else if (which < 96) {
      image = "/usr/bin/vim.basic";
      b.setAction(FileEvent.Action.ACTION_MODIFY).setPath("/etc/nginx/sites-available/orders.conf");
    } else {
      // Persistence: sudoers drop-in, cron job, login script, or a download into /tmp.
      image = Gen.pick(r, "/usr/bin/tee", "/usr/bin/wget");
      b.setAction(FileEvent.Action.ACTION_CREATE)
          .setPath(
              image.endsWith("wget")
                  ? "/tmp/kworker"
                  : Gen.pick(
                      r,
                      "/etc/sudoers.d/90-svc-ops",
                      "/etc/cron.d/sync",
                      "/etc/profile.d/update.sh"));
    }
    if (r.nextInt(10) == 0) {
      return b.build(); // inotify: no process to attribute the change to
    }
    return b.setProcess(proc(image, image, serviceUser(image), t - 5_000_000_000L)).build();
  }
}
