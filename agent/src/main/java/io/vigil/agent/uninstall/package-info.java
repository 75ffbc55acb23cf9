/**
 * {@code vigil-agent release-host}: what the agent package's {@code prerm} runs on {@code remove},
 * so that a removed agent never leaves its host cut off. It stops an agent of the same state
 * directory that still runs (hosts without systemd have nothing else to stop it, and a running
 * agent would put its isolation back), marks the persisted containment state released, deletes
 * Vigil's nftables table, and removes the audit rules carrying the agent's key. Each step reports
 * one line; a step that fails does not stop the others.
 */
package io.vigil.agent.uninstall;
