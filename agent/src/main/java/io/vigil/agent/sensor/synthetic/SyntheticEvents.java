package io.vigil.agent.sensor.synthetic;

import io.vigil.proto.v1.DnsEvent;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.EventKind;
import io.vigil.proto.v1.FileEvent;
import io.vigil.proto.v1.NetworkConnection;
import io.vigil.proto.v1.ProcessExec;
import io.vigil.proto.v1.ProcessExit;
import io.vigil.proto.v1.ProcessRef;
import io.vigil.proto.v1.Transport;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Builds numbered synthetic events and reads their number back. Event {@code n} carries the token
 * {@code vigil-synthetic-<n>} in its kind's main text field, so end-to-end checks can count
 * payloads. Thread-safe (stateless).
 */
public final class SyntheticEvents {
  /** Prefix of the number token. */
  public static final String TOKEN = "vigil-synthetic-";

  /** Kinds the generator can produce. */
  public static final Set<EventKind> KINDS =
      Set.of(
          EventKind.EVENT_KIND_PROCESS_EXEC,
          EventKind.EVENT_KIND_PROCESS_EXIT,
          EventKind.EVENT_KIND_CONNECTION,
          EventKind.EVENT_KIND_FILE,
          EventKind.EVENT_KIND_DNS);

  static final String SENSOR = "synthetic";
  private static final int MAX_DIGITS = 19;

  private SyntheticEvents() {}

  /** The random source of event {@code n}: the same for a number whatever the start point. */
  static SplittableRandom randomFor(long seed, long n) {
    return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + n);
  }

  /** Event number {@code n} of kind {@code kind}, stamped {@code nowNs}. */
  public static Event.Builder create(long n, EventKind kind, SplittableRandom random, long nowNs) {
    SyntheticContent c = new SyntheticContent(random);
    String token = TOKEN + n;
    Event.Builder event = Event.newBuilder().setEventTimeNs(nowNs).setSensor(SENSOR);
    switch (kind) {
      case EVENT_KIND_PROCESS_EXEC:
        return event.setProcessExec(exec(c, token, nowNs));
      case EVENT_KIND_PROCESS_EXIT:
        return event.setProcessExit(exit(c, token, nowNs));
      case EVENT_KIND_CONNECTION:
        return event.setConnection(connection(c, token, nowNs));
      case EVENT_KIND_FILE:
        return event.setFile(file(c, token, nowNs));
      case EVENT_KIND_DNS:
        return event.setDns(dns(c, token, nowNs));
      default:
        throw new IllegalArgumentException("synthetic events of kind " + kind + " are not made");
    }
  }

  private static ProcessExec exec(SyntheticContent c, String token, long nowNs) {
    List<String> argv = c.argv(token);
    String cmd = String.join(" ", argv);
    return ProcessExec.newBuilder()
        .setProcess(c.process(argv.get(0), cmd, nowNs))
        .setParent(c.parent(nowNs))
        .addAllArgs(argv)
        .setCwd(c.random.nextBoolean() ? c.homeDir() : "/var/lib/" + c.app)
        .setEuid(c.uid())
        .setGid(c.uid())
        .setEgid(c.uid())
        .setAuid(c.random.nextBoolean() ? -1 : 1000) // -1 is 4294967295: no login (a service)
        .setSessionId(1 + c.random.nextInt(5000))
        .setTty(c.random.nextBoolean() ? "pts/" + c.random.nextInt(8) : "")
        .setMd5(c.hex(32))
        .setSha1(c.hex(40))
        .setSha256(c.hex(64))
        .setSource(SENSOR)
        .build();
  }

  private static ProcessRef tokenProcess(SyntheticContent c, String token, long nowNs) {
    List<String> argv = c.argv(token);
    return c.process(argv.get(0), String.join(" ", argv), nowNs);
  }

  private static ProcessExit exit(SyntheticContent c, String token, long nowNs) {
    int signal = c.random.nextInt(10) == 0 ? 9 : 0;
    return ProcessExit.newBuilder()
        .setProcess(tokenProcess(c, token, nowNs))
        .setExitCode(signal == 0 ? c.random.nextInt(3) : 0)
        .setExitSignal(signal)
        .setDurationNs(c.random.nextLong(1_000_000L, 600_000_000_000L))
        .build();
  }

  private static NetworkConnection connection(SyntheticContent c, String token, long nowNs) {
    boolean v6 = c.random.nextInt(4) == 0;
    boolean outbound = c.random.nextBoolean();
    int[] servicePorts = {22, 53, 80, 443, 5432, 6379, 8080};
    int servicePort = servicePorts[c.random.nextInt(servicePorts.length)];
    return NetworkConnection.newBuilder()
        .setDirection(
            outbound
                ? NetworkConnection.Direction.DIRECTION_OUTBOUND
                : NetworkConnection.Direction.DIRECTION_INBOUND)
        .setTransport(servicePort == 53 ? Transport.TRANSPORT_UDP : Transport.TRANSPORT_TCP)
        .setSourceIp(v6 ? c.ipv6() : c.ipv4())
        .setSourcePort(outbound ? c.ephemeralPort() : servicePort)
        .setDestinationIp(v6 ? c.ipv6() : c.ipv4())
        .setDestinationPort(outbound ? servicePort : c.ephemeralPort())
        .setProcess(tokenProcess(c, token, nowNs))
        .setSource(SENSOR)
        .build();
  }

  private static FileEvent file(SyntheticContent c, String token, long nowNs) {
    String[] dirs = {
      "/etc/" + c.app + "/", "/var/log/" + c.app + "/", c.homeDir() + "/.cache/" + c.app + "/"
    };
    String[] suffixes = {".conf", ".log", ".tmp"};
    int where = c.random.nextInt(dirs.length);
    FileEvent.Action[] actions = {
      FileEvent.Action.ACTION_CREATE, FileEvent.Action.ACTION_MODIFY,
      FileEvent.Action.ACTION_DELETE, FileEvent.Action.ACTION_ATTRIBUTE
    };
    return FileEvent.newBuilder()
        .setAction(actions[c.random.nextInt(actions.length)])
        .setPath(dirs[where] + token + suffixes[where])
        .setProcess(c.parent(nowNs))
        .setMode(0644)
        .setOwnerUid(c.uid())
        .setSize(c.random.nextInt(1 << 20))
        .setSha256(c.hex(64))
        .build();
  }

  private static DnsEvent dns(SyntheticContent c, String token, long nowNs) {
    boolean aaaa = c.random.nextInt(3) == 0;
    return DnsEvent.newBuilder()
        .setQueryName(token + ".example.internal")
        .setQueryType(aaaa ? "AAAA" : "A")
        .setResponseCode("NOERROR")
        .addAnswers(aaaa ? c.ipv6() : c.ipv4())
        .setClientIp(c.ipv4())
        .setServerIp("10.0.0.2")
        .setProcess(c.parent(nowNs))
        .build();
  }

  /** The synthetic number carried by {@code event}, if it is a synthetic event. */
  public static OptionalLong numberOf(Event event) {
    switch (event.getPayloadCase()) {
      case PROCESS_EXEC:
        List<String> args = event.getProcessExec().getArgsList();
        return args.isEmpty() ? OptionalLong.empty() : parse(args.get(args.size() - 1));
      case PROCESS_EXIT:
        return parse(event.getProcessExit().getProcess().getCommandLine());
      case CONNECTION:
        return parse(event.getConnection().getProcess().getCommandLine());
      case FILE:
        return parse(event.getFile().getPath());
      case DNS:
        return parse(event.getDns().getQueryName());
      default:
        return OptionalLong.empty();
    }
  }

  private static OptionalLong parse(String text) {
    int at = text.lastIndexOf(TOKEN);
    if (at < 0) {
      return OptionalLong.empty();
    }
    int start = at + TOKEN.length();
    int end = start;
    while (end < text.length() && end - start < MAX_DIGITS && isAsciiDigit(text.charAt(end))) {
      end++;
    }
    if (end == start) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(text, start, end, 10));
    } catch (NumberFormatException e) {
      return OptionalLong.empty(); // 19 digits beyond Long.MAX_VALUE: not one of ours
    }
  }

  private static boolean isAsciiDigit(char ch) {
    return ch >= '0' && ch <= '9';
  }
}
