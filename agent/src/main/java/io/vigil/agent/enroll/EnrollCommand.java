package io.vigil.agent.enroll;

import com.google.protobuf.ByteString;
import io.vigil.agent.config.AgentConfig;
import io.vigil.agent.identity.AgentIdentity;
import io.vigil.agent.identity.HostInfoCollector;
import io.vigil.agent.pki.AgentKeys;
import io.vigil.agent.pki.ClientCertificate;
import io.vigil.agent.pki.EnrolmentFiles;
import io.vigil.agent.pki.PinnedCaTrustManager;
import io.vigil.agent.ship.EnrollmentClient;
import io.vigil.agent.ship.EnrollmentException;
import io.vigil.common.config.ConfigException;
import io.vigil.common.pki.Fingerprint;
import io.vigil.common.pki.Pem;
import io.vigil.common.text.TerminalText;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code vigil-agent enroll --collector HOST:PORT --token-file FILE --ca-fingerprint FP [--force]
 * [--config FILE] [--set k=v]...}: makes a key here, sends a certificate request with the token to
 * the collector whose CA has that fingerprint, and writes the answer to {@code
 * <agent.state_dir>/pki/} (see {@link EnrolmentFiles}).
 *
 * <p>Exit codes: 0 enrolled; 1 the collector was not trusted, refused, or could not be reached, or
 * the files could not be written (the message says which); 2 a usage or configuration error, or the
 * agent is already enrolled and {@code --force} was not given (nothing was sent).
 */
public final class EnrollCommand {
  public static final int EXIT_OK = 0;
  public static final int EXIT_FAILED = 1;
  public static final int EXIT_USAGE = 2;

  static final String USAGE =
      "usage: vigil-agent enroll --collector HOST:PORT --token-file FILE --ca-fingerprint SHA256"
          + " [--force] [--config FILE] [--set key.path=value]...\n"
          + "  --token-file -   reads the token from stdin; never put a token on the command line\n"
          + "  --ca-fingerprint the collector CA's SHA-256 (vigilctl token create prints it;"
          + " colons allowed)\n"
          + "  --force          enrol again although this agent has a certificate";

  /** Bound on collector- or certificate-provided text in a message. */
  private static final int TEXT_MAX = 200;

  /** How long the whole enrolment call may take. */
  static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final PrintStream out;
  private final PrintStream err;
  private final InputStream stdin;
  private final Map<String, String> env;
  private final String agentVersion;

  public EnrollCommand(
      InputStream stdin,
      PrintStream out,
      PrintStream err,
      Map<String, String> env,
      String agentVersion) {
    this.stdin = stdin;
    this.out = out;
    this.err = err;
    this.env = env;
    this.agentVersion = agentVersion;
  }

  /** Runs the command on the arguments after {@code enroll}; returns the exit code. */
  public int run(String[] args) {
    EnrollArgs a;
    AgentConfig config;
    try {
      a = EnrollArgs.parse(args);
      config = AgentConfig.load(a.config().file(), env, a.config().sets());
    } catch (EnrollArgs.UsageException e) {
      err.println("vigil-agent enroll: " + e.getMessage() + "\n" + USAGE);
      return EXIT_USAGE;
    } catch (ConfigException e) {
      err.println("vigil-agent enroll: invalid configuration:\n" + e.getMessage());
      return EXIT_USAGE;
    }
    EnrolmentFiles files = EnrolmentFiles.under(config.stateDir());
    if (files.enrolled() && !a.force()) {
      err.println(
          "vigil-agent enroll: this agent is already enrolled ("
              + describeExisting(files)
              + "); give --force to enrol again with a new key");
      return EXIT_USAGE;
    }
    String token;
    try {
      token = TokenFile.read(a.tokenFile(), stdin, err);
    } catch (IOException e) {
      err.println("vigil-agent enroll: " + e.getMessage());
      return EXIT_USAGE;
    }
    try {
      return enrol(a, config, files, token);
    } catch (IOException e) {
      err.println("vigil-agent enroll: " + e.getMessage());
      return EXIT_FAILED;
    }
  }

  private int enrol(EnrollArgs a, AgentConfig config, EnrolmentFiles files, String token)
      throws IOException {
    AgentIdentity identity = AgentIdentity.loadOrCreate(config.stateDir());
    KeyPair key = AgentKeys.generate();
    byte[] csr = AgentKeys.csr(key, identity.agentId());
    io.vigil.proto.v1.EnrollRequest request =
        io.vigil.proto.v1.EnrollRequest.newBuilder()
            .setToken(token)
            .setCsr(ByteString.copyFrom(csr))
            .setProposedAgentId(identity.agentId().toString())
            .setHostname(new HostInfoCollector().collect().getHostname())
            .setAgentVersion(agentVersion)
            .build();
    String serverName = config.collector().serverName();
    PinnedCaTrustManager trust =
        new PinnedCaTrustManager(a.caFingerprint(), a.collector().toString());
    io.vigil.proto.v1.EnrollResponse response;
    try {
      response = EnrollmentClient.enroll(a.collector(), serverName, trust, request, TIMEOUT);
    } catch (EnrollmentException e) {
      err.println("vigil-agent enroll: " + e.getMessage());
      return EXIT_FAILED;
    }
    Accepted accepted;
    try {
      accepted = check(response, key, a.caFingerprint());
    } catch (IOException e) {
      err.println(
          "vigil-agent enroll: the collector at "
              + a.collector()
              + " answered with something unusable: "
              + e.getMessage()
              + "; nothing was written");
      return EXIT_FAILED;
    }
    files.write(
        Pem.of(key.getPrivate()),
        response.getCertificateChainPem(),
        // Only the pinned CA: anything else the answer carries must not become a trust anchor.
        Pem.of(accepted.ca()),
        a.collector());
    if (!accepted.agentId().equals(identity.agentId())) {
      AgentIdentity.replace(config.stateDir(), accepted.agentId());
      out.println(
          "agent id changed from "
              + identity.agentId()
              + " to "
              + accepted.agentId()
              + " (the collector already knew the old one; "
              + identity.file()
              + " now holds the new one)");
    }
    out.println("enrolled: agent " + accepted.agentId() + " with collector " + a.collector());
    out.println("certificate valid until " + accepted.leaf().getNotAfter().toInstant());
    out.println(
        "files: "
            + files.certificate()
            + ", "
            + files.key()
            + ", "
            + files.ca()
            + ", "
            + files.collectorAddress());
    out.println("start (or leave running) the agent: it connects with this certificate");
    return EXIT_OK;
  }

  /** What the collector answered, checked; {@code ca} is the pinned CA certificate. */
  record Accepted(UUID agentId, X509Certificate leaf, X509Certificate ca) {}

  /**
   * The answer must name a UUID, carry a certificate for this agent's key issued by the pinned CA,
   * and name that CA first. Certificates after it in {@code ca_certificate_pem} are ignored: only
   * the pinned one is kept ({@link Accepted#ca}).
   */
  static Accepted check(io.vigil.proto.v1.EnrollResponse r, KeyPair key, String fingerprint)
      throws IOException {
    UUID id;
    try {
      id = UUID.fromString(r.getAgentId());
    } catch (IllegalArgumentException e) {
      throw new IOException(
          "agent id \"" + TerminalText.escape(r.getAgentId(), TEXT_MAX) + "\" is not a UUID", e);
    }
    List<X509Certificate> chain = Pem.certificates(r.getCertificateChainPem());
    List<X509Certificate> cas = Pem.certificates(r.getCaCertificatePem());
    X509Certificate ca = cas.get(0);
    if (!Fingerprint.same(Fingerprint.sha256(ca), fingerprint)) {
      throw new IOException(
          "its CA certificate has fingerprint "
              + Fingerprint.sha256(ca)
              + ", not the pinned "
              + fingerprint);
    }
    X509Certificate leaf = chain.get(0);
    if (!ClientCertificate.matches(key.getPrivate(), leaf.getPublicKey())) {
      throw new IOException("the certificate is not for the key this agent sent");
    }
    try {
      leaf.verify(ca.getPublicKey());
      leaf.checkValidity();
    } catch (GeneralSecurityException e) {
      throw new IOException(
          "the certificate does not check against the pinned CA: "
              + TerminalText.escape(e.toString(), TEXT_MAX),
          e);
    }
    String cn = ClientCertificate.commonName(leaf).orElse("");
    if (!cn.equals(id.toString())) {
      throw new IOException(
          "the certificate names \""
              + TerminalText.escape(cn, TEXT_MAX)
              + "\" but the answer says agent "
              + id);
    }
    return new Accepted(id, leaf, ca);
  }

  private static String describeExisting(EnrolmentFiles files) {
    try {
      List<X509Certificate> chain =
          Pem.certificates(java.nio.file.Files.readString(files.certificate()));
      X509Certificate leaf = chain.get(0);
      return "certificate "
          + files.certificate()
          + " for "
          + TerminalText.escape(leaf.getSubjectX500Principal().getName(), TEXT_MAX)
          + ", valid until "
          + leaf.getNotAfter().toInstant();
    } catch (IOException | RuntimeException e) {
      return "certificate " + files.certificate() + " exists";
    }
  }
}
