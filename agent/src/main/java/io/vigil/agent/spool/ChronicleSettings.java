package io.vigil.agent.spool;

/** System properties that must be set before any Chronicle class initialises. */
final class ChronicleSettings {
  private ChronicleSettings() {}

  /** Keeps Chronicle from phoning home (FEASIBILITY.md §2) and from printing its banner. */
  static void apply() {
    System.setProperty("chronicle.analytics.disable", "true");
    System.setProperty("chronicle.announcer.disable", "true");
  }
}
