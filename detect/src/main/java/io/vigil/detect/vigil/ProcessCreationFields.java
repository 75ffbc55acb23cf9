package io.vigil.detect.vigil;

import io.vigil.proto.v1.ProcessExec;
import io.vigil.proto.v1.ProcessRef;
import java.util.List;
import java.util.Locale;

/**
 * A {@link ProcessExec} as Sigma's {@code process_creation} (Sysmon for Linux event 1). Fields
 * Vigil does not collect ({@code OriginalFileName}, {@code Company}, {@code IntegrityLevel}, ...)
 * are absent.
 */
final class ProcessCreationFields extends NamedFields {
  static final List<String> NAMES =
      List.of(
          "Image",
          "CommandLine",
          "CurrentDirectory",
          "User",
          "LogonId",
          "ProcessId",
          "ProcessGuid",
          "ParentImage",
          "ParentCommandLine",
          "ParentProcessId",
          "ParentProcessGuid",
          "ParentUser",
          "Hashes");

  /** auid and session id use this value for "unset" (audit's (u32)-1). */
  static final long AUDIT_UNSET = 4294967295L;

  private final ProcessExec exec;

  ProcessCreationFields(ProcessExec exec) {
    this.exec = exec;
  }

  @Override
  List<String> names() {
    return NAMES;
  }

  @Override
  public List<Object> values(String field) {
    ProcessRef p = exec.getProcess();
    ProcessRef parent = exec.getParent();
    boolean hasParent = exec.hasParent();
    return switch (field) {
      case "Image" -> text(p.getImage());
      case "CommandLine" -> text(p.getCommandLine());
      case "CurrentDirectory" -> text(exec.getCwd());
      case "User" -> text(p.getUser());
      case "LogonId" -> {
        // uint32 on the wire: read unsigned, so audit's "unset" (u32)-1 is recognised.
        long session = Integer.toUnsignedLong(exec.getSessionId());
        yield session == AUDIT_UNSET || !exec.hasProcess() ? List.of() : number(session);
      }
      case "ProcessId" -> exec.hasProcess() ? positive(p.getPid()) : List.of();
      case "ProcessGuid" -> text(p.getEntityId());
      case "ParentImage" -> hasParent ? text(parent.getImage()) : List.of();
      case "ParentCommandLine" -> hasParent ? text(parent.getCommandLine()) : List.of();
      case "ParentProcessId" -> hasParent ? positive(parent.getPid()) : List.of();
      case "ParentProcessGuid" -> hasParent ? text(parent.getEntityId()) : List.of();
      case "ParentUser" -> hasParent ? text(parent.getUser()) : List.of();
      case "Hashes" -> text(hashes());
      default -> List.of();
    };
  }

  /** Sysmon's form: {@code MD5=...,SHA1=...,SHA256=...}, upper-case hex, only computed ones. */
  private String hashes() {
    StringBuilder b = new StringBuilder();
    append(b, "MD5", exec.getMd5());
    append(b, "SHA1", exec.getSha1());
    append(b, "SHA256", exec.getSha256());
    return b.toString();
  }

  private static void append(StringBuilder b, String name, String hex) {
    if (hex.isEmpty()) {
      return;
    }
    if (b.length() > 0) {
      b.append(',');
    }
    b.append(name).append('=').append(hex.toUpperCase(Locale.ROOT));
  }
}
