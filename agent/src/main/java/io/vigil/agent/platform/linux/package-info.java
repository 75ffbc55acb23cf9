/**
 * JNA bindings to Linux and glibc. The only package of the agent that calls native code; sensors,
 * the spool and response handlers use it through small typed wrappers.
 */
package io.vigil.agent.platform.linux;
