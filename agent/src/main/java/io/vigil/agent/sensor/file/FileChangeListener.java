package io.vigil.agent.sensor.file;

import io.vigil.proto.v1.ProcessRef;
import java.util.Optional;

/**
 * Told by the file sensor about changes as they are reported, so that integrity monitoring
 * re-checks a monitored file at once instead of at its next scan. Implementations return quickly
 * and never block (they queue the work); they are called from the file sensor's thread.
 */
public interface FileChangeListener {

  /**
   * {@code path} was created, written (and closed), deleted, renamed to or from, or had its
   * attributes changed, by {@code actor} when the source knows it. Called after the sensor's path
   * filter, for every reported event (a rename calls it for both paths).
   */
  void changed(String path, Optional<ProcessRef> actor);

  /**
   * Notifications were lost (kernel queue overflow, the sensor's own queue or rate limit): the
   * real-time stream is incomplete and a rescan should catch up.
   */
  void lost();

  /** A listener that ignores everything. */
  FileChangeListener NONE =
      new FileChangeListener() {
        @Override
        public void changed(String path, Optional<ProcessRef> actor) {}

        @Override
        public void lost() {}
      };
}
