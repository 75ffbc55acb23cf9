/**
 * The agent's configuration as immutable records ({@link io.vigil.agent.config.AgentConfig} and its
 * sections), bound from {@link io.vigil.common.config.ConfigNode} and validated at load so that
 * every mistake is reported at once with its key path. Defaults live in the binders here and are
 * mirrored, with comments, in {@code config-samples/agent.yaml}.
 */
package io.vigil.agent.config;
