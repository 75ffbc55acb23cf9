package io.vigil.collector.stream;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.stub.StreamObserver;
import io.vigil.collector.store.CollectedFiles;
import io.vigil.collector.store.CollectedFiles.CommandRow;
import io.vigil.common.metrics.Counter;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.proto.v1.Command;
import io.vigil.proto.v1.FileChunk;
import io.vigil.proto.v1.UploadReceipt;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives the files agents upload for CollectFile commands ({@code AgentService.Upload}): who may
 * upload what, how much, and how many at once. Each upload is an {@link UploadCall}; the file goes
 * to {@code <database dir>/collected/<agent_id>/<command_id>} (directories 0700, file 0600) and is
 * recorded in {@code collected_files}.
 *
 * <p>An upload is refused with PERMISSION_DENIED unless its command id is a {@code collect_file}
 * command the queue holds for the uploading agent; with RESOURCE_EXHAUSTED beyond {@code
 * ingest.max_concurrent_uploads} uploads in progress; with ALREADY_EXISTS when the command has its
 * file already (or an upload of it is in progress); with INVALID_ARGUMENT for more content than the
 * command's {@code max_bytes} (0: {@code ingest.max_upload_bytes}; always capped by it), a chunk of
 * more than {@value #MAX_CHUNK_BYTES} bytes, or a size or digest at the end that is not what was
 * received; with RESOURCE_EXHAUSTED when the collected files recorded plus the uploads in progress
 * (at their declared sizes) plus this one would be more than {@code ingest.max_collected_bytes};
 * with DEADLINE_EXCEEDED when no chunk came for {@value #IDLE_SECONDS} s. Refusals are counted
 * ({@code vigil_collector_uploads_total{outcome}}) and logged escaped and throttled. Thread-safe;
 * the calls block on the store and the disk (on gRPC's executor).
 */
public final class FileUploads implements AutoCloseable {
  static final Logger log = LoggerFactory.getLogger(FileUploads.class);

  /** Largest {@code data} of one chunk. */
  public static final int MAX_CHUNK_BYTES = 1 << 20;

  static final int IDLE_SECONDS = 60;

  /** An upload that sends no chunk for this long is ended with DEADLINE_EXCEEDED. */
  public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(IDLE_SECONDS);

  /** Agent and command ids become path names: a conservative alphabet, bounded. */
  private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private static final Set<String> OUTCOMES =
      Set.of("stored", "denied", "busy", "full", "exists", "invalid", "idle", "failed");

  /** Default of {@code ingest.max_collected_bytes}. */
  public static final long DEFAULT_MAX_COLLECTED_BYTES = 10L << 30;

  private final CollectedFiles store;
  private final long maxUploadBytes;
  private final int maxConcurrent;
  private final long maxCollectedBytes;
  private final Semaphore slots;

  /** Declared sizes of the uploads in progress, by command id; guarded by itself. */
  private final Map<String, Long> reserved = new java.util.HashMap<>();

  private final Set<String> inProgress = ConcurrentHashMap.newKeySet();
  private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
  private final LongSupplier nowNs;
  private final RefusalLog refusals = new RefusalLog(log);
  private final Set<UploadCall> active = ConcurrentHashMap.newKeySet();
  private final long idleNanos;

  // One daemon thread that ends abandoned uploads: an enrolled agent that opens an upload and then
  // sends nothing must not hold one of the few upload slots for as long as its connection lives.
  private final ScheduledExecutorService watch =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "vigil-upload-watch");
            t.setDaemon(true);
            return t;
          });

  /**
   * @param store the collected-file records and the command queue (owned: closed by {@link #close})
   * @param maxUploadBytes {@code ingest.max_upload_bytes}
   * @param maxConcurrent {@code ingest.max_concurrent_uploads}
   * @param maxCollectedBytes {@code ingest.max_collected_bytes}
   * @param nowNs UTC ns, for the record's {@code received_ns}
   */
  public FileUploads(
      CollectedFiles store,
      long maxUploadBytes,
      int maxConcurrent,
      long maxCollectedBytes,
      MetricsRegistry registry,
      LongSupplier nowNs) {
    this(store, maxUploadBytes, maxConcurrent, maxCollectedBytes, registry, nowNs, IDLE_TIMEOUT);
  }

  /** As above with {@link #DEFAULT_MAX_COLLECTED_BYTES}. */
  public FileUploads(
      CollectedFiles store,
      long maxUploadBytes,
      int maxConcurrent,
      MetricsRegistry registry,
      LongSupplier nowNs) {
    this(store, maxUploadBytes, maxConcurrent, DEFAULT_MAX_COLLECTED_BYTES, registry, nowNs);
  }

  /** As above, ending uploads that send nothing for {@code idleTimeout} (tests use a short one). */
  FileUploads(
      CollectedFiles store,
      long maxUploadBytes,
      int maxConcurrent,
      MetricsRegistry registry,
      LongSupplier nowNs,
      Duration idleTimeout) {
    this(
        store,
        maxUploadBytes,
        maxConcurrent,
        DEFAULT_MAX_COLLECTED_BYTES,
        registry,
        nowNs,
        idleTimeout);
  }

  /** As above, with every limit given. */
  FileUploads(
      CollectedFiles store,
      long maxUploadBytes,
      int maxConcurrent,
      long maxCollectedBytes,
      MetricsRegistry registry,
      LongSupplier nowNs,
      Duration idleTimeout) {
    if (maxUploadBytes <= 0 || maxConcurrent <= 0 || maxCollectedBytes <= 0) {
      throw new IllegalArgumentException(
          "maxUploadBytes, maxConcurrent and maxCollectedBytes must be positive, got "
              + maxUploadBytes
              + ", "
              + maxConcurrent
              + ", "
              + maxCollectedBytes);
    }
    this.store = store;
    this.maxUploadBytes = maxUploadBytes;
    this.maxConcurrent = maxConcurrent;
    this.maxCollectedBytes = maxCollectedBytes;
    this.slots = new Semaphore(maxConcurrent);
    this.nowNs = nowNs;
    removeStaleParts(store.dataDir().resolve("collected"));
    this.idleNanos = idleTimeout.toNanos();
    long period = Math.max(50, idleTimeout.toMillis() / 4);
    watch.scheduleWithFixedDelay(this::expireIdle, period, period, TimeUnit.MILLISECONDS);
    for (String o : OUTCOMES) {
      outcomes.put(
          o,
          registry.counter(
              "vigil_collector_uploads_total",
              "File uploads (CollectFile) by how they ended: stored, or refused (denied: not a"
                  + " collect_file command for this agent; busy: too many at once; full:"
                  + " ingest.max_collected_bytes reached; exists: the"
                  + " command has its file; invalid: size, chunk or digest; idle: no chunk for"
                  + " a minute; failed: the"
                  + " collector's disk or store)",
              "outcome",
              o));
    }
  }

  /**
   * Starts one upload.
   *
   * @param agentId the agent its certificate names; null without trust ({@code --insecure}), when
   *     the command's own agent is taken
   * @param peer the peer address, for log lines
   */
  StreamObserver<FileChunk> open(String agentId, String peer, StreamObserver<UploadReceipt> out) {
    if (!slots.tryAcquire()) {
      UploadCall.refuse(
          out,
          Status.RESOURCE_EXHAUSTED.withDescription(
              "too many uploads in progress (at most " + maxConcurrent + "); try again later"));
      refused("busy", peer, "too many uploads in progress");
      return new UploadCall.Ignored();
    }
    UploadCall call = new UploadCall(this, agentId, peer, out);
    active.add(call);
    return call;
  }

  /**
   * Removes the temporary files of uploads a previous collector process did not finish (it died
   * during them): {@code collected/<agent>/.<command>.part-<random>}.
   */
  private static void removeStaleParts(Path collected) {
    if (!Files.isDirectory(collected)) {
      return;
    }
    int removed = 0;
    try (DirectoryStream<Path> agents = Files.newDirectoryStream(collected)) {
      for (Path agent : agents) {
        if (!Files.isDirectory(agent, LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        try (DirectoryStream<Path> parts = Files.newDirectoryStream(agent, ".*.part-*")) {
          for (Path part : parts) {
            Files.deleteIfExists(part);
            removed++;
          }
        }
      }
    } catch (IOException e) {
      log.warn("cannot remove unfinished uploads under {}: {}", collected, e.toString());
    }
    if (removed > 0) {
      log.info("removed {} unfinished uploads left by an earlier run under {}", removed, collected);
    }
  }

  /** What an accepted first chunk names: the agent, the command and its limit. */
  record Grant(String agentId, String commandId, long limit) {}

  /**
   * Checks the first chunk's command: a collect_file command for this agent, without a file yet and
   * not being uploaded now (reserved until {@link #finished}).
   *
   * @throws StatusException the refusal
   */
  Grant grant(String agentId, String commandId) throws StatusException {
    if (commandId.isEmpty()) {
      throw Status.INVALID_ARGUMENT
          .withDescription("command_id: the first chunk must name the CollectFile command")
          .asException();
    }
    if (!SAFE_ID.matcher(commandId).matches()) {
      throw denied("command_id: not a command of this collector");
    }
    CommandRow row = store.command(commandId).orElse(null);
    if (row == null) {
      throw denied("command_id: not a command of this collector");
    }
    String owner = agentId == null ? row.agentId() : agentId;
    if (!row.agentId().equals(owner)) {
      throw denied("command_id: the command is not for this agent");
    }
    Command command;
    try {
      command = Command.parseFrom(row.payload());
    } catch (InvalidProtocolBufferException e) {
      throw denied("command_id: not a CollectFile command");
    }
    if (!command.hasCollectFile()) {
      throw denied("command_id: not a CollectFile command");
    }
    if (!SAFE_ID.matcher(owner).matches()) {
      throw Status.FAILED_PRECONDITION
          .withDescription("the agent id cannot name a directory; cannot store its uploads")
          .asException();
    }
    if (store.find(commandId).isPresent() || !inProgress.add(commandId)) {
      throw Status.ALREADY_EXISTS
          .withDescription("command " + commandId + " has its file already")
          .asException();
    }
    long asked = command.getCollectFile().getMaxBytes();
    long limit = asked <= 0 ? maxUploadBytes : Math.min(asked, maxUploadBytes);
    return new Grant(owner, commandId, limit);
  }

  private static StatusException denied(String why) {
    return Status.PERMISSION_DENIED.withDescription(why).asException();
  }

  /**
   * Reserves room for an upload's declared size within {@code ingest.max_collected_bytes}, until
   * {@link #finished}.
   *
   * @throws StatusException RESOURCE_EXHAUSTED when there is not enough room
   */
  void reserve(Grant grant, long size) throws StatusException {
    long stored = store.totalBytes();
    synchronized (reserved) {
      long pending = 0;
      for (long r : reserved.values()) {
        pending += r;
      }
      if (stored + pending + size > maxCollectedBytes) {
        throw Status.RESOURCE_EXHAUSTED
            .withDescription(
                "collected files are full: "
                    + stored
                    + " bytes stored and "
                    + pending
                    + " being uploaded, this file's "
                    + size
                    + " would pass ingest.max_collected_bytes ("
                    + maxCollectedBytes
                    + "); the collector's administrator must remove collected files or raise it")
            .asException();
      }
      reserved.put(grant.commandId(), size);
    }
  }

  /** Ends an upload's hold on its slot and, if it had one, its command's reservation. */
  void finished(UploadCall call, Grant grant) {
    active.remove(call);
    if (grant != null) {
      inProgress.remove(grant.commandId());
      synchronized (reserved) {
        reserved.remove(grant.commandId());
      }
    }
    slots.release();
  }

  CollectedFiles store() {
    return store;
  }

  Path dataDir() {
    return store.dataDir();
  }

  long nowNs() {
    return nowNs.getAsLong();
  }

  void stored() {
    outcomes.get("stored").inc();
  }

  long idleMillis() {
    return TimeUnit.NANOSECONDS.toMillis(idleNanos);
  }

  private void expireIdle() {
    long cutoff = System.nanoTime() - idleNanos;
    for (UploadCall c : active) {
      try {
        c.expireIfIdleSince(cutoff);
      } catch (RuntimeException e) {
        log.warn("cannot end an idle upload: {}", e.toString());
      }
    }
  }

  /** Counts and logs (escaped, throttled) a refused upload. */
  void refused(String outcome, String peer, String why) {
    outcomes.get(outcome).inc();
    refusals.warn(outcome, "refused upload", peer, why);
  }

  @Override
  public void close() {
    watch.shutdownNow();
    store.close();
  }
}
