package io.vigil.agent.uninstall;

import io.vigil.agent.response.network.ContainmentState;
import io.vigil.agent.response.network.ContainmentStateFile;
import io.vigil.agent.response.network.Nftables;
import io.vigil.agent.response.network.RulesetRenderer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Releases network containment for good: marks the persisted state released (nothing isolated,
 * nothing blocked), then deletes Vigil's {@code inet} table, the configured one and the one the
 * state file names if that differs. The state goes first, so that an interruption between the two
 * leaves a state that a reinstalled agent reads as "delete the table" rather than a table that a
 * reinstalled agent would put back. A corrupt state file is moved aside ({@code *.corrupt}) and
 * replaced. Blocks on file I/O and nft.
 */
final class ContainmentRelease {
  private final ContainmentStateFile file;
  private final Nftables nft;
  private final Path nftTool;
  private final String configuredTable;

  /**
   * @param stateFile {@code <agent.state_dir>/containment.state}
   * @param nft the nftables access
   * @param nftTool {@code response.nft}, to say when it is missing
   * @param configuredTable {@code response.table}
   */
  ContainmentRelease(Path stateFile, Nftables nft, Path nftTool, String configuredTable) {
    this.file = new ContainmentStateFile(stateFile);
    this.nft = nft;
    this.nftTool = nftTool;
    this.configuredTable = configuredTable;
  }

  /** Both steps: the state file's line, then one line per table. */
  List<Step> run() {
    List<Step> steps = new ArrayList<>();
    Set<String> tables = new LinkedHashSet<>();
    tables.add(configuredTable);
    steps.add(markReleased(tables));
    for (String t : tables) {
      steps.add(deleteTable(t));
    }
    return steps;
  }

  private Step markReleased(Set<String> tables) {
    Optional<ContainmentStateFile.Saved> saved;
    try {
      saved = file.readSaved();
    } catch (ContainmentStateFile.CorruptStateException e) {
      try {
        Path aside = file.moveAside();
        file.write(
            new ContainmentStateFile.Saved(
                ContainmentState.NONE, configuredTable, Optional.empty()));
        return Step.done(
            "containment state: corrupt, kept as " + aside + " and replaced by a released state");
      } catch (IOException e2) {
        return Step.failed(
            "containment state: corrupt and cannot be replaced ("
                + e2.getMessage()
                + "); delete "
                + file.path()
                + " by hand");
      }
    } catch (IOException e) {
      return Step.failed(
          "containment state: cannot read " + file.path() + " (" + e.getMessage() + ")");
    }
    if (saved.isEmpty()) {
      return Step.done("containment state: none recorded (" + file.path() + " absent)");
    }
    ContainmentStateFile.Saved s = saved.get();
    if (!s.table().isEmpty()) {
      tables.add(s.table());
    }
    if (!s.state().enforces() && s.pending().isEmpty()) {
      return Step.done("containment state: already released (" + file.path() + ")");
    }
    String was = describe(s);
    try {
      file.write(
          new ContainmentStateFile.Saved(
              ContainmentState.NONE,
              s.table().isEmpty() ? configuredTable : s.table(),
              Optional.empty()));
    } catch (IOException e) {
      return Step.failed(
          "containment state: was "
              + was
              + "; cannot mark it released ("
              + e.getMessage()
              + "); delete "
              + file.path()
              + " by hand before an agent starts again");
    }
    return Step.done("containment state: marked released (was " + was + ") in " + file.path());
  }

  private static String describe(ContainmentStateFile.Saved s) {
    List<String> parts = new ArrayList<>();
    if (s.state().isolated()) {
      parts.add("isolated");
    }
    if (s.pending().isPresent()) {
      parts.add("isolation pending");
    }
    if (!s.state().blocks().isEmpty()) {
      parts.add(s.state().blocks().size() + " block(s)");
    }
    return String.join(", ", parts);
  }

  private Step deleteTable(String table) {
    String manual = "nft delete table inet " + table;
    if (!Files.isExecutable(nftTool)) {
      // The agent applies every table with this tool: without it none can have been applied.
      return Step.done(
          "nftables: " + nftTool + " not found, so no Vigil table can be there (" + table + ")");
    }
    try {
      if (!hasTable(nft.listRuleset(), table)) {
        return Step.done("nftables: no table inet " + table + " (nothing to release)");
      }
      nft.apply(new RulesetRenderer(table).deletion());
      if (hasTable(nft.listRuleset(), table)) {
        return Step.failed(
            "nftables: table inet " + table + " is still there; delete it by hand: " + manual);
      }
      return Step.done(
          "nftables: deleted table inet " + table + " (isolation and blocks released)");
    } catch (IOException e) {
      return Step.failed(
          "nftables: cannot delete table inet "
              + table
              + " ("
              + e.getMessage()
              + "); delete it by hand: "
              + manual);
    }
  }

  static boolean hasTable(String ruleset, String table) {
    return Pattern.compile("(?m)^table inet " + Pattern.quote(table) + " \\{")
        .matcher(ruleset)
        .find();
  }
}
