package io.vigil.agent.packet.file;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Capture files cut short at many lengths and with random bytes overwritten (fixed seed): reading
 * either succeeds or ends with an {@link IOException}, never another exception and never a hang,
 * and a cut file never yields more packets than the whole one.
 */
class CaptureFileRobustnessTest {
  @TempDir Path dir;

  @Test
  void cutAndCorruptedFilesFailCleanly() throws Exception {
    List<Path> files = Corpus.files();
    List<Path> picked =
        files.stream()
            .filter(
                p ->
                    p.toString().endsWith(".pcapng")
                        || p.getFileName().toString().startsWith("vxlan-decoder-01")
                        || p.getFileName().toString().startsWith("bug-5633-gre-02")
                        || p.getFileName().toString().startsWith("bug-4810"))
            .toList();
    assertTrue(picked.size() >= 4, picked.toString());
    assertTimeoutPreemptively(Duration.ofSeconds(120), () -> mutate(picked));
  }

  private void mutate(List<Path> picked) throws IOException {
    Random random = new Random(6);
    Path tmp = dir.resolve("m");
    long[] errors = new long[1];
    for (Path f : picked) {
      byte[] whole = Files.readAllBytes(f);
      long full = count(f, errors);
      for (int cut = 0; cut < whole.length; cut += cut < 300 ? 1 : 1 + whole.length / 300) {
        Files.write(tmp, Arrays.copyOf(whole, cut));
        long n = count(tmp, errors);
        assertTrue(n <= full, f + " cut at " + cut + " gave " + n + " of " + full);
      }
      for (int i = 0; i < 300; i++) {
        byte[] m = whole.clone();
        for (int k = 0; k < 1 + random.nextInt(6); k++) {
          m[random.nextInt(m.length)] = (byte) random.nextInt(256);
        }
        Files.write(tmp, m);
        count(tmp, errors);
      }
    }
    assertTrue(errors[0] > 0);
  }

  private static long count(Path file, long[] errors) {
    CaptureFileReader reader = new CaptureFileReader();
    long[] n = new long[1];
    try {
      reader.read(file, (buf, off, len, lt, ts, orig) -> n[0]++);
    } catch (IOException e) {
      errors[0]++;
    }
    return n[0];
  }
}
