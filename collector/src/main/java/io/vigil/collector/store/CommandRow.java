package io.vigil.collector.store;

/**
 * One row of the command queue ({@code commands}). Immutable.
 *
 * @param commandId the Command's id (a UUID)
 * @param agentId the agent it is for
 * @param action ping, isolate, release, kill, quarantine, restore, block, unblock, collect_file,
 *     snapshot
 * @param argumentsJson the action's arguments as JSON, never a secret
 * @param issuedBy the operator who issued it
 * @param issuedNs when, UTC ns
 * @param expiresNs void after this, UTC ns; 0 for never
 * @param payload the serialized Command as sent (a re-send is byte-identical)
 * @param status {@code queued}, {@code sent}, {@code done} or {@code expired}
 * @param sentNs last time it was written to the agent's stream; 0 when never
 * @param doneNs when its result was stored; 0 when not done
 */
public record CommandRow(
    String commandId,
    String agentId,
    String action,
    String argumentsJson,
    String issuedBy,
    long issuedNs,
    long expiresNs,
    byte[] payload,
    String status,
    long sentNs,
    long doneNs) {
  public static final String QUEUED = "queued";
  public static final String SENT = "sent";
  public static final String DONE = "done";
  public static final String EXPIRED = "expired";

  /** True when it has an expiry and {@code nowNs} is past it. */
  public boolean expiredAt(long nowNs) {
    return expiresNs != 0 && nowNs > expiresNs;
  }

  /** True while it waits for delivery or for its result. */
  public boolean open() {
    return status.equals(QUEUED) || status.equals(SENT);
  }
}
