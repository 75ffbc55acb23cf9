package io.vigil.collector.store;

import io.vigil.proto.v1.EventKind;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The process tree around one process, read from the process table (children by {@code
 * processes_by_parent}) and a forward scan of the agent's events from the process's exec (there is
 * no index on events.entity_id: it would halve ingest): the process's ancestors as an alert's
 * parent chain is walked ({@link ProcessChain}: up to the session leader, or to init outside a
 * session), its descendants breadth-first, and the events of all of them except their execs
 * (connections, flows, DNS, HTTP, TLS, files, audit messages, exits). An ancestor's events count
 * only from the process's own exec on: a login shell's earlier history is not about it.
 *
 * <p>Everything is bounded: generations of descendants (the caller's depth), descendants in all
 * ({@link #MAX_DESCENDANTS}) and events (the caller's limit, at most {@link #MAX_EVENTS}), the rows
 * scanned for them ({@link #MAX_SCANNED_ROWS}); what is cut is reported as {@link
 * StoredTree#truncated()}.
 *
 * <p>Its own read-only connection, so a tree never waits for other readers of the operator API, and
 * under WAL it neither blocks ingest nor waits for it. Thread-safe (calls are serialised on the
 * connection); blocks on disk I/O. The caller owns it and closes it.
 */
public final class ProcessTreeReader implements AutoCloseable {
  /** Most descendants a tree holds; past them the tree is truncated. */
  public static final int MAX_DESCENDANTS = 1000;

  /** Most events a tree holds, whatever the caller asks. */
  public static final int MAX_EVENTS = 20_000;

  /** Most generations of descendants followed, whatever the caller asks. */
  public static final int MAX_DEPTH = 64;

  /**
   * Most event rows (by id) one tree scans, whatever it finds: about a second or two of disk reads
   * on a busy store. Past them the tree is truncated.
   */
  public static final long MAX_SCANNED_ROWS = 2_000_000;

  /** Rowids before the target's exec event the scan starts at (see {@link #events}). */
  private static final long REWIND_ROWS = 10_000;

  /** Rowids read per statement of the scan; the statement is closed between chunks. */
  private static final long SCAN_CHUNK = 50_000;

  private static final String PROCESS_COLUMNS =
      "entity_id, coalesce(parent_entity_id, ''), pid, coalesce(parent_pid, 0), image,"
          + " command_line, coalesce(user, ''), coalesce(session_id, -1), exec_time_ns";

  private final Connection connection;

  private ProcessTreeReader(Connection connection) {
    this.connection = connection;
  }

  /** Opens a read-only connection to the collector's database {@code file}. */
  public static ProcessTreeReader open(Path file) {
    try {
      return new ProcessTreeReader(SqliteFiles.openReader(file));
    } catch (SQLException e) {
      throw new StoreException("cannot open event store " + file + " read-only", e);
    }
  }

  /**
   * The tree around agent {@code agentId}'s process {@code entityId}; empty when the process table
   * has no such process.
   *
   * @param maxEvents events at most, 1 to {@link #MAX_EVENTS}
   * @param maxDepth generations of descendants followed, 0 to {@link #MAX_DEPTH}
   * @throws IllegalArgumentException for a bound out of range
   */
  public synchronized Optional<StoredTree> read(
      String agentId, String entityId, int maxEvents, int maxDepth) {
    if (maxEvents < 1 || maxEvents > MAX_EVENTS) {
      throw new IllegalArgumentException("max_events: expected 1 to " + MAX_EVENTS);
    }
    if (maxDepth < 0 || maxDepth > MAX_DEPTH) {
      throw new IllegalArgumentException("max_depth: expected 0 to " + MAX_DEPTH);
    }
    try {
      Map<String, Row> rows = new HashMap<>();
      Row target = row(agentId, entityId, rows);
      if (target == null) {
        return Optional.empty();
      }
      List<StoredTree.Process> processes = ancestors(agentId, target, rows);
      processes.add(target.process(StoredTree.Relation.TARGET, 0));
      Set<String> seen = new HashSet<>();
      processes.forEach(p -> seen.add(p.entityId()));
      List<String> ancestorIds =
          processes.subList(0, processes.size() - 1).stream()
              .map(StoredTree.Process::entityId)
              .toList();
      Descendants d = descendants(agentId, target, maxDepth, seen);
      processes.addAll(d.inOrder());
      List<String> ownIds = new ArrayList<>(List.of(entityId));
      d.inOrder().forEach(p -> ownIds.add(p.entityId()));
      Found found = events(agentId, target, ownIds, ancestorIds, target.execTimeNs, maxEvents + 1);
      List<StoredTree.Event> events = found.events();
      events.sort(
          (a, b) ->
              a.eventTimeNs() != b.eventTimeNs()
                  ? Long.compare(a.eventTimeNs(), b.eventTimeNs())
                  : Long.compare(a.receiveTimeNs(), b.receiveTimeNs()));
      boolean cut = events.size() > maxEvents;
      if (cut) {
        events = new ArrayList<>(events.subList(0, maxEvents));
      }
      return Optional.of(
          new StoredTree(processes, events, cut || found.truncated() || d.truncated()));
    } catch (SQLException e) {
      throw new StoreException("cannot read the process tree of " + entityId, e);
    }
  }

  /** The ancestors, oldest first, walked the way an alert's chain is. */
  private List<StoredTree.Process> ancestors(String agentId, Row target, Map<String, Row> rows)
      throws SQLException {
    SQLException[] failed = {null};
    ProcessChain.Walk walk =
        ProcessChain.walk(
            target.facts(),
            id -> {
              try {
                Row r = row(agentId, id, rows);
                return r == null ? null : r.node();
              } catch (SQLException e) {
                failed[0] = e;
                return null;
              }
            });
    if (failed[0] != null) {
      throw failed[0];
    }
    List<StoredTree.Process> out = new ArrayList<>();
    List<ProcessChain.Node> chain = walk.chain();
    for (int i = chain.size() - 1; i >= 0; i--) {
      ProcessChain.Node n = chain.get(i);
      Row r = rows.get(n.entityId());
      int depth = -(i + 1);
      if (r != null && n.stored()) {
        out.add(r.process(StoredTree.Relation.ANCESTOR, depth));
      } else {
        // Known only from the child's parent link: its exec was not seen.
        out.add(
            new StoredTree.Process(
                n.entityId(),
                n.parentEntityId(),
                n.pid(),
                0,
                n.image(),
                n.commandLine(),
                n.user(),
                0,
                StoredTree.Relation.ANCESTOR,
                depth));
      }
    }
    return out;
  }

  /** Descendants found breadth-first, and their order for the reply. */
  private record Descendants(List<StoredTree.Process> inOrder, boolean truncated) {}

  private Descendants descendants(String agentId, Row target, int maxDepth, Set<String> seen)
      throws SQLException {
    Map<String, List<Row>> children = new HashMap<>();
    List<Row> level = List.of(target);
    int found = 0;
    boolean truncated = false;
    int depth = 0;
    collect:
    while (!level.isEmpty() && depth < maxDepth) {
      List<Row> next = new ArrayList<>();
      for (Row parent : level) {
        for (Row child : children(agentId, parent.entityId, MAX_DESCENDANTS - found + 1)) {
          if (!seen.add(child.entityId)) {
            continue; // a cycle in parent links, or an ancestor: shown once
          }
          if (found == MAX_DESCENDANTS) {
            truncated = true;
            break collect;
          }
          found++;
          children.computeIfAbsent(parent.entityId, k -> new ArrayList<>()).add(child);
          next.add(child);
        }
      }
      level = next;
      depth++;
    }
    if (!truncated && depth == maxDepth) {
      for (Row r : level) {
        if (!children(agentId, r.entityId, 1).isEmpty()) {
          truncated = true;
          break;
        }
      }
    }
    List<StoredTree.Process> out = new ArrayList<>();
    preorder(target.entityId, 1, children, out);
    return new Descendants(out, truncated);
  }

  private static void preorder(
      String parent, int depth, Map<String, List<Row>> children, List<StoredTree.Process> out) {
    for (Row child : children.getOrDefault(parent, Collections.emptyList())) {
      out.add(child.process(StoredTree.Relation.DESCENDANT, depth));
      preorder(child.entityId, depth + 1, children, out); // depth at most MAX_DEPTH
    }
  }

  private List<Row> children(String agentId, String parentEntityId, int limit) throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT "
                + PROCESS_COLUMNS
                + " FROM processes WHERE agent_id=? AND parent_entity_id=?"
                + " ORDER BY exec_time_ns, entity_id LIMIT ?")) {
      ps.setString(1, agentId);
      ps.setString(2, parentEntityId);
      ps.setInt(3, limit);
      List<Row> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(Row.of(rs));
        }
      }
      return out;
    }
  }

  private Row row(String agentId, String entityId, Map<String, Row> cache) throws SQLException {
    Row cached = cache.get(entityId);
    if (cached != null) {
      return cached;
    }
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT " + PROCESS_COLUMNS + " FROM processes WHERE agent_id=? AND entity_id=?")) {
      ps.setString(1, agentId);
      ps.setString(2, entityId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        Row r = Row.of(rs);
        cache.put(entityId, r);
        return r;
      }
    }
  }

  /** What the forward scan found, and whether a bound stopped it before the newest event. */
  private record Found(List<StoredTree.Event> events, boolean truncated) {}

  /**
   * The events of the tree's processes, their execs left out, found by scanning the agent's events
   * forward by id from the target's exec: {@code ownIds}' events (the target and its descendants)
   * whatever their time, {@code ancestorIds}' from {@code sinceNs} (the target's exec time) on.
   * Stops after {@code limit} events (the caller cuts to the oldest by time) or {@link
   * #MAX_SCANNED_ROWS} rows; either is reported as truncated when events were left unread.
   *
   * <p>No index on events.entity_id: one would cost the ingest writer a random b-tree insert per
   * event (docs/PERFORMANCE.md); a tree is rare, ingest is constant. Scanned in chunks of {@link
   * #SCAN_CHUNK} rowids, each its own statement closed before the next, so a long scan holds no
   * read snapshot for long (the WAL can be checkpointed between chunks).
   */
  private Found events(
      String agentId,
      Row target,
      List<String> ownIds,
      List<String> ancestorIds,
      long sinceNs,
      int limit)
      throws SQLException {
    List<StoredTree.Event> out = new ArrayList<>();
    List<Long> streams = streams(agentId);
    if (streams.isEmpty()) {
      return new Found(out, false);
    }
    Set<String> own = new HashSet<>(ownIds);
    List<String> all = new ArrayList<>(ownIds);
    all.addAll(ancestorIds);
    RetentionReads reads = new RetentionReads(connection); // not closed: the connection is ours
    long end = reads.maxId("events") + 1;
    // A little before the exec: the agent's sensors report independently, so an event of the
    // process (a connection right after its exec) may be stored just before its exec event.
    long from = Math.max(0, startId(agentId, target, reads) - REWIND_ROWS);
    String sql = scanSql(streams.size(), all.size());
    long scanned = 0;
    while (from < end) {
      if (scanned >= MAX_SCANNED_ROWS) {
        return new Found(out, true);
      }
      long to = Math.min(end, from + SCAN_CHUNK);
      try (PreparedStatement ps = connection.prepareStatement(sql)) {
        int i = 1;
        ps.setLong(i++, from);
        ps.setLong(i++, to);
        ps.setInt(i++, EventKind.EVENT_KIND_PROCESS_EXEC_VALUE);
        for (long s : streams) {
          ps.setLong(i++, s);
        }
        for (String id : all) {
          ps.setString(i++, id);
        }
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            String entity = rs.getString(1);
            long time = rs.getLong(2);
            if (!own.contains(entity) && time < sinceNs) {
              continue; // an ancestor's event from before the target's exec: not about it
            }
            out.add(new StoredTree.Event(entity, time, rs.getLong(3), rs.getBytes(4)));
            if (out.size() >= limit) {
              return new Found(out, true);
            }
          }
        }
      }
      scanned += to - from;
      from = to;
    }
    return new Found(out, false);
  }

  /** The agent's streams (one per epoch). */
  private List<Long> streams(String agentId) throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement("SELECT stream_id FROM streams WHERE agent_id=?")) {
      ps.setString(1, agentId);
      List<Long> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getLong(1));
        }
      }
      return out;
    }
  }

  /**
   * Where the scan starts: the id of the target's exec event (events_stream_seq), or, when
   * retention deleted it, the first event received at or after its exec time.
   */
  private long startId(String agentId, Row target, RetentionReads reads) throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT e.id FROM processes p JOIN events e"
                + " ON e.stream_id = p.stream_id AND e.seq = p.seq"
                + " WHERE p.agent_id = ? AND p.entity_id = ?")) {
      ps.setString(1, agentId);
      ps.setString(2, target.entityId);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          return rs.getLong(1);
        }
      }
    }
    return reads.firstIdAtOrAfter("events", "receive_time_ns", target.execTimeNs);
  }

  /**
   * The chunk query of the event scan for {@code streams} streams and {@code entities} entity ids.
   * "+stream_id": without statistics SQLite would serve the stream term from {@code
   * events_stream_seq} and walk all of the agent's events for every chunk; the rowid range is what
   * bounds the scan. Package-private: a test checks the plan.
   */
  static String scanSql(int streams, int entities) {
    return "SELECT entity_id, event_time_ns, receive_time_ns, payload FROM events"
        + " WHERE id >= ? AND id < ? AND kind <> ?"
        + " AND +stream_id IN ("
        + String.join(",", Collections.nCopies(streams, "?"))
        + ") AND entity_id IN ("
        + String.join(",", Collections.nCopies(entities, "?"))
        + ") ORDER BY id";
  }

  /** A process table row. */
  private record Row(
      String entityId,
      String parentEntityId,
      long pid,
      long parentPid,
      String image,
      String commandLine,
      String user,
      long sessionId,
      long execTimeNs) {
    static Row of(ResultSet rs) throws SQLException {
      return new Row(
          rs.getString(1),
          rs.getString(2),
          rs.getLong(3),
          rs.getLong(4),
          rs.getString(5),
          rs.getString(6),
          rs.getString(7),
          rs.getLong(8),
          rs.getLong(9));
    }

    ProcessChain.Node node() {
      return new ProcessChain.Node(
          entityId, pid, parentEntityId, image, commandLine, user, sessionId, true);
    }

    ProcessFacts facts() {
      return new ProcessFacts(
          false,
          entityId,
          pid,
          image,
          commandLine,
          user,
          0,
          parentEntityId,
          parentPid,
          "",
          "",
          sessionId);
    }

    StoredTree.Process process(StoredTree.Relation relation, int depth) {
      return new StoredTree.Process(
          entityId,
          parentEntityId,
          pid,
          parentPid,
          image,
          commandLine,
          user,
          execTimeNs,
          relation,
          depth);
    }
  }

  @Override
  public synchronized void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      throw new StoreException("cannot close the process tree reader", e);
    }
  }
}
