package io.vigil.collector.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The trust tables of the collector's database (schema version 5): enrolment tokens, enrolled
 * agents and the agent certificates issued. Secrets are never given to it: tokens arrive as their
 * SHA-256 hex.
 *
 * <p>Its own connection beside the ingest writer's, like {@link TriageStore}: every write is one
 * {@code BEGIN IMMEDIATE} transaction of a few statements, so checking a token and using it up
 * cannot interleave with another enrolment, in this process or another. Never migrates: the
 * database must already be at this code's schema version ({@link EventStore#open} migrates).
 *
 * <p>Thread-safe (operations are serialised on the connection); every method blocks on disk I/O.
 * The caller owns the store and closes it.
 */
public final class TrustStore implements AutoCloseable {

  private final Path file;
  private final Connection connection;

  /** An enrolment token as stored (without its secret). {@code revokedNs} 0: not revoked. */
  public record TokenRow(
      String tokenId,
      String createdBy,
      long createdNs,
      long expiresNs,
      int usesTotal,
      int usesLeft,
      long revokedNs,
      String note) {}

  /**
   * An enrolled agent. {@code certificateNotAfterNs}: end of its newest certificate, 0 if none;
   * {@code revokedNs} 0: not revoked.
   */
  public record AgentRow(
      String agentId,
      String hostname,
      String tokenId,
      long enrolledNs,
      long certificateNotAfterNs,
      long revokedNs,
      String revokedBy,
      String revokeReason) {}

  /** What became of an attempt to use an enrolment token. */
  public enum TokenUse {
    /** One use was taken. */
    USED,
    /** No token has this hash. */
    UNKNOWN,
    EXPIRED,
    USED_UP,
    REVOKED
  }

  /** The outcome of {@link Enrolment#useToken}: the token's id is known unless it was unknown. */
  public record TokenCheck(TokenUse use, String tokenId) {}

  private TrustStore(Path file, Connection connection) {
    this.file = file;
    this.connection = connection;
  }

  /**
   * Opens the collector database for the trust tables.
   *
   * @throws StoreException when the file is missing or not at this code's schema version
   */
  public static TrustStore open(Path file) {
    return new TrustStore(file, SqliteFiles.openCurrent(file, "the trust tables"));
  }

  /** Stores a new enrolment token. */
  public synchronized void addToken(TokenRow row, String tokenHash) {
    write(
        "add enrolment token " + row.tokenId(),
        () -> {
          try (PreparedStatement ps =
              connection.prepareStatement(
                  "INSERT INTO enrollment_tokens(token_id, token_hash, created_by, created_ns,"
                      + " expires_ns, uses_total, uses_left, revoked_ns, note)"
                      + " VALUES(?,?,?,?,?,?,?,NULL,?)")) {
            ps.setString(1, row.tokenId());
            ps.setString(2, tokenHash);
            ps.setString(3, row.createdBy());
            ps.setLong(4, row.createdNs());
            ps.setLong(5, row.expiresNs());
            ps.setInt(6, row.usesTotal());
            ps.setInt(7, row.usesLeft());
            ps.setString(8, row.note());
            ps.executeUpdate();
          }
          return null;
        });
  }

  /** Every enrolment token, newest first. */
  public synchronized List<TokenRow> tokens() {
    try (PreparedStatement ps =
            connection.prepareStatement(
                "SELECT token_id, created_by, created_ns, expires_ns, uses_total, uses_left,"
                    + " coalesce(revoked_ns, 0), note FROM enrollment_tokens"
                    + " ORDER BY created_ns DESC, token_id");
        ResultSet rs = ps.executeQuery()) {
      List<TokenRow> out = new ArrayList<>();
      while (rs.next()) {
        out.add(
            new TokenRow(
                rs.getString(1),
                rs.getString(2),
                rs.getLong(3),
                rs.getLong(4),
                rs.getInt(5),
                rs.getInt(6),
                rs.getLong(7),
                rs.getString(8)));
      }
      return out;
    } catch (SQLException e) {
      throw new StoreException("cannot list enrolment tokens in " + file, e);
    }
  }

  /**
   * Revokes an enrolment token.
   *
   * @return empty for an unknown id, else whether it changed (false: already revoked)
   */
  public synchronized Optional<Boolean> revokeToken(String tokenId, long nowNs) {
    return write(
        "revoke enrolment token " + tokenId,
        () -> {
          if (!exists("SELECT 1 FROM enrollment_tokens WHERE token_id = ?", tokenId)) {
            return Optional.empty();
          }
          try (PreparedStatement ps =
              connection.prepareStatement(
                  "UPDATE enrollment_tokens SET revoked_ns = ?"
                      + " WHERE token_id = ? AND revoked_ns IS NULL")) {
            ps.setLong(1, nowNs);
            ps.setString(2, tokenId);
            return Optional.of(ps.executeUpdate() == 1);
          }
        });
  }

  /**
   * Runs an enrolment in one write transaction: committed when {@code body} returns normally,
   * rolled back when it throws (a token use taken in it is then given back).
   */
  public synchronized <T> T enrol(EnrolmentBody<T> body) {
    return write("enrol an agent", () -> body.run(new Enrolment()));
  }

  /** The steps of one enrolment, valid only inside {@link #enrol}. */
  public final class Enrolment {
    private Enrolment() {}

    /** Takes one use of the token with this hash, if it is valid at {@code nowNs}. */
    public TokenCheck useToken(String tokenHash, long nowNs) throws SQLException {
      String id;
      long expires;
      int left;
      boolean revoked;
      try (PreparedStatement ps =
          connection.prepareStatement(
              "SELECT token_id, expires_ns, uses_left, revoked_ns IS NOT NULL"
                  + " FROM enrollment_tokens WHERE token_hash = ?")) {
        ps.setString(1, tokenHash);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            return new TokenCheck(TokenUse.UNKNOWN, "");
          }
          id = rs.getString(1);
          expires = rs.getLong(2);
          left = rs.getInt(3);
          revoked = rs.getBoolean(4);
        }
      }
      if (revoked) {
        return new TokenCheck(TokenUse.REVOKED, id);
      }
      if (nowNs >= expires) {
        return new TokenCheck(TokenUse.EXPIRED, id);
      }
      if (left <= 0) {
        return new TokenCheck(TokenUse.USED_UP, id);
      }
      try (PreparedStatement ps =
          connection.prepareStatement(
              "UPDATE enrollment_tokens SET uses_left = uses_left - 1 WHERE token_id = ?")) {
        ps.setString(1, id);
        ps.executeUpdate();
      }
      return new TokenCheck(TokenUse.USED, id);
    }

    /** Whether an agent with this id was ever enrolled (revoked ones included). */
    public boolean everEnrolled(String agentId) throws SQLException {
      return exists("SELECT 1 FROM enrolled_agents WHERE agent_id = ?", agentId);
    }

    /**
     * Whether this id is known anywhere: enrolled, or seen streaming (the {@code agents} and {@code
     * streams} tables, which may hold ids from before enrolment existed and are shown to viewers).
     */
    public boolean idKnown(String agentId) throws SQLException {
      return everEnrolled(agentId)
          || exists("SELECT 1 FROM agents WHERE agent_id = ?", agentId)
          || exists("SELECT 1 FROM streams WHERE agent_id = ?", agentId);
    }

    /** Records a newly enrolled agent. */
    public void addAgent(String agentId, String hostname, String tokenId, long nowNs)
        throws SQLException {
      try (PreparedStatement ps =
          connection.prepareStatement(
              "INSERT INTO enrolled_agents(agent_id, hostname, token_id, enrolled_ns)"
                  + " VALUES(?,?,?,?)")) {
        ps.setString(1, agentId);
        ps.setString(2, hostname);
        ps.setString(3, tokenId);
        ps.setLong(4, nowNs);
        ps.executeUpdate();
      }
    }

    /** Records a certificate issued to an agent. */
    public void addCertificate(
        String serialHex, String agentId, long issuedNs, long notAfterNs, String reason)
        throws SQLException {
      insertCertificate(serialHex, agentId, issuedNs, notAfterNs, reason);
    }
  }

  /** The work of one enrolment transaction. */
  @FunctionalInterface
  public interface EnrolmentBody<T> {
    T run(Enrolment enrolment) throws SQLException;
  }

  /** Records a certificate issued to an agent (a renewal) in its own transaction. */
  public synchronized void addCertificate(
      String serialHex, String agentId, long issuedNs, long notAfterNs, String reason) {
    write(
        "record certificate " + serialHex,
        () -> {
          insertCertificate(serialHex, agentId, issuedNs, notAfterNs, reason);
          return null;
        });
  }

  /** The agent a certificate serial (lower-case hex) was issued to, if this collector issued it. */
  public synchronized Optional<String> certificateAgent(String serialHex) {
    try (PreparedStatement ps =
        connection.prepareStatement("SELECT agent_id FROM agent_certificates WHERE serial = ?")) {
      ps.setString(1, serialHex);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new StoreException("cannot look up certificate " + serialHex + " in " + file, e);
    }
  }

  /** A certificate issued to an agent, as recorded (serial in lower-case hex). */
  public record CertificateRow(String serialHex, String agentId, long issuedNs, long notAfterNs) {}

  /**
   * Every certificate still valid at {@code nowNs}, oldest issued first (ties in the order they
   * were recorded): what the collector loads into memory at start.
   */
  public synchronized List<CertificateRow> certificatesValidAt(long nowNs) {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT serial, agent_id, issued_ns, not_after_ns FROM agent_certificates"
                + " WHERE not_after_ns > ? ORDER BY issued_ns, rowid")) {
      ps.setLong(1, nowNs);
      try (ResultSet rs = ps.executeQuery()) {
        List<CertificateRow> out = new ArrayList<>();
        while (rs.next()) {
          out.add(
              new CertificateRow(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4)));
        }
        return out;
      }
    } catch (SQLException e) {
      throw new StoreException("cannot list agent certificates in " + file, e);
    }
  }

  /** The certificate with this serial (lower-case hex), if this collector recorded it. */
  public synchronized Optional<CertificateRow> certificate(String serialHex) {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT serial, agent_id, issued_ns, not_after_ns FROM agent_certificates"
                + " WHERE serial = ?")) {
      ps.setString(1, serialHex);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next()
            ? Optional.of(
                new CertificateRow(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4)))
            : Optional.empty();
      }
    } catch (SQLException e) {
      throw new StoreException("cannot look up certificate " + serialHex + " in " + file, e);
    }
  }

  /** Every enrolled agent, in enrolment order. */
  public synchronized List<AgentRow> agents() {
    try (PreparedStatement ps =
            connection.prepareStatement(
                "SELECT a.agent_id, a.hostname, a.token_id, a.enrolled_ns,"
                    + " coalesce((SELECT max(c.not_after_ns) FROM agent_certificates c"
                    + " WHERE c.agent_id = a.agent_id), 0),"
                    + " coalesce(a.revoked_ns, 0), coalesce(a.revoked_by, ''),"
                    + " coalesce(a.revoke_reason, '')"
                    + " FROM enrolled_agents a ORDER BY a.enrolled_ns, a.agent_id");
        ResultSet rs = ps.executeQuery()) {
      List<AgentRow> out = new ArrayList<>();
      while (rs.next()) {
        out.add(
            new AgentRow(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getLong(4),
                rs.getLong(5),
                rs.getLong(6),
                rs.getString(7),
                rs.getString(8)));
      }
      return out;
    } catch (SQLException e) {
      throw new StoreException("cannot list enrolled agents in " + file, e);
    }
  }

  /**
   * Revokes an enrolled agent.
   *
   * @return empty for an agent never enrolled, else whether it changed (false: already revoked)
   */
  public synchronized Optional<Boolean> revokeAgent(
      String agentId, long nowNs, String by, String reason) {
    return write(
        "revoke agent " + agentId,
        () -> {
          if (!exists("SELECT 1 FROM enrolled_agents WHERE agent_id = ?", agentId)) {
            return Optional.empty();
          }
          try (PreparedStatement ps =
              connection.prepareStatement(
                  "UPDATE enrolled_agents SET revoked_ns = ?, revoked_by = ?, revoke_reason = ?"
                      + " WHERE agent_id = ? AND revoked_ns IS NULL")) {
            ps.setLong(1, nowNs);
            ps.setString(2, by);
            ps.setString(3, reason);
            ps.setString(4, agentId);
            return Optional.of(ps.executeUpdate() == 1);
          }
        });
  }

  @Override
  public synchronized void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      throw new StoreException("closing " + file + " failed", e);
    }
  }

  private void insertCertificate(
      String serialHex, String agentId, long issuedNs, long notAfterNs, String reason)
      throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "INSERT INTO agent_certificates(serial, agent_id, issued_ns, not_after_ns, reason)"
                + " VALUES(?,?,?,?,?)")) {
      ps.setString(1, serialHex);
      ps.setString(2, agentId);
      ps.setLong(3, issuedNs);
      ps.setLong(4, notAfterNs);
      ps.setString(5, reason);
      ps.executeUpdate();
    }
  }

  private boolean exists(String sql, String key) throws SQLException {
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      ps.setObject(1, key, Types.VARCHAR);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  @FunctionalInterface
  private interface SqlWork<T> {
    T run() throws SQLException;
  }

  /**
   * Runs {@code body} in one IMMEDIATE transaction: rolled back when it or the COMMIT throws (a
   * failed COMMIT can leave the transaction open), and the original failure is what the caller
   * sees, with a failed ROLLBACK attached as suppressed.
   */
  private <T> T write(String what, SqlWork<T> body) {
    try {
      return ImmediateTransaction.run(connection, body::run);
    } catch (SQLException e) {
      throw new StoreException("cannot " + what + " in " + file, e);
    }
  }
}
