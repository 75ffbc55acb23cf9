package io.vigil.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PathArgumentTest {
  @Test
  void relativePathsBecomeAbsoluteAndNormalised() {
    Path p = PathArgument.parse("--config", "a/./b/../c.yaml");
    assertTrue(p.isAbsolute(), p.toString());
    assertEquals(Path.of("").toAbsolutePath().resolve("a/c.yaml"), p);
    assertEquals(
        Path.of("/etc/vigil/agent.yaml"),
        PathArgument.parse("--config", "/etc//vigil/x/../agent.yaml"));
  }

  @Test
  void emptyNulAndOverlongPathsAreRefusedNamingTheOption() {
    assertEquals(
        "--config: empty path",
        assertThrows(IllegalArgumentException.class, () -> PathArgument.parse("--config", ""))
            .getMessage());
    String nul =
        assertThrows(
                IllegalArgumentException.class,
                () -> PathArgument.parse("--out", "/tmp/x\u0000\u001b]0;pwn\u0007"))
            .getMessage();
    assertTrue(nul.startsWith("--out: path contains a NUL character"), nul);
    assertFalse(nul.contains("\u001b") || nul.contains("\u0000"), nul);
    String longOne =
        assertThrows(
                IllegalArgumentException.class,
                () -> PathArgument.parse("--config", "/" + "a".repeat(1 << 20)))
            .getMessage();
    assertTrue(longOne.startsWith("--config: path longer than 4096 characters"), longOne);
  }

  @Test
  void configArgsReportsABadConfigPathAsAProblem() throws ConfigException {
    ConfigException e =
        assertThrows(ConfigException.class, () -> ConfigArgs.parse("run", "--config", "a\u0000b"));
    assertTrue(e.getMessage().contains("--config: path contains a NUL character"), e.getMessage());
    assertTrue(ConfigArgs.parse("run", "--config", "x.yaml").file().get().isAbsolute());
  }
}
