package io.vigil.collector.api;

import java.util.Map;
import java.util.Set;

/**
 * The one table of which role each operator API method needs, and which methods are audited. A
 * method missing here needs {@code admin} (fail closed); a test checks every method of the service
 * has an entry.
 */
final class MethodRoles {
  /** The role each method of {@code vigil.v1.OperatorService} needs, by its bare name. */
  static final Map<String, OperatorRole> REQUIRED =
      Map.ofEntries(
          Map.entry("WhoAmI", OperatorRole.VIEWER),
          Map.entry("ListAlerts", OperatorRole.VIEWER),
          Map.entry("GetAlert", OperatorRole.VIEWER),
          Map.entry("ListAgents", OperatorRole.VIEWER),
          Map.entry("ListCommands", OperatorRole.VIEWER),
          Map.entry("Hunt", OperatorRole.VIEWER),
          Map.entry("ProcessTree", OperatorRole.VIEWER),
          Map.entry("ChangeAlert", OperatorRole.RESPONDER),
          Map.entry("SendCommand", OperatorRole.RESPONDER),
          Map.entry("CreateEnrollmentToken", OperatorRole.ADMIN),
          Map.entry("ListEnrollmentTokens", OperatorRole.ADMIN),
          Map.entry("RevokeEnrollmentToken", OperatorRole.ADMIN),
          Map.entry("CreateApiToken", OperatorRole.ADMIN),
          Map.entry("ListApiTokens", OperatorRole.ADMIN),
          Map.entry("RevokeApiToken", OperatorRole.ADMIN),
          Map.entry("RevokeAgent", OperatorRole.ADMIN),
          Map.entry("ListAudit", OperatorRole.ADMIN),
          Map.entry("VerifyAudit", OperatorRole.ADMIN),
          Map.entry("GetCollectedFile", OperatorRole.RESPONDER));

  /**
   * Methods written to the audit log, allowed or denied: commands, changes to trust and downloads
   * of collected files (their content may be any file of a host: who took it, and when, is on
   * record). Alert triage is not here because every triage change is already recorded with its
   * actor in the alert's history.
   */
  static final Set<String> AUDITED =
      Set.of(
          "SendCommand",
          "GetCollectedFile",
          "CreateEnrollmentToken",
          "RevokeEnrollmentToken",
          "CreateApiToken",
          "RevokeApiToken",
          "RevokeAgent");

  /** Methods that change something: logged at INFO; reads at DEBUG. */
  static final Set<String> CHANGES =
      Set.of(
          "ChangeAlert",
          "SendCommand",
          "CreateEnrollmentToken",
          "RevokeEnrollmentToken",
          "CreateApiToken",
          "RevokeApiToken",
          "RevokeAgent");

  private MethodRoles() {}

  static OperatorRole required(String method) {
    return REQUIRED.getOrDefault(method, OperatorRole.ADMIN);
  }
}
