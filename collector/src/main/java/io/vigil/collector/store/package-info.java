/**
 * The collector's embedded database: one SQLite file in WAL mode holding agents, their spool
 * streams and watermarks, events, the alerts rules raised on them (with their suppression counts,
 * process context and triage state), the process table their parent chains are walked in, the
 * findings correlation rules were fed, gaps, continuity holes, dead letters and command results.
 *
 * <p>{@link io.vigil.collector.store.EventStore} is the single writer (owned by the ingest writer
 * thread); {@link io.vigil.collector.store.StoreReader} is a read-only view for tests, the CLI and
 * hunting that works while the collector has the file open. {@link
 * io.vigil.collector.store.TriageStore} is the one other writer: analysts' alert changes from
 * {@code vigilctl}, each one short transaction that waits for the collector's; {@link
 * io.vigil.collector.store.TrustStore} writes the trust tables (enrolment tokens, enrolled agents,
 * agent certificates) the same way; {@link io.vigil.collector.store.AuditLog} appends to the
 * operator audit log as a hash chain (its head kept in {@code <database>.audit-head}), and {@link
 * io.vigil.collector.store.CollectedFiles} records the files agents upload for CollectFile
 * commands. Why SQLite: {@code docs/adr/0001-embedded-store-sqlite.md}.
 */
package io.vigil.collector.store;
