/**
 * {@code vigil-agent release-host}: what the agent package's {@code prerm} runs on {@code remove},
 * so that a removed agent never leaves its host cut off. It stops an agent of the same state
 * directory that still runs (hosts without systemd have nothing else to stop it, and a running
 * agent would put its isolation back), marks the persisted containment state released, deletes
 * Vigil's nftables table, and removes the audit rules carrying the agent's key. Each step reports
 * one line; a step that fails does not stop the others. A configuration that does not validate does
 * not stop it either: it then acts on the keys it needs that are valid and built-in defaults for
 * the others, and exits 3 if everything was released that way (1, as always, if something could not
 * be released). A host without audit (kernel or container) has no audit rules to remove. The
 * running agent is recognised by its boot id and start tick, so a clock step cannot hide it.
 */
package io.vigil.agent.uninstall;
