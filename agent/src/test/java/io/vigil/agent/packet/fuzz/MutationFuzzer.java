package io.vigil.agent.packet.fuzz;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Runs a {@link FuzzTarget} on mutations of its seeds. An input is kept in the corpus when the
 * target describes its outcome in a way not seen before (at most {@link #MAX_CORPUS} inputs); an
 * input that throws, or that takes longer than {@link #SLOW_NS}, is a finding, written to the
 * findings folder under its SHA-1 so that the replay test runs it forever after. Deterministic for
 * a given random seed. Not thread-safe.
 */
final class MutationFuzzer {
  static final int MAX_CORPUS = 256;
  static final long SLOW_NS = 2_000_000_000L;

  /** What a run found: inputs tried, the corpus grown, and the findings (crash descriptions). */
  record Result(long inputs, List<byte[]> corpus, List<String> findings, long nanos) {}

  private final FuzzTarget target;

  MutationFuzzer(FuzzTarget target) {
    this.target = target;
  }

  /**
   * @param start the corpus to start from (seeds and earlier kept inputs), not empty
   * @param findings where to write crashing inputs, or null to keep them in memory only
   */
  Result run(List<byte[]> start, long inputs, long randomSeed, Path findings) throws IOException {
    List<byte[]> corpus = new ArrayList<>(start);
    Set<String> outcomes = new HashSet<>();
    List<String> found = new ArrayList<>();
    Set<String> foundOutcomes = new HashSet<>();
    for (byte[] s : start) {
      String o = tryOne(s, found, foundOutcomes, findings);
      if (o != null) {
        outcomes.add(o);
      }
    }
    Mutator m = new Mutator(new SplittableRandom(randomSeed));
    SplittableRandom pick = new SplittableRandom(randomSeed ^ 0x5deece66dL);
    long t0 = System.nanoTime();
    for (long i = 0; i < inputs; i++) {
      byte[] in = m.mutate(corpus.get(pick.nextInt(corpus.size())), corpus);
      String o = tryOne(in, found, foundOutcomes, findings);
      if (o != null && outcomes.add(o) && corpus.size() < MAX_CORPUS + start.size()) {
        corpus.add(in);
      }
    }
    long nanos = System.nanoTime() - t0;
    return new Result(inputs, corpus.subList(start.size(), corpus.size()), found, nanos);
  }

  /** The outcome, or null when the input was a finding (recorded). */
  private String tryOne(byte[] in, List<String> found, Set<String> seen, Path findings)
      throws IOException {
    long t = System.nanoTime();
    String what;
    try {
      String o = target.run(in);
      long took = System.nanoTime() - t;
      if (took <= SLOW_NS) {
        return o;
      }
      what = "slow: " + took / 1_000_000 + " ms";
    } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
      StackTraceElement[] st = e.getStackTrace();
      what = e.getClass().getName() + (st.length > 0 ? " at " + st[0] : "");
    }
    if (seen.add(what)) {
      String name = "crash-" + sha1(in);
      found.add(name + ": " + what);
      if (findings != null) {
        Files.createDirectories(findings);
        Files.write(findings.resolve(name), in);
      }
    }
    return null;
  }

  static String sha1(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
