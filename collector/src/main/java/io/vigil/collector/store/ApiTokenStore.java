package io.vigil.collector.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The operator API's tokens ({@code api_tokens}). The table keeps only each token's SHA-256 (hex),
 * so a copy of the database lets nobody call the API; the caller makes the secret, its hash and its
 * short public id (the operator API's {@code ApiTokens}), as the trust code does for enrolment
 * tokens. Checks that span rows (the last admin token, the bootstrap token) run in one {@code BEGIN
 * IMMEDIATE} transaction, so two calls cannot both pass them.
 *
 * <p>Thread-safe (serialised on its own connection); every method blocks on disk I/O and waits up
 * to the busy timeout for the ingest writer's lock. The caller owns it and closes it.
 */
public final class ApiTokenStore implements AutoCloseable {
  /** The roles, lowest first. */
  public static final List<String> ROLES = List.of("viewer", "responder", "admin");

  /** What an operator name may be. */
  public static final Pattern OPERATOR = Pattern.compile("[A-Za-z0-9._@-]{1,64}");

  private static final String ADMIN = "admin";
  private static final Pattern TOKEN_ID = Pattern.compile("[0-9a-f]{12}");
  private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");
  private static final String COLUMNS =
      "token_id, operator, role, created_by, created_ns, expires_ns, coalesce(revoked_ns, 0),"
          + " coalesce(last_used_ns, 0)";
  private static final String IN_FORCE =
      "revoked_ns IS NULL AND (expires_ns = 0 OR expires_ns > ?)";

  private final Path file;
  private final Connection connection;

  private ApiTokenStore(Path file, Connection connection) {
    this.file = file;
    this.connection = connection;
  }

  /**
   * Opens the token table of an existing, migrated collector database.
   *
   * @throws StoreException when the file is missing, not at this code's schema version, or cannot
   *     be opened
   */
  public static ApiTokenStore open(Path file) {
    return new ApiTokenStore(file, SqliteFiles.openCurrent(file, "the API tokens"));
  }

  /**
   * What a new token is stored as.
   *
   * @param tokenId its public id, 12 lower-case hex digits
   * @param tokenHash SHA-256 of its secret text, 64 lower-case hex digits
   */
  public record NewToken(String tokenId, String tokenHash) {
    public NewToken {
      if (tokenId == null || !TOKEN_ID.matcher(tokenId).matches()) {
        throw new IllegalArgumentException("token id: expected 12 hex digits, got " + tokenId);
      }
      if (tokenHash == null || !HASH.matcher(tokenHash).matches()) {
        throw new IllegalArgumentException("token hash: expected 64 hex digits");
      }
    }
  }

  /**
   * A bootstrap admin token created by {@link #createAdminIfNoneInForce}.
   *
   * @param row what is stored about it
   * @param lapsedAdmins admin tokens in the table that were no longer in force (revoked or
   *     expired); 0 when there was none at all
   */
  public record NewAdmin(ApiTokenRow row, int lapsedAdmins) {}

  /** Hands out a new token's secret inside its transaction: a failure rolls the token back. */
  public interface Publisher {
    void publish() throws Exception;
  }

  /**
   * Creates a token.
   *
   * @param expiresNs UTC ns; 0 for no expiry
   * @throws IllegalArgumentException for a bad operator name or role (the message says which)
   */
  public synchronized ApiTokenRow create(
      NewToken token,
      String operator,
      String role,
      String createdBy,
      long createdNs,
      long expiresNs) {
    check(operator, role);
    try {
      return insert(token, operator, role, createdBy, createdNs, expiresNs);
    } catch (SQLException e) {
      throw new StoreException("cannot store an API token in " + file, e);
    }
  }

  /**
   * Creates an admin token without expiry when no admin token is in force at {@code nowNs} (none
   * exists, or each is revoked or expired), calling {@code publisher} before committing (the
   * collector's bootstrap token: not lost when the file it is written to cannot be written). The
   * check and the insert are one transaction.
   *
   * @return empty when an admin token is in force
   * @throws StoreException when the store fails, IllegalStateException when the publisher fails
   *     (nothing is stored then)
   */
  public synchronized Optional<NewAdmin> createAdminIfNoneInForce(
      NewToken token, String operator, String createdBy, long nowNs, Publisher publisher) {
    check(operator, ADMIN);
    try {
      return transaction(
          () -> {
            if (count("role = 'admin' AND " + IN_FORCE, nowNs) > 0) {
              return Optional.empty();
            }
            int lapsed = count("role = 'admin'");
            ApiTokenRow row = insert(token, operator, ADMIN, createdBy, nowNs, 0);
            try {
              publisher.publish();
            } catch (Exception e) {
              throw new PublishFailed(e);
            }
            return Optional.of(new NewAdmin(row, lapsed));
          });
    } catch (SQLException e) {
      throw new StoreException("cannot store a bootstrap API token in " + file, e);
    } catch (PublishFailed e) {
      throw new IllegalStateException(
          "cannot hand out the bootstrap API token: " + e.getCause(), e.getCause());
    }
  }

  /**
   * The stored token whose secret has this SHA-256 (revoked and expired ones included; the caller
   * judges them); empty for none.
   */
  public synchronized Optional<ApiTokenRow> find(String tokenHash) {
    if (tokenHash == null || !HASH.matcher(tokenHash).matches()) {
      return Optional.empty();
    }
    return rows("SELECT " + COLUMNS + " FROM api_tokens WHERE token_hash = ?", tokenHash).stream()
        .findFirst();
  }

  /** Every token, newest first. */
  public synchronized List<ApiTokenRow> list() {
    return rows("SELECT " + COLUMNS + " FROM api_tokens ORDER BY created_ns DESC, token_id", null);
  }

  /** True when no token was ever created. */
  public synchronized boolean isEmpty() {
    return rows("SELECT " + COLUMNS + " FROM api_tokens LIMIT 1", null).isEmpty();
  }

  /**
   * Revokes a token: every call with it is refused from now on. The last admin token in force at
   * {@code nowNs} is not revoked: without one nobody could create tokens or revoke agents until the
   * collector restarts. Checking and revoking are one transaction, so two concurrent revocations
   * cannot each leave the other's token as the last one and then revoke it.
   *
   * @return false when it was already revoked
   * @throws NoSuchElementException for an unknown id
   * @throws IllegalStateException for the last admin token in force (the message says so)
   */
  public synchronized boolean revoke(String tokenId, long nowNs) {
    if (tokenId == null || !TOKEN_ID.matcher(tokenId).matches()) {
      throw new NoSuchElementException("no API token " + tokenId);
    }
    try {
      return transaction(
          () -> {
            List<ApiTokenRow> found =
                rows("SELECT " + COLUMNS + " FROM api_tokens WHERE token_id = ?", tokenId);
            if (found.isEmpty()) {
              throw new NoSuchElementException("no API token " + tokenId);
            }
            ApiTokenRow t = found.get(0);
            if (t.revokedNs() != 0) {
              return false;
            }
            boolean inForce = t.expiresNs() == 0 || t.expiresNs() > nowNs;
            if (inForce
                && t.role().equals(ADMIN)
                && count("role = 'admin' AND " + IN_FORCE, nowNs) <= 1) {
              throw new IllegalStateException(
                  "API token "
                      + tokenId
                      + " is the last admin token in force; create another admin token first");
            }
            try (PreparedStatement ps =
                connection.prepareStatement(
                    "UPDATE api_tokens SET revoked_ns = ? WHERE token_id = ? AND revoked_ns IS"
                        + " NULL")) {
              ps.setLong(1, nowNs);
              ps.setString(2, tokenId);
              return ps.executeUpdate() == 1;
            }
          });
    } catch (SQLException e) {
      throw new StoreException("cannot revoke API token " + tokenId + " in " + file, e);
    }
  }

  /** Records that the token authenticated a call at {@code nowNs}. */
  public synchronized void touch(String tokenId, long nowNs) {
    try (PreparedStatement ps =
        connection.prepareStatement("UPDATE api_tokens SET last_used_ns = ? WHERE token_id = ?")) {
      ps.setLong(1, nowNs);
      ps.setString(2, tokenId);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("cannot update API token " + tokenId + " in " + file, e);
    }
  }

  private ApiTokenRow insert(
      NewToken token,
      String operator,
      String role,
      String createdBy,
      long createdNs,
      long expiresNs)
      throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "INSERT INTO api_tokens(token_id, token_hash, operator, role, created_by, created_ns,"
                + " expires_ns) VALUES(?, ?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, token.tokenId());
      ps.setString(2, token.tokenHash());
      ps.setString(3, operator);
      ps.setString(4, role);
      ps.setString(5, createdBy);
      ps.setLong(6, createdNs);
      ps.setLong(7, expiresNs);
      ps.executeUpdate();
    }
    return new ApiTokenRow(token.tokenId(), operator, role, createdBy, createdNs, expiresNs, 0, 0);
  }

  private static void check(String operator, String role) {
    if (operator == null || !OPERATOR.matcher(operator).matches()) {
      throw new IllegalArgumentException(
          "operator: expected 1 to 64 of A-Z a-z 0-9 . _ @ -, got \"" + operator + "\"");
    }
    if (!Set.copyOf(ROLES).contains(role)) {
      throw new IllegalArgumentException("role: expected one of " + ROLES + ", got " + role);
    }
  }

  /** How many rows match {@code where}, whose parameters are {@code args}. */
  private int count(String where, long... args) throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement("SELECT count(*) FROM api_tokens WHERE " + where)) {
      for (int i = 0; i < args.length; i++) {
        ps.setLong(i + 1, args[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getInt(1) : 0;
      }
    }
  }

  private interface Work<T> {
    T run() throws SQLException;
  }

  /** Carries a publisher's failure out of a transaction (which it rolls back). */
  private static final class PublishFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PublishFailed(Exception cause) {
      super(cause);
    }
  }

  /**
   * Runs {@code work} in one {@code BEGIN IMMEDIATE} transaction (it takes the write lock before
   * reading what it checks), committed when it returns and rolled back when it throws. A failed
   * rollback is added to the original failure, which is what the caller sees.
   */
  private <T> T transaction(Work<T> work) throws SQLException {
    try (Statement st = connection.createStatement()) {
      st.execute("BEGIN IMMEDIATE");
    }
    T result;
    try {
      result = work.run();
      try (Statement st = connection.createStatement()) {
        st.execute("COMMIT");
      }
    } catch (SQLException | RuntimeException e) {
      try (Statement st = connection.createStatement()) {
        st.execute("ROLLBACK");
      } catch (SQLException rollback) {
        e.addSuppressed(rollback);
      }
      throw e;
    }
    return result;
  }

  private List<ApiTokenRow> rows(String sql, String arg) {
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      if (arg != null) {
        ps.setString(1, arg);
      }
      List<ApiTokenRow> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new ApiTokenRow(
                  rs.getString(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getLong(5),
                  rs.getLong(6),
                  rs.getLong(7),
                  rs.getLong(8)));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new StoreException("cannot read the API tokens in " + file, e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      throw new StoreException("cannot close " + file, e);
    }
  }
}
