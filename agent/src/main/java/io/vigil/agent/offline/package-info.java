/**
 * Offline mode: capture files through the same packet pipeline as live capture, to JSON lines
 * ({@code vigil-agent pcap FILE... --out FILE.jsonl}).
 */
package io.vigil.agent.offline;
