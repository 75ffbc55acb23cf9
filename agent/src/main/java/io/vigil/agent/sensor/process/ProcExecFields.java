package io.vigil.agent.sensor.process;

import io.vigil.agent.sensor.process.procfs.ProcSnapshot;
import io.vigil.agent.sensor.process.table.UserNames;
import io.vigil.proto.v1.ProcessExec;
import java.util.Optional;

/**
 * The fields of a {@code ProcessExec} that {@code /proc} gives (arguments, cwd, tty, container,
 * credentials, login ids, executable hashes), the same for the sensor's {@code proc} and {@code
 * proc_poll} events and the snapshot command's. Stateless; thread-safe; blocks while hashing.
 */
final class ProcExecFields {
  private ProcExecFields() {}

  /** Everything but {@code process}, {@code parent} and {@code exec_without_fork}. */
  static ProcessExec.Builder of(
      ProcSnapshot s, String source, UserNames names, ExecutableFacts facts) {
    ProcessExec.Builder exec =
        ProcessExec.newBuilder()
            .setSource(source)
            .addAllArgs(s.argv().args())
            .setArgsTruncated(s.argv().truncated())
            .setCwd(s.cwd())
            .setTty(s.tty())
            .setContainerId(s.containerId());
    s.credentials()
        .ifPresent(
            c -> {
              exec.setEuid((int) c.euid())
                  .setSuid((int) c.suid())
                  .setFsuid((int) c.fsuid())
                  .setGid((int) c.gid())
                  .setEgid((int) c.egid())
                  .setGroup(names.group(c.gid()))
                  .setPrivilegedExec(c.euid() != c.uid() || c.egid() != c.gid());
            });
    exec.setAuid((int) s.loginUid().orElse(ProcSnapshot.UNSET_LOGIN_UID));
    exec.setSessionId((int) s.sessionId().orElse(ProcSnapshot.UNSET_LOGIN_UID));
    facts.fill(exec, s.pid(), s.exe(), s.exe(), Optional.empty());
    return exec;
  }
}
