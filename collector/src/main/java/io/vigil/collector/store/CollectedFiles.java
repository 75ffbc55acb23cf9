package io.vigil.collector.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * The records of collected files ({@code collected_files}) and the one question uploads ask of the
 * command queue: which agent a command was for and what it said ({@code commands}, read only here;
 * the queue writes it). The content lives in files under {@link #dataDir()}. Thread-safe
 * (serialised on its own connection); every method blocks on disk I/O and waits up to the busy
 * timeout for the ingest writer's lock. The caller owns it and closes it.
 */
public final class CollectedFiles implements AutoCloseable {
  private final Path file;
  private final Connection connection;

  private CollectedFiles(Path file, Connection connection) {
    this.file = file;
    this.connection = connection;
  }

  /**
   * Opens the tables of an existing, migrated collector database.
   *
   * @throws StoreException when the file is missing, not at this code's schema version, or cannot
   *     be opened
   */
  public static CollectedFiles open(Path file) {
    return new CollectedFiles(file, SqliteFiles.openCurrent(file, "collected files"));
  }

  /**
   * The directory collected files are stored under (their {@code stored_path} is relative to it):
   * the database's own directory.
   */
  public Path dataDir() {
    return file.toAbsolutePath().getParent();
  }

  /**
   * A queued or sent command as the queue stored it.
   *
   * @param agentId the agent it is for
   * @param action the queue's name of its action
   * @param payload the serialized {@code vigil.v1.Command}
   */
  public record CommandRow(String agentId, String action, byte[] payload) {}

  /** The command {@code commandId}, if the queue has it. */
  public synchronized Optional<CommandRow> command(String commandId) {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT agent_id, action, payload FROM commands WHERE command_id=?")) {
      ps.setString(1, commandId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next()
            ? Optional.of(new CommandRow(rs.getString(1), rs.getString(2), rs.getBytes(3)))
            : Optional.empty();
      }
    } catch (SQLException e) {
      throw new StoreException("cannot read the commands in " + file, e);
    }
  }

  /** The file collected for {@code commandId} (command ids are unique across agents). */
  public synchronized Optional<CollectedFileRow> find(String commandId) {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT agent_id, command_id, path, size, sha256, stored_path, received_ns"
                + " FROM collected_files WHERE command_id=?")) {
      ps.setString(1, commandId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next()
            ? Optional.of(
                new CollectedFileRow(
                    rs.getString(1),
                    rs.getString(2),
                    rs.getString(3),
                    rs.getLong(4),
                    rs.getString(5),
                    rs.getString(6),
                    rs.getLong(7)))
            : Optional.empty();
      }
    } catch (SQLException e) {
      throw new StoreException("cannot read the collected files in " + file, e);
    }
  }

  /**
   * Records a collected file.
   *
   * @return false when the command already has one (nothing is changed then)
   */
  public synchronized boolean insert(CollectedFileRow r) {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "INSERT OR IGNORE INTO collected_files(agent_id, command_id, path, size, sha256,"
                + " stored_path, received_ns) VALUES(?, ?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, r.agentId());
      ps.setString(2, r.commandId());
      ps.setString(3, r.path());
      ps.setLong(4, r.size());
      ps.setString(5, r.sha256());
      ps.setString(6, r.storedPath());
      ps.setLong(7, r.receivedNs());
      return ps.executeUpdate() == 1;
    } catch (SQLException e) {
      throw new StoreException("cannot record a collected file in " + file, e);
    }
  }

  /** The bytes of all collected files recorded. */
  public synchronized long totalBytes() {
    try (PreparedStatement ps =
            connection.prepareStatement("SELECT coalesce(sum(size), 0) FROM collected_files");
        ResultSet rs = ps.executeQuery()) {
      return rs.next() ? rs.getLong(1) : 0;
    } catch (SQLException e) {
      throw new StoreException("cannot sum the collected files in " + file, e);
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
