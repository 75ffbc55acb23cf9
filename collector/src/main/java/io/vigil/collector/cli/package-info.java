/**
 * The collector's command line: {@code run} starts the collector, {@code tail} follows the store
 * and prints events one line each, safe for a terminal.
 */
package io.vigil.collector.cli;
