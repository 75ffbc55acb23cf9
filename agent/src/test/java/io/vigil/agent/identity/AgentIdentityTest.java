package io.vigil.agent.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentIdentityTest {
  @TempDir Path dir;

  @Test
  void idIsCreatedOnceAndStableAcrossLoads() throws IOException {
    Path state = dir.resolve("a").resolve("state");
    AgentIdentity first = AgentIdentity.loadOrCreate(state);
    AgentIdentity second = AgentIdentity.loadOrCreate(state);
    assertEquals(first.agentId(), second.agentId());
    assertEquals(4, first.agentId().version(), "a random (v4) UUID");
    assertEquals(state.resolve("agent-id"), first.file());
    assertEquals(first.agentId().toString() + "\n", Files.readString(first.file()));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state)));
    assertEquals(
        "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(first.file())));
    try (var files = Files.list(state)) {
      assertEquals(1, files.count(), "no temporary file is left behind");
    }
  }

  @Test
  void newStateDirectoryGetsANewId() throws IOException {
    UUID a = AgentIdentity.loadOrCreate(dir.resolve("one")).agentId();
    UUID b = AgentIdentity.loadOrCreate(dir.resolve("two")).agentId();
    assertNotEquals(a, b);
  }

  @Test
  void corruptFileIsAnErrorAndIsKept() throws IOException {
    Path file = dir.resolve("agent-id");
    Files.writeString(file, "not-a-uuid\n");
    IOException e = assertThrows(IOException.class, () -> AgentIdentity.loadOrCreate(dir));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("does not hold a UUID"), e.getMessage());
    assertEquals("not-a-uuid\n", Files.readString(file), "never silently replaced");
  }

  @Test
  void emptyOrOversizedFileIsCorruptToo() throws IOException {
    Path file = dir.resolve("agent-id");
    Files.writeString(file, "");
    assertThrows(IOException.class, () -> AgentIdentity.loadOrCreate(dir));
    Files.writeString(file, UUID.randomUUID().toString().repeat(10));
    assertThrows(IOException.class, () -> AgentIdentity.loadOrCreate(dir));
  }

  @Test
  void existingIdIsReadWithSurroundingWhitespace() throws IOException {
    UUID id = UUID.randomUUID();
    Files.writeString(dir.resolve("agent-id"), "  " + id + "\n\n");
    assertEquals(id, AgentIdentity.loadOrCreate(dir).agentId());
  }
}
