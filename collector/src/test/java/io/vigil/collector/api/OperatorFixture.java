package io.vigil.collector.api;

import io.vigil.collector.config.HuntSection;
import io.vigil.collector.config.OperatorSection;
import io.vigil.collector.store.ApiTokenStore;
import io.vigil.collector.store.EventStore;
import io.vigil.collector.stream.ConnectedAgents;
import io.vigil.collector.tls.ServerPki;
import io.vigil.common.config.HostPort;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A real operator API for tests: TLS on loopback with a CA and server certificate made for the
 * test, over a real collector database in a temporary directory, with a {@link FakeTrust}. Makes
 * tokens and clients for each role. Not thread-safe.
 */
public final class OperatorFixture implements AutoCloseable {
  public final Path dir;
  public final Path db;
  public final ServerPki.Paths pki;
  public final FakeTrust trust = new FakeTrust();
  public final ConnectedAgents agents;
  private OperatorServer server;
  private HuntSection hunt = HuntSection.DEFAULTS;
  private final List<OperatorClient> clients = new ArrayList<>();

  private OperatorFixture(Path dir, ConnectedAgents agents) throws Exception {
    this.dir = dir;
    this.db = dir.resolve("vigil.db");
    this.agents = agents;
    this.pki =
        ServerPki.ensure(
            new ServerPki.Paths(
                dir.resolve("pki/ca.pem"),
                dir.resolve("pki/ca.key"),
                dir.resolve("pki/server.pem"),
                dir.resolve("pki/server.key")),
            List.of());
    if (!Files.exists(db)) {
      EventStore.open(db).close(); // the collector migrates the database before the API starts
    }
    start();
  }

  /** Starts the API on {@code dir}'s database (creating and migrating it when absent). */
  public static OperatorFixture start(Path dir) throws Exception {
    return new OperatorFixture(dir, new ConnectedAgents());
  }

  /** Like {@link #start(Path)} with hunting limits of the test's own. */
  public static OperatorFixture start(Path dir, HuntSection hunt) throws Exception {
    OperatorFixture f = new OperatorFixture(dir, new ConnectedAgents());
    f.hunt = hunt;
    f.restart();
    return f;
  }

  /** Like {@link #start(Path)} with the agents a test's agent stream registers in. */
  public static OperatorFixture start(Path dir, ConnectedAgents agents) throws Exception {
    return new OperatorFixture(dir, agents);
  }

  public Path bootstrapFile() {
    return dir.resolve("state/operator/admin.token");
  }

  /** Stops and starts the server again on the same database (a collector restart). */
  public void restart() throws Exception {
    server.close();
    start();
  }

  private void start() throws Exception {
    server =
        OperatorServer.start(
            new OperatorSection(new HostPort("127.0.0.1", 0), bootstrapFile(), hunt),
            pki.serverCert(),
            pki.serverKey(),
            false,
            db,
            trust,
            agents);
  }

  public int port() {
    return server.port();
  }

  /** A new token (created directly in the store) for {@code operator} with {@code role}. */
  public String token(String operator, String role) {
    return token(operator, role, 0);
  }

  /** A new token that expires at {@code expiresNs} (0: never). */
  public String token(String operator, String role, long expiresNs) {
    ApiTokens.Minted t = ApiTokens.mint();
    try (ApiTokenStore tokens = ApiTokenStore.open(db)) {
      tokens.create(t.stored(), operator, role, "test", 1, expiresNs);
    }
    return t.text();
  }

  /** The bootstrap admin token. */
  public String adminToken() throws Exception {
    return Files.readString(bootstrapFile()).strip();
  }

  /** A client with {@code token}, closed with the fixture. */
  public OperatorClient client(String token) throws Exception {
    OperatorClient c =
        OperatorClient.connect(new HostPort("127.0.0.1", port()), pki.caCert(), token);
    clients.add(c);
    return c;
  }

  /** Writes {@code token} to a file for {@code vigilctl --token-file}. */
  public Path tokenFile(String name, String token) throws Exception {
    Path f = dir.resolve(name + ".token");
    Files.writeString(f, token + "\n");
    return f;
  }

  /** The connection options of {@code vigilctl} with the token in {@code tokenFile}. */
  public List<String> ctlArgs(Path tokenFile) {
    return List.of(
        "--collector",
        "127.0.0.1:" + port(),
        "--ca",
        pki.caCert().toString(),
        "--token-file",
        tokenFile.toString());
  }

  /**
   * Makes writing audit rows fail, as a full or broken disk would: every row ({@code onlyOutcomes}
   * false), or only rows that are not {@code attempted}.
   */
  public void breakAuditLog(boolean onlyOutcomes) throws SQLException {
    sql(
        "CREATE TRIGGER vigil_test_broken_audit BEFORE INSERT ON audit_log"
            + (onlyOutcomes ? " WHEN NEW.outcome <> 'attempted'" : "")
            + " BEGIN SELECT RAISE(ABORT, 'test: the audit log cannot be written'); END");
  }

  /** Undoes {@link #breakAuditLog}. */
  public void repairAuditLog() throws SQLException {
    sql("DROP TRIGGER vigil_test_broken_audit");
  }

  private void sql(String statement) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath());
        Statement st = c.createStatement()) {
      st.execute("PRAGMA busy_timeout=10000");
      st.execute(statement);
    }
  }

  @Override
  public void close() {
    clients.forEach(OperatorClient::close);
    if (server != null) {
      server.close();
    }
  }
}
