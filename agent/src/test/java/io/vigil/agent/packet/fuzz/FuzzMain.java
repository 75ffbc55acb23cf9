package io.vigil.agent.packet.fuzz;

import io.vigil.common.testing.Machine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The fuzzing run of bench/fuzz/run.sh: for each target named (or all), mutates its seeds and its
 * committed corpus {@code INPUTS} times, adds the inputs with new outcomes to the corpus folder
 * ({@code src/test/resources/fuzz/TARGET/}, until the folder holds {@link
 * MutationFuzzer#MAX_CORPUS} inputs or {@link #MAX_CORPUS_BYTES}) and writes findings there as
 * {@code crash-SHA1}; the replay test runs every file of those folders. Prints inputs/s and the
 * findings.
 *
 * <p>Usage: {@code FuzzMain INPUTS RANDOM_SEED [TARGET...]}.
 */
public final class FuzzMain {
  /** The committed corpus of one target stays under this (the pipeline's inputs are 20 KB each). */
  static final long MAX_CORPUS_BYTES = 256 << 10;

  private FuzzMain() {}

  public static void main(String[] args) throws Exception {
    long inputs = Long.parseLong(args[0]);
    long seed = Long.parseLong(args[1]);
    List<FuzzTarget> targets = new ArrayList<>();
    if (args.length > 2) {
      for (int i = 2; i < args.length; i++) {
        targets.add(FuzzTargets.byName(args[i]));
      }
    } else {
      targets.addAll(FuzzTargets.all());
    }
    System.out.println(Machine.describe());
    int failed = 0;
    for (FuzzTarget t : targets) {
      Path dir = FuzzCorpus.folder(t.name());
      List<byte[]> start = new ArrayList<>(t.seeds());
      start.addAll(FuzzCorpus.read(t.name()));
      MutationFuzzer.Result r = new MutationFuzzer(t).run(start, inputs, seed, dir);
      int kept = 0;
      int committed = FuzzCorpus.files(t.name()).size();
      long bytes = 0;
      for (Path p : FuzzCorpus.files(t.name())) {
        bytes += Files.size(p);
      }
      for (byte[] in : r.corpus()) {
        Path f = dir.resolve("input-" + MutationFuzzer.sha1(in));
        bytes += in.length;
        if (committed + kept < MutationFuzzer.MAX_CORPUS
            && bytes <= MAX_CORPUS_BYTES
            && !Files.exists(f)) {
          Files.createDirectories(dir);
          Files.write(f, in);
          kept++;
        }
      }
      System.out.printf(
          "%-14s %,12d inputs in %6.1f s = %,10.0f/s, %d kept, %d findings%n",
          t.name(),
          r.inputs(),
          r.nanos() / 1e9,
          r.inputs() / (r.nanos() / 1e9),
          kept,
          r.findings().size());
      for (String f : r.findings()) {
        System.out.println("  FINDING " + f);
        failed++;
      }
    }
    System.exit(failed == 0 ? 0 : 1);
  }
}
