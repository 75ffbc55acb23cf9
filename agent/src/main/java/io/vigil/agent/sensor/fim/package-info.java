/**
 * File integrity monitoring: a baseline of the configured paths (content hash, size, mode, owner,
 * times, inode), kept in the agent's state directory and mirrored to the collector; scans at start
 * and on a schedule, and re-checks of paths the file sensor reports changed, each difference
 * reported with the state before and after.
 *
 * <p>{@link io.vigil.agent.sensor.fim.IntegritySensor} is the sensor and the file sensor's {@link
 * io.vigil.agent.sensor.file.FileChangeListener}. Inside: {@link
 * io.vigil.agent.sensor.fim.FimScope} (which paths), {@link
 * io.vigil.agent.sensor.fim.FileStateReader} (one path's state, never opening what is not a regular
 * file, via {@link io.vigil.agent.platform.linux.PathHandles}), {@link
 * io.vigil.agent.sensor.fim.Reconciler} (walk and compare), {@link
 * io.vigil.agent.sensor.fim.Baseline}, {@link io.vigil.agent.sensor.fim.StateCodec} and {@link
 * io.vigil.agent.sensor.fim.BaselineStore} (the baseline, compact in memory, and its file), {@link
 * io.vigil.agent.sensor.fim.FimWorker} (the one thread that does the work and emits, in the order
 * the collector applies). The comparison and the digest are the shared {@link
 * io.vigil.proto.fim.FimCompare} and {@link io.vigil.proto.fim.FimDigest}.
 */
package io.vigil.agent.sensor.fim;
