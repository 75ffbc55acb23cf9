/**
 * Fuzzing of the packet decoders: a mutation fuzzer (no coverage instrumentation; outcomes stand in
 * for it), the targets, the committed corpus replayed by the test suite, and the long runs of
 * bench/fuzz/run.sh.
 */
package io.vigil.agent.packet.fuzz;
