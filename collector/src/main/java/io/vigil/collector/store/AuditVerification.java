package io.vigil.collector.store;

/**
 * What {@link AuditLog#verify} found. Immutable.
 *
 * @param intact every row's hash matches its content and its predecessor, and the chain ends at the
 *     head recorded next to the database
 * @param rows rows checked (all of them)
 * @param firstBadId the id of the first row that does not fit (edited, unchained, or the row after
 *     a deletion or insertion); 0 when intact or when the problem is at the end of the log (rows
 *     deleted after the last one, the head file missing or unreadable)
 * @param problem what does not fit, one or two sentences for an operator; empty when intact
 * @param headHash the hash stored in the last row ({@code ""} for an empty log)
 */
public record AuditVerification(
    boolean intact, long rows, long firstBadId, String problem, String headHash) {}
