package io.vigil.agent.response.network;

import java.io.IOException;

/** The two things containment asks of nftables. Implementations are thread-safe. */
public interface Nftables {
  /**
   * Applies an nft script as one transaction ({@code nft -f -}): all of it or nothing.
   *
   * @throws IOException when nft refuses it, fails or times out; the message carries its stderr
   */
  void apply(String script) throws IOException;

  /**
   * The whole ruleset as {@code nft -s list ruleset} prints it (stateless: no counters), to compare
   * before and after.
   *
   * @throws IOException when nft fails or times out
   */
  String listRuleset() throws IOException;
}
