package io.vigil.collector.store;

/**
 * One row of the operator audit log (append only). Immutable.
 *
 * @param id increasing, never reused (0 before it is stored)
 * @param atNs when, UTC ns
 * @param operator who called
 * @param role the caller's role at the time
 * @param action the RPC's name, e.g. {@code SendCommand}
 * @param target the host, agent id or token id acted on; empty when the request named none
 * @param argumentsJson the request's arguments as JSON, never a secret
 * @param outcome {@code attempted} (written before acting; a later row has the outcome), {@code
 *     ok}, {@code denied} or {@code failed}
 * @param detail one sentence: what happened, or why it was denied or failed
 * @param hash the row's link in the hash chain ({@link AuditChain}), lower-case hex; empty before
 *     it is stored
 */
public record AuditRow(
    long id,
    long atNs,
    String operator,
    String role,
    String action,
    String target,
    String argumentsJson,
    String outcome,
    String detail,
    String hash) {

  /** A row not stored yet (no hash): what {@link AuditLog#append} takes. */
  public AuditRow(
      long id,
      long atNs,
      String operator,
      String role,
      String action,
      String target,
      String argumentsJson,
      String outcome,
      String detail) {
    this(id, atNs, operator, role, action, target, argumentsJson, outcome, detail, "");
  }
}
