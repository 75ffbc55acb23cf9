/**
 * Layered, validated configuration: YAML file &lt; environment &lt; {@code --set} flags over the
 * defaults that each binder states in code.
 *
 * <p>{@link io.vigil.common.config.ConfigLoader} merges the layers into a tree; a binder (e.g.
 * {@code AgentConfig.from}) reads it through the typed getters of {@link
 * io.vigil.common.config.ConfigNode} into immutable records, and {@link
 * io.vigil.common.config.ConfigNode#finish()} throws one {@link
 * io.vigil.common.config.ConfigException} that lists every problem by key path, including keys
 * nobody read ("unknown key, did you mean ..."). There is no global configuration object.
 *
 * <p>YAML is read with a bounded, safe loader (no object construction, size and alias limits).
 */
package io.vigil.common.config;
