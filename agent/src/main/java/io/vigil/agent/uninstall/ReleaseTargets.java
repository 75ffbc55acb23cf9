package io.vigil.agent.uninstall;

import io.vigil.agent.config.AgentConfig;
import io.vigil.common.config.ConfigLoader;
import io.vigil.common.config.ConfigNode;
import java.io.File;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The four settings {@code release-host} acts on: which agent's state directory, which nftables
 * table, which nft tool, which audit key. Normally from the validated configuration; when that does
 * not validate, {@link #lenient} reads just these four keys and takes the built-in default for any
 * that is absent or invalid, because a removal must release the host even when the configuration
 * file was deleted, mistyped after the agent's last start, or holds a key valid only on another
 * host. Immutable.
 *
 * @param stateDir {@code agent.state_dir}
 * @param table {@code response.table}
 * @param nft {@code response.nft}
 * @param auditKey {@code sensors.process.audit_key}
 */
record ReleaseTargets(Path stateDir, String table, Path nft, String auditKey) {
  static final Path DEFAULT_STATE_DIR = Path.of("/var/lib/vigil/agent");
  static final String DEFAULT_TABLE = "vigil";
  static final Path DEFAULT_NFT = Path.of("/usr/sbin/nft");
  static final String DEFAULT_AUDIT_KEY = "vigil";

  /** The targets of a configuration that validated. */
  static ReleaseTargets of(AgentConfig config) {
    return new ReleaseTargets(
        config.stateDir(),
        config.response().table(),
        config.response().nft(),
        config.process().auditKey());
  }

  /**
   * The targets of a configuration that does not validate: the same layers (file &lt; environment
   * &lt; {@code --set}) as far as they load, only these four keys, each checked as the agent checks
   * it; a key that is absent or invalid takes its built-in default. {@code response.nft} unset
   * means the first {@code nft} on {@code PATH}, else {@code /usr/sbin/nft}; so does a relative
   * one.
   */
  static ReleaseTargets lenient(Optional<Path> file, Map<String, String> env, List<String> sets) {
    // Problems are collected in the binding and never finished: a bad key elsewhere is ignored.
    ConfigNode root = ConfigLoader.load(file, env, AgentConfig.ENV_PREFIX, sets);
    Path stateDir = root.child("agent").path("state_dir", DEFAULT_STATE_DIR.toString());
    if (!stateDir.isAbsolute()) {
      stateDir = DEFAULT_STATE_DIR;
    }
    ConfigNode response = root.child("response");
    String table = response.string("table", DEFAULT_TABLE);
    if (!table.matches("[a-z][a-z0-9_]{0,31}")) {
      table = DEFAULT_TABLE;
    }
    // A relative path would resolve against the prerm's working directory, not the agent's: like
    // a relative state_dir, it is not trusted, and the PATH lookup is used instead.
    Path nft =
        response
            .optionalPath("nft")
            .filter(Path::isAbsolute)
            .orElseGet(() -> onPath(env.get("PATH")));
    String key = root.child("sensors").child("process").string("audit_key", DEFAULT_AUDIT_KEY);
    if (!key.matches("[A-Za-z0-9_.-]{1,31}")) {
      key = DEFAULT_AUDIT_KEY;
    }
    return new ReleaseTargets(stateDir, table, nft, key);
  }

  /**
   * As {@link #lenient}, and if even that fails (a bug tripping over odd input), says so on {@code
   * err} and returns the built-in defaults with the {@code PATH} lookup for {@code nft}: the host
   * is released in any case.
   */
  static ReleaseTargets lenientOrDefaults(
      Optional<Path> file, Map<String, String> env, List<String> sets, PrintStream err) {
    try {
      return lenient(file, env, sets);
    } catch (RuntimeException e) {
      err.println(
          "vigil-agent release-host: cannot read the configuration even leniently (" + e + ")");
      return new ReleaseTargets(
          DEFAULT_STATE_DIR, DEFAULT_TABLE, onPath(env.get("PATH")), DEFAULT_AUDIT_KEY);
    }
  }

  /** The first executable {@code nft} in {@code path}, else {@link #DEFAULT_NFT}. */
  static Path onPath(String path) {
    if (path != null) {
      for (String d : path.split(File.pathSeparator)) {
        if (d.isEmpty()) {
          continue;
        }
        try {
          Path candidate = Path.of(d, "nft");
          if (candidate.isAbsolute() && Files.isExecutable(candidate)) {
            return candidate;
          }
        } catch (InvalidPathException e) {
          // not a directory name: skip it
        }
      }
    }
    return DEFAULT_NFT;
  }

  /** One line naming the targets, for the operator. */
  String describe() {
    return "state directory "
        + stateDir
        + ", table inet "
        + table
        + ", nft "
        + nft
        + ", audit key "
        + auditKey;
  }
}
