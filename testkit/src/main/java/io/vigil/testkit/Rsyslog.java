package io.vigil.testkit;

import io.vigil.collector.tls.CertificateAuthority;
import io.vigil.collector.tls.PemFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.interfaces.ECPrivateKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.junit.jupiter.api.Assumptions;

/**
 * A private rsyslogd for tests: listens on loopback for syslog over UDP (imudp), TCP (imtcp) and
 * TLS (imtcp with the gtls driver, a server certificate for {@code localhost} and {@code 127.0.0.1}
 * issued by a CA made for the test), and writes every message it receives as one JSON line with the
 * raw message and rsyslog's own parse of it (RFC 5424 fields). It runs in the foreground with its
 * config, work directory and pid file in a directory of the test's, opens no {@code /dev/log} and
 * changes nothing outside that directory. {@link #stop} and {@link #restart} keep the ports. Not
 * thread-safe.
 */
public final class Rsyslog implements AutoCloseable {
  /** Debian's rsyslogd; the rsyslog and rsyslog-gnutls packages (installed by .ci/run). */
  public static final String RSYSLOGD = "/usr/sbin/rsyslogd";

  private final Path dir;
  private final int udpPort;
  private final int tcpPort;
  private final int tlsPort;
  private VigilProcess process;

  /**
   * One message as rsyslog received and parsed it.
   *
   * @param input {@code udp}, {@code tcp} or {@code tls}: the listener it came in on
   * @param raw the message as received (rsyslog's rawmsg, framing removed)
   * @param version the RFC 5424 VERSION rsyslog found ({@code 1}), or {@code 0} for a legacy one
   * @param timestamp TIMESTAMP as rsyslog writes it in RFC 3339
   */
  public record Received(
      String input,
      String raw,
      String version,
      int pri,
      String timestamp,
      String hostname,
      String appName,
      String procId,
      String msgId,
      String structuredData,
      String msg) {}

  private Rsyslog(Path dir, int udpPort, int tcpPort, int tlsPort) {
    this.dir = dir;
    this.udpPort = udpPort;
    this.tcpPort = tcpPort;
    this.tlsPort = tlsPort;
  }

  /**
   * Skips the calling test when rsyslogd is not installed; with {@code CI=true} it fails instead
   * (.ci/run installs it), so CI cannot go green by skipping the syslog tests.
   */
  public static void requireInstalled() {
    if (Files.isExecutable(Path.of(RSYSLOGD))) {
      return;
    }
    if ("true".equals(System.getenv("CI"))) {
      throw new AssertionError(RSYSLOGD + " is missing, and CI=true: .ci/run installs rsyslog");
    }
    Assumptions.assumeTrue(
        false, RSYSLOGD + " is missing (apt-get install rsyslog rsyslog-gnutls)");
  }

  /**
   * Writes the certificates and config into {@code dir} (made if missing), starts rsyslogd and
   * waits until all three listeners are bound.
   */
  public static Rsyslog start(Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir.resolve("work"));
    CertificateAuthority ca =
        CertificateAuthority.create("vigil-test-syslog CA", Duration.ofDays(1));
    CertificateAuthority.Issued server =
        ca.issueServer("localhost", List.of("localhost", "127.0.0.1"), Duration.ofDays(1));
    PemFiles.write(dir.resolve("ca.pem"), CertificateAuthority.pem(ca.certificate()), false);
    PemFiles.write(
        dir.resolve("server.pem"), CertificateAuthority.pem(server.certificate()), false);
    PemFiles.write(dir.resolve("server.key"), gnutlsKey(server), true);
    for (int attempt = 1; ; attempt++) {
      Rsyslog r = new Rsyslog(dir.toAbsolutePath(), freeUdpPort(), Ports.free(), Ports.free());
      Files.writeString(r.dir.resolve("rsyslog.conf"), r.config(), StandardCharsets.UTF_8);
      try {
        r.launch();
        return r;
      } catch (AssertionError e) {
        if (attempt == 3) {
          throw e;
        }
        // Another process may have taken a port between the check and rsyslogd's bind.
      }
    }
  }

  public int udpPort() {
    return udpPort;
  }

  public int tcpPort() {
    return tcpPort;
  }

  public int tlsPort() {
    return tlsPort;
  }

  /** The PEM file of the CA that issued the TLS listener's certificate. */
  public Path caFile() {
    return dir.resolve("ca.pem");
  }

  /** Stops rsyslogd (SIGTERM, waits for its exit); what it received stays in the file. */
  public void stop() throws InterruptedException {
    if (process != null) {
      process.stop();
      process = null;
    }
  }

  /** Starts rsyslogd again with the same config and ports; the received file is appended to. */
  public void restart() throws IOException, InterruptedException {
    stop();
    launch();
  }

  /** Everything received so far, in the order rsyslog wrote it. */
  public List<Received> received() {
    Path file = dir.resolve("received.jsonl");
    if (!Files.exists(file)) {
      return List.of();
    }
    List<Received> out = new ArrayList<>();
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      // Only whole lines: rsyslog may be in the middle of writing the last one.
      for (String line : text.substring(0, text.lastIndexOf('\n') + 1).split("\n")) {
        if (line.isBlank()) {
          continue;
        }
        Map<String, String> o = stringObject(line);
        out.add(
            new Received(
                o.get("input"),
                o.get("raw"),
                o.get("version"),
                Integer.parseInt(o.get("pri")),
                o.get("timestamp"),
                o.get("hostname"),
                o.get("app_name"),
                o.get("procid"),
                o.get("msgid"),
                o.get("structured_data"),
                o.get("msg")));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** Waits until at least {@code n} messages came in on {@code input}; returns those. */
  public List<Received> awaitReceived(String input, int n, Duration timeout)
      throws InterruptedException {
    Poll.until(
        timeout,
        () ->
            "rsyslog received "
                + onInput(input).size()
                + " of "
                + n
                + " on "
                + input
                + "; log: "
                + log(),
        () -> onInput(input).size() >= n);
    return onInput(input);
  }

  private List<Received> onInput(String input) {
    return received().stream().filter(r -> r.input().equals(input)).toList();
  }

  /** What rsyslogd printed (its own errors). */
  public String log() {
    try {
      Path log = dir.resolve("rsyslogd.log");
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "(cannot read: " + e + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null) {
      process.close();
      process = null;
    }
  }

  private void launch() throws IOException, InterruptedException {
    Files.deleteIfExists(dir.resolve("rsyslogd.pid"));
    process =
        VigilProcess.startCommand(
            "rsyslogd",
            List.of(
                RSYSLOGD,
                "-n",
                "-f",
                dir.resolve("rsyslog.conf").toString(),
                "-i",
                dir.resolve("rsyslogd.pid").toString()),
            dir.resolve("rsyslogd.log"),
            Map.of());
    VigilProcess p = process;
    try {
      Poll.until(
          Duration.ofSeconds(30),
          () -> "rsyslogd did not bind its ports; log: " + log(),
          () ->
              !p.isAlive()
                  || (bound("/proc/net/tcp", tcpPort, true)
                      && bound("/proc/net/tcp", tlsPort, true)
                      && bound("/proc/net/udp", udpPort, false)));
      if (!p.isAlive()) {
        throw new AssertionError("rsyslogd exited at start; log: " + log());
      }
    } catch (AssertionError | InterruptedException e) {
      close(); // a half-started rsyslogd (a listener refused) must not outlive the test
      throw e;
    }
  }

  /**
   * Whether a loopback socket is bound to {@code port} in {@code /proc/net/tcp|udp} (listening, for
   * TCP): a probe connection would show up as a message-less session in rsyslog.
   */
  private static boolean bound(String table, int port, boolean listen) {
    String local = String.format(Locale.ROOT, "0100007F:%04X", port);
    try {
      for (String line : Files.readAllLines(Path.of(table))) {
        String[] f = line.trim().split("\\s+");
        if (f.length > 3 && f[1].equals(local) && (!listen || f[3].equals("0A"))) {
          return true;
        }
      }
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The server key as PKCS#8 PEM whose inner SEC1 structure carries the curve and the public key:
   * GnuTLS rejects the JDK's encoding, which leaves the public key out ("ASN1 parser: Element was
   * not found").
   */
  private static String gnutlsKey(CertificateAuthority.Issued server) throws IOException {
    PrivateKeyInfo jdk = PrivateKeyInfo.getInstance(server.key().getEncoded());
    AlgorithmIdentifier alg = jdk.getPrivateKeyAlgorithm();
    org.bouncycastle.asn1.sec.ECPrivateKey inner =
        new org.bouncycastle.asn1.sec.ECPrivateKey(
            256,
            ((ECPrivateKey) server.key()).getS(),
            SubjectPublicKeyInfo.getInstance(server.certificate().getPublicKey().getEncoded())
                .getPublicKeyData(),
            alg.getParameters());
    byte[] der = new PrivateKeyInfo(alg, inner).getEncoded();
    String b64 =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN PRIVATE KEY-----\n" + b64 + "\n-----END PRIVATE KEY-----\n";
  }

  /**
   * A line of the received file: a JSON object whose values are all strings (what the jsonf
   * template writes). testkit has no JSON library of its own, and this is all it needs.
   */
  static Map<String, String> stringObject(String line) {
    Map<String, String> out = new HashMap<>();
    int[] at = {line.indexOf('{') + 1};
    while (true) {
      skipTo(line, at, '"');
      if (at[0] >= line.length()) {
        return out;
      }
      String key = jsonString(line, at);
      skipTo(line, at, '"');
      out.put(key, jsonString(line, at));
    }
  }

  private static void skipTo(String s, int[] at, char c) {
    while (at[0] < s.length() && s.charAt(at[0]) != c) {
      at[0]++;
    }
  }

  /** The JSON string starting at the quote at {@code at[0]}; leaves {@code at} after it. */
  private static String jsonString(String s, int[] at) {
    StringBuilder out = new StringBuilder();
    int i = at[0] + 1;
    while (s.charAt(i) != '"') {
      char c = s.charAt(i++);
      if (c != '\\') {
        out.append(c);
        continue;
      }
      char e = s.charAt(i++);
      switch (e) {
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'u' -> {
          out.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
          i += 4;
        }
        default -> out.append(e); // \" \\ \/
      }
    }
    at[0] = i + 1;
    return out.toString();
  }

  private static int freeUdpPort() throws IOException {
    try (DatagramSocket s =
        new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      return s.getLocalPort();
    }
  }

  /**
   * The config: three inputs bound to 127.0.0.1 feeding one ruleset that writes each message as a
   * JSON line (rsyslog's jsonf escaping). maxMessageSize is above anything the tests send, so a cut
   * message is the sender's doing.
   */
  private String config() {
    String d = dir.toString();
    return String.join(
        "\n",
        "global(workDirectory=\"" + d + "/work\" maxMessageSize=\"128k\"",
        "  defaultNetstreamDriverCAFile=\"" + d + "/ca.pem\"",
        "  defaultNetstreamDriverCertFile=\"" + d + "/server.pem\"",
        "  defaultNetstreamDriverKeyFile=\"" + d + "/server.key\")",
        "module(load=\"imudp\")",
        "module(load=\"imtcp\")",
        "template(name=\"vigil\" type=\"list\" option.jsonf=\"on\") {",
        "  property(outname=\"input\" name=\"inputname\" format=\"jsonf\")",
        "  property(outname=\"raw\" name=\"rawmsg\" format=\"jsonf\")",
        "  property(outname=\"version\" name=\"protocol-version\" format=\"jsonf\")",
        "  property(outname=\"pri\" name=\"pri\" format=\"jsonf\")",
        "  property(outname=\"timestamp\" name=\"timereported\" dateFormat=\"rfc3339\""
            + " format=\"jsonf\")",
        "  property(outname=\"hostname\" name=\"hostname\" format=\"jsonf\")",
        "  property(outname=\"app_name\" name=\"app-name\" format=\"jsonf\")",
        "  property(outname=\"procid\" name=\"procid\" format=\"jsonf\")",
        "  property(outname=\"msgid\" name=\"msgid\" format=\"jsonf\")",
        "  property(outname=\"structured_data\" name=\"structured-data\" format=\"jsonf\")",
        "  property(outname=\"msg\" name=\"msg\" format=\"jsonf\")",
        "}",
        "ruleset(name=\"vigil\") {",
        "  action(type=\"omfile\" file=\"" + d + "/received.jsonl\" template=\"vigil\")",
        "}",
        "input(type=\"imudp\" address=\"127.0.0.1\" port=\""
            + udpPort
            + "\" name=\"udp\""
            // A burst of ~100 alerts of ~2 KiB each fills the default 208 KiB receive buffer
            // while a loaded machine keeps rsyslogd from reading: the tail of the burst was
            // dropped by the kernel (the UDP loss a real deployment accepts, not what the test
            // checks). rsyslogd runs as root here, so it may force a bigger buffer.
            + " rcvbufSize=\"8m\""
            + " ruleset=\"vigil\")",
        "input(type=\"imtcp\" address=\"127.0.0.1\" port=\""
            + tcpPort
            + "\" name=\"tcp\""
            + " ruleset=\"vigil\")",
        "input(type=\"imtcp\" address=\"127.0.0.1\" port=\""
            + tlsPort
            + "\" name=\"tls\""
            + " ruleset=\"vigil\" streamDriver.name=\"gtls\" streamDriver.mode=\"1\""
            + " streamDriver.authMode=\"anon\")",
        "");
  }
}
