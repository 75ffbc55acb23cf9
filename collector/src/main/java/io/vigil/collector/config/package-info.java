/**
 * The collector's configuration as immutable records ({@link
 * io.vigil.collector.config.CollectorConfig} and its sections), bound from {@link
 * io.vigil.common.config.ConfigNode} and validated at load so that every mistake is reported at
 * once with its key path. Defaults live in the binders here and are mirrored, with comments, in
 * {@code config-samples/collector.yaml}.
 */
package io.vigil.collector.config;
