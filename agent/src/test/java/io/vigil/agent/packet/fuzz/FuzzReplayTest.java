package io.vigil.agent.packet.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every committed fuzzing input (corpus and findings, {@code src/test/resources/fuzz/TARGET/}) runs
 * through its decoder without throwing, and a short fuzzing run of each target (20,000 mutations,
 * fixed random seed) finds nothing: the long runs are bench/fuzz/run.sh's.
 */
class FuzzReplayTest {
  @TestFactory
  Stream<DynamicTest> everyCommittedInputRunsCleanly() throws Exception {
    List<DynamicTest> tests = new ArrayList<>();
    for (FuzzTarget t : FuzzTargets.all()) {
      List<Path> files = FuzzCorpus.files(t.name());
      tests.add(
          DynamicTest.dynamicTest(
              t.name() + " (" + files.size() + " inputs)",
              () -> {
                assertFalse(files.isEmpty(), "no committed corpus for " + t.name());
                for (Path f : files) {
                  t.run(Files.readAllBytes(f)); // throws on a regression
                }
              }));
    }
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> aShortRunOfEachTargetFindsNothing() {
    return FuzzTargets.all().stream()
        .map(
            t ->
                DynamicTest.dynamicTest(
                    t.name(),
                    () -> {
                      List<byte[]> seeds = t.seeds();
                      assertFalse(seeds.isEmpty(), "no seeds for " + t.name());
                      MutationFuzzer.Result r =
                          new MutationFuzzer(t)
                              .run(
                                  seeds, t.name().equals("capture-file") ? 2_000 : 20_000, 7, null);
                      assertEquals(List.of(), r.findings(), t.name());
                    }));
  }

  @Test
  void theFuzzerReportsACrashingDecoder() throws Exception {
    FuzzTarget buggy =
        FuzzTargets.of(
            "buggy",
            () -> List.of(new byte[] {1, 2, 3, 4}),
            in -> {
              if (in.length > 2 && in[1] == 0) {
                throw new ArrayIndexOutOfBoundsException("planted");
              }
              return "ok" + in.length;
            });
    MutationFuzzer.Result r = new MutationFuzzer(buggy).run(buggy.seeds(), 20_000, 1, null);
    assertEquals(1, r.findings().size(), r.findings().toString());
    assertTrue(r.findings().get(0).contains("ArrayIndexOutOfBoundsException"), r.findings().get(0));
    assertFalse(r.corpus().isEmpty(), "inputs with new outcomes kept");
  }
}
