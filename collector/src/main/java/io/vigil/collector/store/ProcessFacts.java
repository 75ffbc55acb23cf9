package io.vigil.collector.store;

import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.ProcessRef;

/**
 * The acting process of one event as the store needs it: to index the event by process, to give an
 * alert its process, and (for an exec) to add the process to the table parent chains are walked in.
 * Taken from the event off the writer thread. Immutable.
 *
 * @param exec whether the event is the process's exec (it then goes into the process table)
 * @param sessionId the audit session id, -1 when the event does not carry it or it is unset
 * @param parentEntityId empty when the event does not name the parent
 */
public record ProcessFacts(
    boolean exec,
    String entityId,
    long pid,
    String image,
    String commandLine,
    String user,
    long startTimeNs,
    String parentEntityId,
    long parentPid,
    String parentImage,
    String parentCommandLine,
    long sessionId) {

  /** The audit "unset" id (4294967295). */
  private static final long UNSET = 0xFFFF_FFFFL;

  /**
   * The acting process of {@code e}; null when the event has none (status, gaps, a flow without a
   * known local process).
   */
  public static ProcessFacts of(Event e) {
    return switch (e.getPayloadCase()) {
      case PROCESS_EXEC -> {
        var x = e.getProcessExec();
        long sid = Integer.toUnsignedLong(x.getSessionId());
        yield of(true, x.getProcess(), x.getParent(), sid == UNSET ? -1 : sid);
      }
      case PROCESS_EXIT -> of(false, e.getProcessExit().getProcess(), null, -1);
      case FILE -> of(false, e.getFile().getProcess(), null, -1);
      case CONNECTION -> of(false, e.getConnection().getProcess(), null, -1);
      case DNS -> of(false, e.getDns().getProcess(), null, -1);
      // The packet sensor names the local process of a flow, request or handshake when its socket
      // is known: indexed by it, they appear in the process tree (vigilctl tree).
      case FLOW -> of(false, e.getFlow().getProcess(), null, -1);
      case HTTP -> of(false, e.getHttp().getProcess(), null, -1);
      case TLS -> of(false, e.getTls().getProcess(), null, -1);
      case AUDIT -> {
        long sid = Integer.toUnsignedLong(e.getAudit().getSessionId());
        yield of(false, e.getAudit().getProcess(), null, sid == UNSET ? -1 : sid);
      }
      default -> null;
    };
  }

  private static ProcessFacts of(boolean exec, ProcessRef p, ProcessRef parent, long sid) {
    if (p.getEntityId().isEmpty()) {
      return null;
    }
    ProcessRef q = parent == null ? ProcessRef.getDefaultInstance() : parent;
    return new ProcessFacts(
        exec,
        p.getEntityId(),
        Integer.toUnsignedLong(p.getPid()),
        p.getImage(),
        p.getCommandLine(),
        p.getUser(),
        p.getStartTimeNs(),
        q.getEntityId(),
        Integer.toUnsignedLong(q.getPid()),
        q.getImage(),
        q.getCommandLine(),
        sid);
  }
}
