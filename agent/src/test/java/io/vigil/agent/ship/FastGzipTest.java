package io.vigil.agent.ship;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Compressor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

class FastGzipTest {
  @Test
  void producesStandardGzipThatTheJdkDecoderReadsBack() throws Exception {
    byte[] input =
        "/usr/bin/python3 /opt/app/worker.py --queue jobs --id vigil-synthetic-42 "
            .repeat(200)
            .getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream compressed = new ByteArrayOutputStream();
    try (OutputStream out = new FastGzip().compress(compressed)) {
      out.write(input);
    }
    assertTrue(compressed.size() < input.length / 10, "compressed to " + compressed.size());
    try (GZIPInputStream in =
        new GZIPInputStream(new ByteArrayInputStream(compressed.toByteArray()))) {
      assertArrayEquals(input, in.readAllBytes());
    }
  }

  @Test
  void registryServesGzipAsThisCodecAndKeepsIdentity() {
    Compressor gzip = FastGzip.registry().lookupCompressor("gzip");
    assertTrue(gzip instanceof FastGzip);
    assertEquals("identity", FastGzip.registry().lookupCompressor("identity").getMessageEncoding());
  }
}
