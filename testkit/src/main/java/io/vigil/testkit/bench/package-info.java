/**
 * Command-line measuring clients of the benchmark scripts under {@code bench/}: {@link
 * io.vigil.testkit.bench.ResponseBench} times response commands through the operator API for {@code
 * bench/response/run.sh}; {@link io.vigil.testkit.bench.SocBench} measures ingest, hunts, process
 * trees and retention on a filled store for {@code bench/soc/run.sh}.
 */
package io.vigil.testkit.bench;
