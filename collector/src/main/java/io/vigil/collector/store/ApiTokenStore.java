package io.vigil.collector.store;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The operator API's tokens ({@code api_tokens}). A token's text is {@code vigil-api-} and 43
 * base64url characters (32 random bytes); the table keeps only its SHA-256 (hex), so a copy of the
 * database lets nobody call the API. Each token also has a short random public id for listing and
 * revoking.
 *
 * <p>Thread-safe (serialised on its own connection); every method blocks on disk I/O and waits up
 * to the busy timeout for the ingest writer's lock. The caller owns it and closes it.
 */
public final class ApiTokenStore implements AutoCloseable {
  /** What every API token's text starts with (so that a leaked one is recognisable). */
  public static final String PREFIX = "vigil-api-";

  /** The roles, lowest first. */
  public static final List<String> ROLES = List.of("viewer", "responder", "admin");

  /** What an operator name may be. */
  public static final Pattern OPERATOR = Pattern.compile("[A-Za-z0-9._@-]{1,64}");

  private static final Pattern TOKEN = Pattern.compile("vigil-api-[A-Za-z0-9_-]{43}");
  private static final Pattern TOKEN_ID = Pattern.compile("[0-9a-f]{12}");
  private static final String COLUMNS =
      "token_id, operator, role, created_by, created_ns, expires_ns, coalesce(revoked_ns, 0),"
          + " coalesce(last_used_ns, 0)";

  private final Path file;
  private final Connection connection;
  private final SecureRandom random = new SecureRandom();

  private ApiTokenStore(Path file, Connection connection) {
    this.file = file;
    this.connection = connection;
  }

  /**
   * Opens the token table of an existing, migrated collector database.
   *
   * @throws StoreException when the file is missing or cannot be opened
   */
  public static ApiTokenStore open(Path file) {
    try {
      return new ApiTokenStore(file, SqliteFiles.openExisting(file));
    } catch (SQLException e) {
      throw new StoreException("cannot open the API tokens in " + file, e);
    }
  }

  /**
   * A new token.
   *
   * @param token the secret, shown once
   * @param row what is stored about it
   */
  public record Created(String token, ApiTokenRow row) {}

  /** Receives a new token's secret inside its transaction: a failure rolls the token back. */
  public interface Publisher {
    void publish(String token) throws Exception;
  }

  /**
   * Creates a token.
   *
   * @param expiresNs UTC ns; 0 for no expiry
   * @throws IllegalArgumentException for a bad operator name or role (the message says which)
   */
  public synchronized Created create(
      String operator, String role, String createdBy, long createdNs, long expiresNs) {
    check(operator, role);
    try {
      return insert(operator, role, createdBy, createdNs, expiresNs);
    } catch (SQLException e) {
      throw new StoreException("cannot store an API token in " + file, e);
    }
  }

  /**
   * Creates a token only when the table is empty, handing its secret to {@code publisher} before
   * committing (the collector's bootstrap token: created once, and not lost when the file it is
   * written to cannot be written).
   *
   * @return empty when a token existed already
   * @throws StoreException when the store fails, IllegalStateException when the publisher fails
   *     (nothing is stored then)
   */
  public synchronized Optional<Created> createFirst(
      String operator, String role, String createdBy, long createdNs, Publisher publisher) {
    check(operator, role);
    try {
      try (Statement st = connection.createStatement()) {
        st.execute("BEGIN IMMEDIATE");
      }
      boolean commit = false;
      try {
        boolean empty;
        try (Statement st = connection.createStatement();
            ResultSet rs = st.executeQuery("SELECT count(*) FROM api_tokens")) {
          empty = rs.next() && rs.getLong(1) == 0;
        }
        if (!empty) {
          return Optional.empty();
        }
        Created c = insert(operator, role, createdBy, createdNs, 0);
        publisher.publish(c.token());
        commit = true;
        return Optional.of(c);
      } finally {
        try (Statement st = connection.createStatement()) {
          st.execute(commit ? "COMMIT" : "ROLLBACK");
        }
      }
    } catch (SQLException e) {
      throw new StoreException("cannot store the first API token in " + file, e);
    } catch (StoreException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("cannot hand out the first API token: " + e, e);
    }
  }

  /**
   * The stored token whose text is {@code token} (revoked and expired ones included; the caller
   * judges them); empty for text that is no token of this collector.
   */
  public synchronized Optional<ApiTokenRow> find(String token) {
    if (token == null || !TOKEN.matcher(token).matches()) {
      return Optional.empty();
    }
    return rows("SELECT " + COLUMNS + " FROM api_tokens WHERE token_hash = ?", hash(token)).stream()
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
   * Revokes a token: every call with it is refused from now on.
   *
   * @return false when it was already revoked
   * @throws NoSuchElementException for an unknown id
   */
  public synchronized boolean revoke(String tokenId, long nowNs) {
    if (tokenId == null || !TOKEN_ID.matcher(tokenId).matches()) {
      throw new NoSuchElementException("no API token " + tokenId);
    }
    try (PreparedStatement ps =
        connection.prepareStatement(
            "UPDATE api_tokens SET revoked_ns = ? WHERE token_id = ? AND revoked_ns IS NULL")) {
      ps.setLong(1, nowNs);
      ps.setString(2, tokenId);
      if (ps.executeUpdate() == 1) {
        return true;
      }
    } catch (SQLException e) {
      throw new StoreException("cannot revoke API token " + tokenId + " in " + file, e);
    }
    if (rows("SELECT " + COLUMNS + " FROM api_tokens WHERE token_id = ?", tokenId).isEmpty()) {
      throw new NoSuchElementException("no API token " + tokenId);
    }
    return false;
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

  private Created insert(
      String operator, String role, String createdBy, long createdNs, long expiresNs)
      throws SQLException {
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    byte[] id = new byte[6];
    random.nextBytes(id);
    String tokenId = HexFormat.of().formatHex(id);
    try (PreparedStatement ps =
        connection.prepareStatement(
            "INSERT INTO api_tokens(token_id, token_hash, operator, role, created_by, created_ns,"
                + " expires_ns) VALUES(?, ?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, tokenId);
      ps.setString(2, hash(token));
      ps.setString(3, operator);
      ps.setString(4, role);
      ps.setString(5, createdBy);
      ps.setLong(6, createdNs);
      ps.setLong(7, expiresNs);
      ps.executeUpdate();
    }
    return new Created(
        token, new ApiTokenRow(tokenId, operator, role, createdBy, createdNs, expiresNs, 0, 0));
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

  /** SHA-256 of the token's text, lower-case hex: what the table stores. */
  static String hash(String token) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
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
