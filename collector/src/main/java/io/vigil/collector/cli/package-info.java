/**
 * The collector's command line: {@code run} starts the collector, {@code tail} follows the store
 * and prints events one line each, {@code alerts} prints the newest alerts; all output is safe for
 * a terminal.
 */
package io.vigil.collector.cli;
