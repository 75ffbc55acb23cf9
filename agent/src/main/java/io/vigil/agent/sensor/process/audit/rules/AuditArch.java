package io.vigil.agent.sensor.process.audit.rules;

import java.util.Optional;

/**
 * The architectures Vigil writes syscall rules for: the audit arch token ({@code AUDIT_ARCH_*}, ELF
 * machine | 64-bit | little-endian) and the syscall numbers the rules name.
 */
public enum AuditArch {
  /** x86_64, {@code arch=b64} on x86_64. */
  X86_64(0xc000003e, 59, 322, 42, 43, 288, 49, 41),
  /** aarch64, {@code arch=b64} on arm64. */
  AARCH64(0xc00000b7, 221, 281, 203, 202, 242, 200, 198);

  private final int token;

  /** {@code token} as audit records print it, computed once: it is compared for every record. */
  private final String recordField;

  private final int execve;
  private final int execveat;
  private final int connect;
  private final int accept;
  private final int accept4;
  private final int bind;
  private final int socket;

  AuditArch(
      int token,
      int execve,
      int execveat,
      int connect,
      int accept,
      int accept4,
      int bind,
      int socket) {
    this.token = token;
    this.recordField = Integer.toHexString(token);
    this.execve = execve;
    this.execveat = execveat;
    this.connect = connect;
    this.accept = accept;
    this.accept4 = accept4;
    this.bind = bind;
    this.socket = socket;
  }

  /** The architecture of this JVM. */
  public static AuditArch current() {
    String arch = System.getProperty("os.arch");
    return switch (arch) {
      case "amd64", "x86_64" -> X86_64;
      case "aarch64", "arm64" -> AARCH64;
      default -> throw new IllegalStateException("no audit syscall table for " + arch);
    };
  }

  /**
   * The architecture of an audit record's {@code arch=} field (lower-case hex, e.g. {@code
   * c000003e}), or empty for any other (32-bit and foreign architectures are not interpreted).
   */
  public static Optional<AuditArch> ofRecordField(String hex) {
    for (AuditArch a : values()) {
      if (a.recordField.equals(hex)) {
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }

  /** execve or execveat. */
  public boolean isExec(long nr) {
    return nr == execve || nr == execveat;
  }

  /** A syscall the network sensor turns into connections: socket, connect, accept, accept4. */
  public boolean isConnectionCall(long nr) {
    return nr == socket || nr == connect || nr == accept || nr == accept4;
  }

  /** The value of an {@code AUDIT_ARCH} field condition. */
  public int token() {
    return token;
  }

  public int execve() {
    return execve;
  }

  public int execveat() {
    return execveat;
  }

  public int connect() {
    return connect;
  }

  public int accept() {
    return accept;
  }

  public int accept4() {
    return accept4;
  }

  public int bind() {
    return bind;
  }

  public int socket() {
    return socket;
  }
}
