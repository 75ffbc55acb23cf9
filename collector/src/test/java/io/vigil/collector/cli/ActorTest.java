package io.vigil.collector.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ActorTest {
  @Test
  void theOsUserWithoutSudo() {
    assertEquals("alice", Actor.of(Map.of(), "alice"));
    assertEquals("alice", Actor.of(Map.of("SUDO_USER", "alice"), "alice"));
  }

  @Test
  void throughSudoThePersonAndTheAccountUnlessRoot() {
    assertEquals("alice (via sudo)", Actor.of(Map.of("SUDO_USER", "alice"), "root"));
    assertEquals("alice (via sudo as vigil)", Actor.of(Map.of("SUDO_USER", "alice"), "vigil"));
  }

  @Test
  void aForgedSudoUserStillShowsTheRealAccountAndLosesControlCharacters() {
    assertEquals(
        "boss[2J (via sudo as mallory)",
        Actor.of(Map.of("SUDO_USER", "boss\u001b[2J\n"), "mallory"));
    assertThrows(IllegalStateException.class, () -> Actor.of(Map.of(), ""));
  }
}
