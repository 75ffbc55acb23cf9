/**
 * The collector's command queue: every command to an agent from issue to result, sent at once when
 * the agent is connected and otherwise when it next connects, never after its expiry, with the
 * audit rows of its delivery, expiry and result.
 */
package io.vigil.collector.command;
