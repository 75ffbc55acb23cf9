/**
 * What the agent's and collector's command lines share: the sub-command and flag grammar, the exit
 * codes, and logging set-up (one line per message on stderr; gRPC's java.util.logging routed into
 * the same stream).
 */
package io.vigil.common.cli;
