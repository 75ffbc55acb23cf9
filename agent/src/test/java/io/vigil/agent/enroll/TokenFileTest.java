package io.vigil.agent.enroll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenFileTest {
  private static final String TOKEN = "vigil-enroll-" + "x".repeat(43);
  private static final InputStream NO_STDIN = new ByteArrayInputStream(new byte[0]);

  @TempDir Path dir;
  private final ByteArrayOutputStream warnings = new ByteArrayOutputStream();

  private String read(String spec, InputStream stdin) throws IOException {
    return TokenFile.read(spec, stdin, new PrintStream(warnings, true, StandardCharsets.UTF_8));
  }

  private Path file(String text, String mode) throws IOException {
    Path f = dir.resolve("token");
    Files.writeString(f, text);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
    return f;
  }

  @Test
  void aPrivateFileIsReadTrimmedWithoutWarning() throws IOException {
    assertEquals(TOKEN, read(file("  " + TOKEN + "\n", "rw-------").toString(), NO_STDIN));
    assertEquals("", warnings.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aFileOthersCanReadIsUsedWithAWarning() throws IOException {
    Path f = file(TOKEN, "rw-r-----");
    assertEquals(TOKEN, read(f.toString(), NO_STDIN));
    String w = warnings.toString(StandardCharsets.UTF_8);
    assertTrue(w.contains("readable by its group") && w.contains("chmod 600"), w);
    warnings.reset();
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    read(f.toString(), NO_STDIN);
    assertTrue(warnings.toString(StandardCharsets.UTF_8).contains("readable by others"));
  }

  @Test
  void dashReadsStdin() throws IOException {
    assertEquals(
        TOKEN,
        read("-", new ByteArrayInputStream((TOKEN + "\n").getBytes(StandardCharsets.UTF_8))));
  }

  @Test
  void missingTooLargeEmptyAndMultiWordInputIsRefusedByName() throws IOException {
    IOException missing =
        assertThrows(IOException.class, () -> read(dir.resolve("nope").toString(), NO_STDIN));
    assertTrue(
        missing.getMessage().startsWith("--token-file " + dir.resolve("nope")),
        missing.getMessage());

    Path big = file("x".repeat(TokenFile.MAX_BYTES + 1), "rw-------");
    IOException tooBig = assertThrows(IOException.class, () -> read(big.toString(), NO_STDIN));
    assertTrue(tooBig.getMessage().contains("larger than 4096 bytes"), tooBig.getMessage());

    IOException bigStdin =
        assertThrows(
            IOException.class,
            () -> read("-", new ByteArrayInputStream(new byte[TokenFile.MAX_BYTES + 10])));
    assertTrue(bigStdin.getMessage().contains("stdin"), bigStdin.getMessage());

    Path empty = file("\n  \n", "rw-------");
    assertTrue(
        assertThrows(IOException.class, () -> read(empty.toString(), NO_STDIN))
            .getMessage()
            .endsWith("empty"));

    Path two = file(TOKEN + "\n" + TOKEN + "\n", "rw-------");
    assertThrows(IOException.class, () -> read(two.toString(), NO_STDIN));
  }
}
