package io.vigil.collector.store;

import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Retention's deletes, in the writer's current transaction (see {@link EventStore#retention()}):
 * each call deletes one bounded chunk, so that the transaction stays short and batches do not wait.
 * Never touches {@code streams} (their watermarks make resume and dedupe work) nor the trust,
 * command and audit tables.
 *
 * <p>Not thread-safe: used on the ingest writer thread, like the rest of {@link EventStore}.
 */
public final class RetentionWrites {
  private static final String CLOSED =
      "SELECT id FROM alerts WHERE id >= ? AND id < ? AND state = 'closed'";

  private final StatementCache statements;

  RetentionWrites(StatementCache statements) {
    this.statements = statements;
  }

  /** Deletes the events with {@code fromId <= id < toId}; returns how many. */
  public int deleteEvents(long fromId, long toId) {
    return update("DELETE FROM events WHERE id >= ? AND id < ?", fromId, toId);
  }

  /**
   * Deletes up to {@code limit} process rows whose exec is before {@code beforeNs}, except those a
   * stored process still names as its parent (trees and parent chains must resolve; the row goes in
   * a later run, after its children). Nor those of a process the collector stored an event of since
   * {@code beforeNs} (processes.last_event_ns, written by the ingest writer every few seconds, not
   * per event; asking the events would need an index on events.entity_id, which costs ingest too
   * much): it may still be running, and its later alerts and {@code vigilctl tree} need its row.
   */
  public int deleteProcesses(long beforeNs, int limit) {
    return update(
        "DELETE FROM processes WHERE rowid IN (SELECT p.rowid FROM processes p"
            + " WHERE max(p.exec_time_ns, coalesce(p.last_event_ns, 0)) < ? AND NOT EXISTS (SELECT 1 FROM processes c"
            + " WHERE c.agent_id = p.agent_id AND c.parent_entity_id = p.entity_id)"
            + " LIMIT ?)",
        beforeNs,
        limit);
  }

  /** Deletes up to {@code limit} correlation inputs of events before {@code beforeNs}. */
  public int deleteCorrelationInputs(long beforeNs, int limit) {
    return update(
        "DELETE FROM correlation_inputs WHERE id IN (SELECT id FROM correlation_inputs"
            + " WHERE event_time_ns < ? LIMIT ?)",
        beforeNs,
        limit);
  }

  /** Deletes up to {@code limit} dead letters received before {@code beforeNs}. */
  public int deleteDeadLetters(long beforeNs, int limit) {
    return update(
        "DELETE FROM dead_letters WHERE id IN (SELECT id FROM dead_letters"
            + " WHERE received_ns < ? LIMIT ?)",
        beforeNs,
        limit);
  }

  /** Deletes up to {@code limit} gap reports whose last event is before {@code beforeNs}. */
  public int deleteGaps(long beforeNs, int limit) {
    return update(
        "DELETE FROM gaps WHERE id IN (SELECT id FROM gaps WHERE last_event_time_ns < ? LIMIT ?)",
        beforeNs,
        limit);
  }

  /**
   * Deletes up to {@code limit} holes detected before {@code beforeNs} that are settled (explained
   * or reported): an open hole is still the continuity tracker's business.
   */
  public int deleteHoles(long beforeNs, int limit) {
    return update(
        "DELETE FROM holes WHERE id IN (SELECT id FROM holes WHERE detected_ns < ?"
            + " AND (explained <> 0 OR reported <> 0) LIMIT ?)",
        beforeNs,
        limit);
  }

  /**
   * Deletes the closed alerts with {@code fromId <= id < toId} with their member events and triage
   * history; returns how many rows of each ({@code alerts, alert_events, alert_changes}). Open
   * alerts (new, acknowledged) stay, whatever their age: they are work not done yet. The state is
   * checked here, in the writer's transaction, so an alert reopened meanwhile stays too.
   */
  public int[] deleteClosedAlerts(long fromId, long toId) {
    int members =
        update("DELETE FROM alert_events WHERE alert_id IN (" + CLOSED + ")", fromId, toId);
    int changes =
        update("DELETE FROM alert_changes WHERE alert_id IN (" + CLOSED + ")", fromId, toId);
    int alerts = update("DELETE FROM alerts WHERE id IN (" + CLOSED + ")", fromId, toId);
    return new int[] {alerts, members, changes};
  }

  private int update(String sql, long a, long b) {
    try {
      PreparedStatement ps = statements.get(sql);
      ps.setLong(1, a);
      ps.setLong(2, b);
      return ps.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("retention delete failed: " + sql, e);
    }
  }
}
