/**
 * Helpers for tests that run Vigil as real processes: launching agent and collector JVMs (also as
 * an unprivileged user), writing their configs, reading and decoding a collector's store, keeping
 * the kernel's audit rules free of test leftovers, and polling with a deadline. {@link
 * io.vigil.testkit.ExecCensus} is also a command-line tool for {@code bench/exec-storm}.
 */
package io.vigil.testkit;
