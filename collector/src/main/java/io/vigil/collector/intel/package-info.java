/**
 * Threat-intel indicators in the running collector: loaded at start from the {@code intel} config
 * section, checked for changes and reloaded without a restart ({@link
 * io.vigil.collector.intel.IntelFeed}). Matching itself is {@link io.vigil.detect.intel}'s.
 */
package io.vigil.collector.intel;
