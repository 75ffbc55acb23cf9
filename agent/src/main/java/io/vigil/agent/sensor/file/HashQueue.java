package io.vigil.agent.sensor.file;

import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.FileEvent;
import io.vigil.proto.v1.ProcessRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Hashes events' files on one background thread, so that reading a 64 MiB binary never stalls the
 * processor. A bounded queue: when it is full the caller emits the event without hashes ("busy").
 * Finished events are collected for the processor thread ({@link #completed}), which emits them:
 * the sink and the listener are then only ever called from that thread. Thread-safe.
 */
final class HashQueue {
  /**
   * An event waiting for its hashes and for its process. The hash thread only sets {@link
   * #outcome}; the event itself is touched by the processor thread alone (protobuf builders are not
   * thread-safe), which applies the outcome when it takes the job from {@link #completed}.
   */
  static final class Job {
    final Event.Builder event;
    final FileChange change;
    final FileStat stat;
    private final AtomicBoolean claimed = new AtomicBoolean();
    private volatile ContentHasher.Outcome outcome;
    // Processor thread only:
    Optional<ProcessRef> actor = Optional.empty();
    boolean attributed;
    boolean hashed;

    /**
     * @param stat the event's {@code lstat}: only the file with its device and inode is hashed
     */
    Job(Event.Builder event, FileChange change, FileStat stat) {
      this.event = event;
      this.change = change;
      this.stat = stat;
    }

    /** First caller wins: the hasher when done, or {@link #finish} when it gave up waiting. */
    boolean claim() {
      return claimed.compareAndSet(false, true);
    }

    /** On the processor thread, for a job from {@link #completed}: the digests into the event. */
    void applyOutcome() {
      apply(event.getFileBuilder(), outcome);
      hashed = true;
    }
  }

  private final ContentHasher hasher;
  private final ThreadPoolExecutor executor;
  private final Queue<Job> completed = new ConcurrentLinkedQueue<>();
  private final Set<Job> inFlight = ConcurrentHashMap.newKeySet();

  /**
   * @param capacity jobs that may wait besides the one being hashed
   */
  HashQueue(ContentHasher hasher, int capacity) {
    this.hasher = hasher;
    this.executor =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(capacity),
            r -> {
              Thread t = new Thread(r, "vigil-file-hash");
              t.setDaemon(true);
              return t;
            });
  }

  /** Queues {@code job}; false when the queue is full (or closed). */
  boolean submit(Job job) {
    inFlight.add(job);
    try {
      executor.execute(() -> run(job));
      return true;
    } catch (RejectedExecutionException e) {
      inFlight.remove(job);
      return false;
    }
  }

  /** Takes the next hashed job, or null; the caller applies its outcome. */
  Job completed() {
    return completed.poll();
  }

  /**
   * Stops taking jobs, waits up to {@code waitMillis} for the queued ones, and returns the jobs
   * that were not hashed by then, with the outcome "busy" ({@link Job#applyOutcome}): the caller
   * emits them, nothing is lost. Called on the processor thread.
   */
  List<Job> finish(long waitMillis) {
    executor.shutdown();
    try {
      if (!executor.awaitTermination(waitMillis, TimeUnit.MILLISECONDS)) {
        executor.shutdownNow();
        executor.awaitTermination(1, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
    List<Job> left = new ArrayList<>();
    for (Job j : inFlight) {
      if (j.claim()) {
        j.outcome = ContentHasher.Outcome.skipped("busy");
        left.add(j);
      }
    }
    inFlight.clear();
    return left;
  }

  private void run(Job job) {
    ContentHasher.Outcome o;
    try {
      o = hasher.hash(job.change.path(), job.stat);
    } catch (RuntimeException e) {
      o = ContentHasher.Outcome.skipped("unreadable"); // a bug must not lose the event
    }
    if (job.claim()) {
      job.outcome = o;
      inFlight.remove(job);
      completed.add(job);
    }
  }

  /** Sets the digests or the reason they are missing. */
  static void apply(FileEvent.Builder f, ContentHasher.Outcome o) {
    if (o.hashes().isPresent()) {
      f.setMd5(o.hashes().get().md5())
          .setSha1(o.hashes().get().sha1())
          .setSha256(o.hashes().get().sha256());
    } else {
      f.setHashSkipped(o.skipped());
    }
  }
}
