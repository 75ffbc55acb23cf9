package io.vigil.agent.sensor.synthetic;

import io.vigil.proto.v1.ProcessRef;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Plausible pieces of server telemetry (binaries with arguments, users, addresses, hashes), drawn
 * from one event's random source. Not thread-safe: one instance per event.
 */
final class SyntheticContent {
  private static final String[] APPS = {"billing", "orders", "search", "auth", "reports", "media"};
  private static final String[] USERS = {"root", "www-data", "deploy", "postgres", "ubuntu"};
  private static final int[] UIDS = {0, 33, 1001, 110, 1000};
  private static final String[] UNITS = {"nginx", "postgresql", "redis-server", "cron", "docker"};
  private static final String[] HOSTS = {"api.github.com", "pypi.org", "s3.amazonaws.com"};
  private static final String[] PARENTS = {
    "/usr/bin/bash", "/usr/lib/systemd/systemd", "/usr/sbin/sshd", "/usr/sbin/cron"
  };
  private static final char[] HEX = "0123456789abcdef".toCharArray();
  static final int MIN_COMMAND_LINE = 100;
  static final int MAX_COMMAND_LINE = 300;

  final SplittableRandom random;
  final int user;
  final String app;

  SyntheticContent(SplittableRandom random) {
    this.random = random;
    this.user = random.nextInt(USERS.length);
    this.app = pick(APPS);
  }

  String pick(String[] options) {
    return options[random.nextInt(options.length)];
  }

  String hex(int length) {
    char[] out = new char[length];
    for (int i = 0; i < length; i++) {
      out[i] = HEX[random.nextInt(16)];
    }
    return new String(out);
  }

  String userName() {
    return USERS[user];
  }

  int uid() {
    return UIDS[user];
  }

  String homeDir() {
    return user == 0 ? "/root" : "/home/" + USERS[user];
  }

  String ipv4() {
    return "10."
        + random.nextInt(256)
        + "."
        + random.nextInt(256)
        + "."
        + (1 + random.nextInt(254));
  }

  String ipv6() {
    return "2001:db8:" + Integer.toHexString(random.nextInt(0x10000)) + "::" + hex(4);
  }

  int ephemeralPort() {
    return 32768 + random.nextInt(28232);
  }

  /** A realistic argv ending with {@code token}, whose command line is 100-300 characters. */
  List<String> argv(String token) {
    List<String> args = new ArrayList<>(List.of(template()));
    String[] extras = {
      "--verbose", "--retry=3", "--timeout=30", "--log-level=info", "--color=never"
    };
    while (commandLineLength(args, token) < MIN_COMMAND_LINE) {
      args.add(pick(extras));
    }
    while (commandLineLength(args, token) > MAX_COMMAND_LINE && args.size() > 1) {
      args.remove(args.size() - 1);
    }
    args.add(token);
    return args;
  }

  /** Length of {@code String.join(" ", args) + " " + token}, without building it. */
  private static int commandLineLength(List<String> args, String token) {
    int length = args.size() + token.length(); // a space after each arg
    for (String a : args) {
      length += a.length();
    }
    return length;
  }

  private String[] template() {
    switch (random.nextInt(7)) {
      case 0:
        return new String[] {
          "/usr/bin/curl",
          "-sS",
          "-L",
          "--max-time",
          "30",
          "-H",
          "Accept: application/json",
          "https://" + pick(HOSTS) + "/v2/" + app + "/items?id=" + hex(12),
          "-o",
          "/tmp/" + hex(8) + ".json"
        };
      case 1:
        return new String[] {
          "/usr/bin/python3",
          "/opt/" + app + "/bin/worker.py",
          "--config",
          "/etc/" + app + "/worker.yaml",
          "--queue",
          app + "-jobs",
          "--concurrency",
          Integer.toString(1 + random.nextInt(16))
        };
      case 2:
        return new String[] {
          "/usr/bin/bash",
          "-c",
          "cd /var/www/" + app + " && git pull --ff-only origin main && systemctl reload nginx"
        };
      case 3:
        return new String[] {
          "/usr/bin/java",
          "-Xmx" + (1 + random.nextInt(8)) + "g",
          "-XX:+UseG1GC",
          "-Dspring.profiles.active=prod",
          "-jar",
          "/opt/" + app + "/" + app + "-1.4.2.jar",
          "--server.port=" + (8000 + random.nextInt(100))
        };
      case 4:
        return new String[] {
          "/usr/bin/systemctl", "restart", pick(UNITS) + ".service", "--no-block"
        };
      case 5:
        return new String[] {
          "/usr/bin/ssh",
          "-o",
          "BatchMode=yes",
          "-i",
          homeDir() + "/.ssh/id_ed25519",
          "deploy@" + ipv4(),
          "uptime"
        };
      default:
        return new String[] {
          "/usr/bin/tar",
          "-czf",
          "/var/backups/" + app + "-" + hex(6) + ".tar.gz",
          "-C",
          "/var/lib/" + app,
          "data"
        };
    }
  }

  ProcessRef process(String image, String commandLine, long nowNs) {
    return ProcessRef.newBuilder()
        .setEntityId(hex(32))
        .setPid(1000 + random.nextInt(4_000_000))
        .setImage(image)
        .setCommandLine(commandLine)
        .setUid(uid())
        .setUser(userName())
        .setStartTimeNs(nowNs - random.nextInt(1_000_000_000))
        .build();
  }

  ProcessRef parent(long nowNs) {
    String image = pick(PARENTS);
    String cmd = image.endsWith("sshd") ? image + ": " + userName() + "@pts/0" : image;
    return ProcessRef.newBuilder()
        .setEntityId(hex(32))
        .setPid(1 + random.nextInt(100_000))
        .setImage(image)
        .setCommandLine(cmd)
        .setUid(image.endsWith("bash") ? uid() : 0)
        .setUser(image.endsWith("bash") ? userName() : "root")
        .setStartTimeNs(nowNs - 3_600_000_000_000L - random.nextInt(1_000_000_000))
        .build();
  }
}
