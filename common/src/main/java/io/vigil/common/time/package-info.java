/** Wall-clock time in the unit the wire schema uses: UTC nanoseconds since the Unix epoch. */
package io.vigil.common.time;
