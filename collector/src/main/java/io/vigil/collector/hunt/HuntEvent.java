package io.vigil.collector.hunt;

import io.vigil.detect.sigma.match.SigmaFields;
import io.vigil.detect.vigil.LogSourceMapping;
import io.vigil.detect.vigil.SigmaViews;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.EventKind;
import io.vigil.proto.v1.ProcessRef;
import java.util.Optional;

/**
 * One stored event as a query sees it: where it came from, the event, and (built at the first
 * question) its Sigma view. Used by one thread.
 */
public final class HuntEvent {
  private final String agentId;
  private final String hostname;
  private final Event event;
  private Optional<SigmaFields> sigma;

  /**
   * @param agentId the agent that sent it
   * @param hostname the agent's enrolled (or reported) host name; "" when not known
   */
  public HuntEvent(String agentId, String hostname, Event event) {
    this.agentId = agentId;
    this.hostname = hostname;
    this.event = event;
  }

  public String agentId() {
    return agentId;
  }

  public String hostname() {
    return hostname;
  }

  public Event event() {
    return event;
  }

  /** The payload's kind; UNSPECIFIED for none. */
  EventKind kind() {
    EventKind k = LogSourceMapping.kindOf(event);
    return k == null ? EventKind.EVENT_KIND_UNSPECIFIED : k;
  }

  Optional<SigmaFields> sigma() {
    if (sigma == null) {
      sigma = SigmaViews.of(event);
    }
    return sigma;
  }

  /** The process that acted (or, for exec, started; for exit, ended); empty when none. */
  Optional<ProcessRef> process() {
    return process(event);
  }

  /** The process an event is about, as {@link #process()}; also for the table columns. */
  public static Optional<ProcessRef> process(Event e) {
    boolean has =
        switch (e.getPayloadCase()) {
          case PROCESS_EXEC -> e.getProcessExec().hasProcess();
          case PROCESS_EXIT -> e.getProcessExit().hasProcess();
          case FILE -> e.getFile().hasProcess();
          case CONNECTION -> e.getConnection().hasProcess();
          case FLOW -> e.getFlow().hasProcess();
          case DNS -> e.getDns().hasProcess();
          case HTTP -> e.getHttp().hasProcess();
          case TLS -> e.getTls().hasProcess();
          case AUDIT -> e.getAudit().hasProcess();
          default -> false;
        };
    if (!has) {
      return Optional.empty();
    }
    return Optional.of(
        switch (e.getPayloadCase()) {
          case PROCESS_EXEC -> e.getProcessExec().getProcess();
          case PROCESS_EXIT -> e.getProcessExit().getProcess();
          case FILE -> e.getFile().getProcess();
          case CONNECTION -> e.getConnection().getProcess();
          case FLOW -> e.getFlow().getProcess();
          case DNS -> e.getDns().getProcess();
          case HTTP -> e.getHttp().getProcess();
          case TLS -> e.getTls().getProcess();
          default -> e.getAudit().getProcess();
        });
  }
}
