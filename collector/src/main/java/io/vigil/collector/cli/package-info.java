/**
 * The collector's command lines. {@code vigil-collector}: {@code run} starts the collector, {@code
 * tail} follows the store and prints events one line each, {@code alerts} prints the newest alerts.
 * {@code vigilctl} ({@link io.vigil.collector.cli.CtlMain}): the analyst's alert triage (list,
 * show, acknowledge, close, reopen, assign, note) on the collector's database. All output is safe
 * for a terminal: every attacker-controlled string is escaped, JSON is quoted by one quoting
 * routine.
 */
package io.vigil.collector.cli;
