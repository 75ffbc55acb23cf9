package io.vigil.collector.store;

import java.util.List;

/**
 * The process tree around one process as the store holds it (see {@link ProcessTreeReader}).
 * Immutable.
 *
 * @param processes oldest ancestor first, then the process asked for, then its descendants, each
 *     after its parent and siblings by exec time
 * @param events the events of those processes other than their execs, event time order
 * @param truncated descendants or events were left out (depth, process or event cap)
 */
public record StoredTree(List<Process> processes, List<Event> events, boolean truncated) {
  public StoredTree {
    processes = List.copyOf(processes);
    events = List.copyOf(events);
  }

  /** How a process of the tree relates to the one asked for. */
  public enum Relation {
    ANCESTOR("ancestor"),
    TARGET("target"),
    DESCENDANT("descendant");

    private final String label;

    Relation(String label) {
      this.label = label;
    }

    /** What the operator API calls it: {@code ancestor}, {@code target}, {@code descendant}. */
    public String label() {
      return label;
    }
  }

  /**
   * One process of the tree, from the process table.
   *
   * @param parentEntityId empty when unknown
   * @param parentPid 0 when unknown
   * @param image empty for an ancestor the table lacks (known only by the child's parent link)
   * @param execTimeNs 0 when the table has no row for it
   * @param depth generations from the process asked for: negative for ancestors
   */
  public record Process(
      String entityId,
      String parentEntityId,
      long pid,
      long parentPid,
      String image,
      String commandLine,
      String user,
      long execTimeNs,
      Relation relation,
      int depth) {}

  /**
   * One stored event of a process of the tree.
   *
   * @param payload the serialized {@code vigil.v1.Event}
   */
  public record Event(String entityId, long eventTimeNs, long receiveTimeNs, byte[] payload) {}
}
