/**
 * This process's own resource use read from {@code /proc/self}: CPU time and resident memory, for
 * status events and self-metrics. Linux only.
 */
package io.vigil.common.proc;
