package io.vigil.collector.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The schema and its migrations. Each migration is applied once, in order, in one transaction
 * together with the {@code schema_version} row that records it, so a crash mid-migration leaves the
 * previous version intact.
 */
final class Schema {
  /**
   * Migration {@code i} brings the schema from version {@code i} to {@code i + 1}. Append only:
   * never edit a migration that has shipped.
   */
  private static final List<List<String>> MIGRATIONS =
      List.of(
          List.of(
              """
              CREATE TABLE agents(
                agent_id TEXT PRIMARY KEY,
                hostname TEXT,
                host_info BLOB,
                agent_version TEXT,
                first_seen_ns INTEGER NOT NULL,
                last_seen_ns INTEGER NOT NULL,
                clock_skew_ns INTEGER,
                current_epoch TEXT)""",
              // stream_id keeps the 72 bytes of agent id + epoch out of every event row.
              """
              CREATE TABLE streams(
                stream_id INTEGER PRIMARY KEY,
                agent_id TEXT NOT NULL,
                epoch TEXT NOT NULL,
                watermark INTEGER NOT NULL DEFAULT 0,
                first_seen_ns INTEGER NOT NULL,
                UNIQUE(agent_id, epoch))""",
              """
              CREATE TABLE events(
                id INTEGER PRIMARY KEY,
                stream_id INTEGER NOT NULL,
                seq INTEGER NOT NULL,
                kind INTEGER NOT NULL,
                event_time_ns INTEGER NOT NULL,
                receive_time_ns INTEGER NOT NULL,
                payload BLOB NOT NULL)""",
              // Unique: the database itself refuses a second copy of a seq, whatever the ingest
              // code believes the watermark to be. Its cost is measured in the ADR.
              "CREATE UNIQUE INDEX events_stream_seq ON events(stream_id, seq)",
              // For people at the sqlite3 prompt: events with their agent and epoch spelled out.
              """
              CREATE VIEW events_v AS
                SELECT e.id, s.agent_id, s.epoch, e.seq, e.kind, e.event_time_ns,
                       e.receive_time_ns, e.payload
                FROM events e JOIN streams s ON s.stream_id = e.stream_id""",
              """
              CREATE TABLE gaps(
                id INTEGER PRIMARY KEY,
                agent_id TEXT NOT NULL,
                epoch TEXT NOT NULL,
                seq INTEGER NOT NULL,
                reason TEXT NOT NULL,
                first_seq INTEGER NOT NULL,
                last_seq INTEGER NOT NULL,
                count INTEGER NOT NULL,
                counts_by_kind TEXT NOT NULL,
                first_event_time_ns INTEGER NOT NULL,
                last_event_time_ns INTEGER NOT NULL,
                source TEXT NOT NULL)""",
              """
              CREATE TABLE holes(
                id INTEGER PRIMARY KEY,
                agent_id TEXT NOT NULL,
                epoch TEXT NOT NULL,
                first_seq INTEGER NOT NULL,
                last_seq INTEGER NOT NULL,
                detected_ns INTEGER NOT NULL,
                explained INTEGER NOT NULL DEFAULT 0,
                reported INTEGER NOT NULL DEFAULT 0)""",
              """
              CREATE TABLE dead_letters(
                id INTEGER PRIMARY KEY,
                agent_id TEXT NOT NULL,
                epoch TEXT NOT NULL,
                seq INTEGER NOT NULL,
                received_ns INTEGER NOT NULL,
                reason TEXT NOT NULL,
                raw BLOB NOT NULL,
                raw_size INTEGER NOT NULL)""",
              // Keyed by agent too: one agent must not be able to pre-empt another agent's result
              // by sending a result under that agent's command id first.
              """
              CREATE TABLE command_results(
                agent_id TEXT NOT NULL,
                command_id TEXT NOT NULL,
                outcome TEXT NOT NULL,
                detail TEXT NOT NULL,
                finished_ns INTEGER NOT NULL,
                received_ns INTEGER NOT NULL,
                payload BLOB NOT NULL,
                PRIMARY KEY(agent_id, command_id))"""),
          // Version 2: alerts, the findings of the detection engine on stored events.
          List.of(
              // AUTOINCREMENT: an alert id is what an analyst quotes in a ticket, so it is never
              // reused, even after the newest alerts were deleted. (stream_id, seq) is the event's
              // key; agent_id is copied in so that per-agent queries need no join. tags is a JSON
              // array of strings, matched_fields a JSON object of field name to array of values.
              """
              CREATE TABLE alerts(
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                agent_id TEXT NOT NULL,
                stream_id INTEGER NOT NULL,
                seq INTEGER NOT NULL,
                event_kind INTEGER NOT NULL,
                event_time_ns INTEGER NOT NULL,
                stored_ns INTEGER NOT NULL,
                rule_id TEXT NOT NULL,
                title TEXT NOT NULL,
                level TEXT,
                tags TEXT NOT NULL,
                matched_fields TEXT NOT NULL,
                rule_origin TEXT NOT NULL)""",
              // One alert per rule and event, whatever the ingest code believes; also the index
              // from an event to its alerts.
              "CREATE UNIQUE INDEX alerts_event_rule ON alerts(stream_id, seq, rule_id)",
              """
              CREATE VIEW alerts_v AS
                SELECT a.id, a.agent_id, s.epoch, a.seq, a.event_kind, a.event_time_ns,
                       a.stored_ns, a.rule_id, a.title, a.level, a.tags, a.matched_fields,
                       a.rule_origin
                FROM alerts a JOIN streams s ON s.stream_id = a.stream_id"""),
          // Version 3: the alert workflow (correlations, threat intel, suppression, triage) and
          // the process table that gives every alert its parent chain.
          List.of(
              // source: sigma, correlation or intel. The alert's own event (stream_id, seq) is
              // its anchor: for a correlation the event that completed it, so a replayed backlog
              // finds the same anchor and INSERT OR IGNORE adds nothing. count: matches folded
              // into this alert by suppression (1 = just its own). dedupe_key: what "identical"
              // means for suppression (NULL: never folded). process: JSON of the acting process
              // with its parent chain. indicator: JSON of the threat-intel indicator (intel only).
              // group_key: a correlation's group-by values, JSON (correlation only).
              "ALTER TABLE alerts ADD COLUMN source TEXT NOT NULL DEFAULT 'sigma'",
              "ALTER TABLE alerts ADD COLUMN state TEXT NOT NULL DEFAULT 'new'",
              "ALTER TABLE alerts ADD COLUMN close_reason TEXT",
              "ALTER TABLE alerts ADD COLUMN assignee TEXT",
              "ALTER TABLE alerts ADD COLUMN count INTEGER NOT NULL DEFAULT 1",
              "ALTER TABLE alerts ADD COLUMN first_event_time_ns INTEGER",
              "ALTER TABLE alerts ADD COLUMN last_event_time_ns INTEGER",
              "ALTER TABLE alerts ADD COLUMN dedupe_key TEXT",
              "ALTER TABLE alerts ADD COLUMN hostname TEXT",
              "ALTER TABLE alerts ADD COLUMN entity_id TEXT",
              "ALTER TABLE alerts ADD COLUMN process TEXT",
              "ALTER TABLE alerts ADD COLUMN indicator TEXT",
              "ALTER TABLE alerts ADD COLUMN group_key TEXT",
              "ALTER TABLE alerts ADD COLUMN updated_ns INTEGER",
              // Alerts from before version 3 span just their own event.
              "UPDATE alerts SET first_event_time_ns=event_time_ns,"
                  + " last_event_time_ns=event_time_ns, updated_ns=stored_ns",
              // Suppression looks up the open alerts of a key first seen within a window of an
              // event time: a range on this index, however many older alerts the key has.
              "CREATE INDEX alerts_dedupe ON alerts(dedupe_key, first_event_time_ns)"
                  + " WHERE dedupe_key IS NOT NULL",
              "CREATE INDEX alerts_state ON alerts(state, id)",
              // The events behind an alert other than its anchor: a correlation's members, the
              // matches suppression folded in (the first ones only; count says how many).
              """
              CREATE TABLE alert_events(
                alert_id INTEGER NOT NULL,
                stream_id INTEGER NOT NULL,
                seq INTEGER NOT NULL,
                event_time_ns INTEGER NOT NULL,
                role TEXT NOT NULL,
                PRIMARY KEY(alert_id, stream_id, seq))""",
              // Triage history, append only: who changed what when.
              """
              CREATE TABLE alert_changes(
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                alert_id INTEGER NOT NULL,
                at_ns INTEGER NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                old_value TEXT,
                new_value TEXT,
                note TEXT)""",
              "CREATE INDEX alert_changes_alert ON alert_changes(alert_id, id)",
              // Every exec seen, for parent chains: the agent's entity ids never repeat.
              """
              CREATE TABLE processes(
                agent_id TEXT NOT NULL,
                entity_id TEXT NOT NULL,
                pid INTEGER NOT NULL,
                parent_entity_id TEXT,
                parent_pid INTEGER,
                image TEXT NOT NULL,
                command_line TEXT NOT NULL,
                user TEXT,
                session_id INTEGER,
                start_time_ns INTEGER,
                exec_time_ns INTEGER NOT NULL,
                stream_id INTEGER NOT NULL,
                seq INTEGER NOT NULL,
                PRIMARY KEY(agent_id, entity_id))""",
              // The acting process of an event, so "everything this process did" is one query
              // (a range of the stream's primary key around the alert, filtered by this column;
              // not indexed: a random-key index on every event cost as much as the event).
              "ALTER TABLE events ADD COLUMN entity_id TEXT",
              // What correlations were fed, so their windows survive a collector restart: one row
              // per finding of a rule a correlation refers to, with the field values it needs.
              """
              CREATE TABLE correlation_inputs(
                id INTEGER PRIMARY KEY,
                rule_id TEXT NOT NULL,
                agent_id TEXT NOT NULL,
                stream_id INTEGER NOT NULL,
                seq INTEGER NOT NULL,
                event_time_ns INTEGER NOT NULL,
                fields TEXT NOT NULL)""",
              "CREATE INDEX correlation_inputs_time ON correlation_inputs(event_time_ns)",
              "DROP VIEW alerts_v",
              """
              CREATE VIEW alerts_v AS
                SELECT a.id, a.agent_id, s.epoch, a.seq, a.event_kind, a.event_time_ns,
                       a.stored_ns, a.rule_id, a.title, a.level, a.tags, a.matched_fields,
                       a.rule_origin, a.source, a.state, a.close_reason, a.assignee, a.count,
                       a.first_event_time_ns, a.last_event_time_ns, a.hostname, a.entity_id,
                       a.process, a.indicator, a.group_key, a.updated_ns
                FROM alerts a JOIN streams s ON s.stream_id = a.stream_id"""),
          // Version 4: the collector's mirror of each agent's file-integrity baseline. Root on a
          // host can edit the agent's local baseline, not this copy; see io.vigil.collector.fim.
          List.of(
              // path: the UTF-8 bytes as a BLOB, so that ORDER BY path is the order FimDigest
              // takes entries in (SQLite compares BLOBs with memcmp, shorter first on a common
              // prefix: Arrays.compareUnsigned exactly), whatever text encoding or collation the
              // connection uses. state: a serialized vigil.v1.FileState. Without rowid: the table
              // is its primary key's b-tree, so an agent's mirror is read in path order in place.
              """
              CREATE TABLE fim_mirror(
                agent_id TEXT NOT NULL,
                path BLOB NOT NULL,
                state BLOB NOT NULL,
                PRIMARY KEY(agent_id, path)) WITHOUT ROWID""",
              // The parts of a FimBaseline being received (they may span batches and transactions):
              // one baseline per agent at a time, moved into fim_mirror when its last part came.
              """
              CREATE TABLE fim_staging(
                agent_id TEXT NOT NULL,
                baseline_id TEXT NOT NULL,
                path BLOB NOT NULL,
                state BLOB NOT NULL,
                PRIMARY KEY(agent_id, baseline_id, path)) WITHOUT ROWID""",
              // One row per agent that sent anything of integrity monitoring. baseline_id: the
              // baseline the mirror holds (NULL: none). digest: FimDigest of the mirror, NULL
              // when a change made it stale (computed again at the next scan). following: 1 when
              // the mirror is the agent's baseline as the events tell it, 0 when the collector
              // knows it stopped being (a baseline arrived incomplete or too large): the rows stay
              // as evidence, the checks wait for the next complete baseline. unverified_id: the
              // baseline id "cannot verify" was last raised for (raised once per id). staging_*:
              // the baseline in fim_staging (id, reason, part count, last part staged, entries,
              // whether it was refused for its size).
              """
              CREATE TABLE fim_agents(
                agent_id TEXT PRIMARY KEY,
                baseline_id TEXT,
                entries INTEGER NOT NULL DEFAULT 0,
                digest TEXT,
                following INTEGER NOT NULL DEFAULT 0,
                unverified_id TEXT,
                staging_id TEXT,
                staging_reason TEXT,
                staging_parts INTEGER NOT NULL DEFAULT 0,
                staging_last_part INTEGER NOT NULL DEFAULT 0,
                staging_entries INTEGER NOT NULL DEFAULT 0,
                staging_refused INTEGER NOT NULL DEFAULT 0,
                updated_ns INTEGER NOT NULL)"""),
          // Version 5: trust. Secrets (enrolment and API tokens) are stored only as SHA-256 hex
          // of the token text: a copy of the database does not let anyone enrol or log in. Times
          // are UTC ns; 0 in expires_ns of an API token: no expiry; revoked_ns NULL: not revoked.
          List.of(
              """
              CREATE TABLE enrollment_tokens(
                token_id TEXT PRIMARY KEY,
                token_hash TEXT NOT NULL UNIQUE,
                created_by TEXT NOT NULL,
                created_ns INTEGER NOT NULL,
                expires_ns INTEGER NOT NULL,
                uses_total INTEGER NOT NULL,
                uses_left INTEGER NOT NULL,
                revoked_ns INTEGER,
                note TEXT NOT NULL DEFAULT '')""",
              // One row per agent id ever enrolled: an id is never issued twice.
              """
              CREATE TABLE enrolled_agents(
                agent_id TEXT PRIMARY KEY,
                hostname TEXT NOT NULL,
                token_id TEXT NOT NULL,
                enrolled_ns INTEGER NOT NULL,
                revoked_ns INTEGER,
                revoked_by TEXT,
                revoke_reason TEXT)""",
              // Every client certificate issued (enrolment or renewal); serial in lower-case hex.
              """
              CREATE TABLE agent_certificates(
                serial TEXT PRIMARY KEY,
                agent_id TEXT NOT NULL,
                issued_ns INTEGER NOT NULL,
                not_after_ns INTEGER NOT NULL,
                reason TEXT NOT NULL)""",
              "CREATE INDEX agent_certificates_by_agent ON agent_certificates(agent_id, issued_ns)",
              """
              CREATE TABLE api_tokens(
                token_id TEXT PRIMARY KEY,
                token_hash TEXT NOT NULL UNIQUE,
                operator TEXT NOT NULL,
                role TEXT NOT NULL,
                created_by TEXT NOT NULL,
                created_ns INTEGER NOT NULL,
                expires_ns INTEGER NOT NULL,
                revoked_ns INTEGER,
                last_used_ns INTEGER)""",
              // Append-only: nothing in the collector updates or deletes a row. arguments is JSON
              // without secrets; outcome ok, denied or failed.
              """
              CREATE TABLE audit_log(
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                at_ns INTEGER NOT NULL,
                operator TEXT NOT NULL,
                role TEXT NOT NULL,
                action TEXT NOT NULL,
                target TEXT NOT NULL,
                arguments TEXT NOT NULL,
                outcome TEXT NOT NULL,
                detail TEXT NOT NULL)"""),
          // Version 6: containment. Commands are kept from issue to result (and wait here while
          // their agent is offline); the audit log becomes a hash chain; collected files are
          // recorded next to their content on disk.
          List.of(
              // status: queued (never on a stream), sent (on a stream, no result yet), done (a
              // result is stored in command_results), expired (not taken before expires_ns).
              // payload is the Command message as sent, so a re-send is byte-identical.
              """
              CREATE TABLE commands(
                command_id TEXT PRIMARY KEY,
                agent_id TEXT NOT NULL,
                action TEXT NOT NULL,
                arguments TEXT NOT NULL,
                issued_by TEXT NOT NULL,
                issued_ns INTEGER NOT NULL,
                expires_ns INTEGER NOT NULL,
                payload BLOB NOT NULL,
                status TEXT NOT NULL,
                sent_ns INTEGER,
                done_ns INTEGER)""",
              "CREATE INDEX commands_by_agent ON commands(agent_id, issued_ns)",
              "CREATE INDEX commands_open ON commands(status) WHERE status IN ('queued', 'sent')",
              // hash = SHA-256(prev_hash || the row's fields); rows written before version 6
              // have '' and are chained when the audit log is first opened at this version.
              "ALTER TABLE audit_log ADD COLUMN prev_hash TEXT NOT NULL DEFAULT ''",
              "ALTER TABLE audit_log ADD COLUMN hash TEXT NOT NULL DEFAULT ''",
              // The file itself lives under the collector's data directory (stored_path,
              // relative to it); one per CollectFile command.
              """
              CREATE TABLE collected_files(
                agent_id TEXT NOT NULL,
                command_id TEXT NOT NULL,
                path TEXT NOT NULL,
                size INTEGER NOT NULL,
                sha256 TEXT NOT NULL,
                stored_path TEXT NOT NULL,
                received_ns INTEGER NOT NULL,
                PRIMARY KEY(agent_id, command_id))"""),
          // Version 7: the command queue's audit rows (a command sent when its agent connected,
          // expired, or its result) are owed in the same transaction as the status change, and
          // the row here is removed once the audit log has it: an append that fails (a busy
          // database) is retried by the queue's sweep instead of being lost.
          List.of(
              // event: sent, expired or result; prior_status: the command's status before it.
              """
              CREATE TABLE command_audit_pending(
                command_id TEXT NOT NULL,
                event TEXT NOT NULL,
                prior_status TEXT NOT NULL,
                at_ns INTEGER NOT NULL,
                PRIMARY KEY(command_id, event))"""),
          // v8 (issue #11): fleet health, hunting and process trees, alert sinks.
          List.of(
              // The newest AgentStatus event of the agent (serialized Event) and its event time.
              "ALTER TABLE agents ADD COLUMN last_status BLOB",
              "ALTER TABLE agents ADD COLUMN last_status_ns INTEGER",
              // Highest seq the agent said it had spooled (Hello's last_spooled_seq).
              "ALTER TABLE agents ADD COLUMN spooled_seq INTEGER",
              // Set when the agent was declared silent (one alert per silence), cleared when seen.
              "ALTER TABLE agents ADD COLUMN silent_since_ns INTEGER",
              // Process trees: the children of a process.
              "CREATE INDEX processes_by_parent ON processes(agent_id, parent_entity_id)",
              // No index on events.entity_id: it nearly doubled the writer's CPU per event (random
              // keys, one insert per event); a tree scans forward from its exec instead
              // (ProcessTreeReader, docs/PERFORMANCE.md).
              // When the collector last stored an event of the process (receive time), written by
              // the
              // ingest writer at most every few seconds per process (ProcessActivity), so that
              // retention keeps the rows of processes still acting.
              "ALTER TABLE processes ADD COLUMN last_event_ns INTEGER",
              // Alert sinks: how far each sink has delivered (alerts.id), so an outage resumes
              // where it stopped and a restart neither repeats nor skips.
              """
              CREATE TABLE sink_cursors(
                sink TEXT PRIMARY KEY,
                delivered_id INTEGER NOT NULL,
                updated_ns INTEGER NOT NULL)"""));

  private Schema() {}

  /** The version this code writes. */
  static int currentVersion() {
    return MIGRATIONS.size();
  }

  /** Brings the database to {@link #currentVersion()}; the connection must be in autocommit. */
  static void migrate(Connection c, long nowNs) throws SQLException {
    migrate(c, nowNs, currentVersion());
  }

  /**
   * Brings the database to {@code target} (at most {@link #currentVersion()}), as an older
   * collector would have left it; the connection must be in autocommit.
   */
  static void migrate(Connection c, long nowNs, int target) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(
          "CREATE TABLE IF NOT EXISTS schema_version("
              + "version INTEGER PRIMARY KEY, applied_ns INTEGER NOT NULL)");
    }
    int version = storedVersion(c);
    if (version > currentVersion()) {
      throw new StoreException(
          "database schema version "
              + version
              + " is newer than this collector understands ("
              + currentVersion()
              + "); use a newer collector");
    }
    for (int v = version; v < target; v++) {
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        for (String sql : MIGRATIONS.get(v)) {
          st.execute(sql);
        }
        st.execute(
            "INSERT INTO schema_version(version, applied_ns) VALUES("
                + (v + 1)
                + ","
                + nowNs
                + ")");
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    }
  }

  static int storedVersion(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT coalesce(max(version), 0) FROM schema_version")) {
      return rs.next() ? rs.getInt(1) : 0;
    }
  }
}
