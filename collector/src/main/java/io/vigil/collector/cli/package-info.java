/**
 * The collector's command lines. {@code vigil-collector}: {@code run} starts the collector, {@code
 * tail} follows the store and prints events one line each, {@code alerts} prints the newest alerts.
 * {@code vigilctl} ({@link io.vigil.collector.cli.CtlMain}): the operator's command line over the
 * operator API ({@code io.vigil.collector.api}): alert triage (list, show, acknowledge, close,
 * reopen, assign, note), tokens, agents, ping, the audit log; it never opens the database. All
 * output is safe for a terminal: every attacker-controlled string is escaped, JSON is quoted by one
 * quoting routine.
 */
package io.vigil.collector.cli;
