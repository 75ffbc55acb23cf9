/**
 * Counters and gauges for every hop of the pipeline, and their Prometheus text exposition.
 *
 * <p>All types here are thread-safe. Counters are {@link java.util.concurrent.atomic.LongAdder}
 * based, so hot paths can increment them from many threads without contention.
 */
package io.vigil.common.metrics;
