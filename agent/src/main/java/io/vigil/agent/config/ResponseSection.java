package io.vigil.agent.config;

import io.vigil.common.config.ConfigNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Containment commands from the collector (the {@code response} section). Immutable.
 *
 * @param enabled {@code response.enabled}: run containment commands; when false every action but
 *     ping is rejected with a clear reason
 * @param nft {@code response.nft}: the nftables tool isolation and blocks are applied with
 * @param table {@code response.table}: name of the {@code inet} table Vigil owns (it touches no
 *     other)
 * @param isolationAllow {@code response.isolation.allow}: exceptions kept open while isolated (see
 *     {@link IsolationException})
 * @param verifyTimeout {@code response.isolation.verify_timeout}: how long, after cutting, the
 *     agent waits for a fresh round trip to its collector before it rolls back
 * @param vault {@code response.quarantine.vault}: root-only directory quarantined files move to;
 *     {@code <agent.state_dir>/quarantine} when not set
 * @param protectedPaths {@code response.protected_paths}: further files and directories that
 *     quarantine must never touch (the agent's own files and system essentials always are)
 * @param collectMaxBytes {@code response.collect.max_bytes}: largest file a collect command uploads
 */
public record ResponseSection(
    boolean enabled,
    Path nft,
    String table,
    List<IsolationException> isolationAllow,
    Duration verifyTimeout,
    Path vault,
    List<Path> protectedPaths,
    long collectMaxBytes) {

  static ResponseSection bind(ConfigNode node, Path stateDir) {
    boolean enabled = node.bool("enabled", true);
    Path nft = node.path("nft", "/usr/sbin/nft");
    String table = node.string("table", "vigil");
    if (!table.matches("[a-z][a-z0-9_]{0,31}")) {
      node.error("table", "expected [a-z][a-z0-9_]{0,31}, got \"" + table + "\"");
      table = "vigil";
    }
    ConfigNode isolation = node.child("isolation");
    List<IsolationException> allow = new ArrayList<>();
    List<String> texts = isolation.stringList("allow", List.of());
    for (int i = 0; i < texts.size(); i++) {
      try {
        allow.add(IsolationException.parse(texts.get(i)));
      } catch (IllegalArgumentException e) {
        isolation.error("allow", "item " + i + ": " + e.getMessage());
      }
    }
    Duration verify =
        isolation.duration("verify_timeout", "10s", Duration.ofMillis(500), Duration.ofMinutes(5));
    Path vault =
        node.child("quarantine").optionalPath("vault").orElse(stateDir.resolve("quarantine"));
    List<Path> protectedPaths = new ArrayList<>();
    for (String p : node.stringList("protected_paths", List.of())) {
      if (!p.startsWith("/")) {
        node.error("protected_paths", "\"" + p + "\" is not an absolute path");
      } else {
        protectedPaths.add(Path.of(p).normalize());
      }
    }
    long collectMax = node.child("collect").bytes("max_bytes", "64MiB", 1, 1L << 30);
    return new ResponseSection(
        enabled,
        nft,
        table,
        List.copyOf(allow),
        verify,
        vault,
        List.copyOf(protectedPaths),
        collectMax);
  }
}
