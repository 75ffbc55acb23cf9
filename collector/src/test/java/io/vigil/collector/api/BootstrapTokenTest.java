package io.vigil.collector.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.collector.store.ApiTokenRow;
import io.vigil.collector.store.ApiTokenStore;
import io.vigil.proto.v1.Role;
import io.vigil.proto.v1.WhoAmIReply;
import io.vigil.proto.v1.WhoAmIRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bootstrap admin token: made at the first start only, owner-only, never again. */
class BootstrapTokenTest {
  @TempDir Path dir;

  @Test
  void theFirstStartWritesAnAdminTokenOwnerOnlyAndLaterStartsMakeNoOther() throws Exception {
    try (OperatorFixture api = OperatorFixture.start(dir)) {
      Path file = api.bootstrapFile();
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
      assertEquals(
          "rwx------",
          PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
      String token = api.adminToken();
      assertTrue(token.matches("vigil-api-[A-Za-z0-9_-]{43}"), "token format");
      WhoAmIReply me = api.client(token).call(s -> s.whoAmI(WhoAmIRequest.getDefaultInstance()));
      assertEquals(List.of("admin", Role.ROLE_ADMIN), List.of(me.getOperator(), me.getRole()));
      assertFalse(
          Files.list(file.getParent()).anyMatch(p -> p.getFileName().toString().endsWith(".tmp")));

      api.restart();
      assertEquals(token, api.adminToken(), "not rewritten");
      Files.delete(file);
      api.restart();
      assertFalse(Files.exists(file), "a token exists: no new bootstrap token");
      assertEquals(
          "admin",
          api.client(token).call(s -> s.whoAmI(WhoAmIRequest.getDefaultInstance())).getOperator());
      try (ApiTokenStore tokens = ApiTokenStore.open(api.db)) {
        List<ApiTokenRow> all = tokens.list();
        assertEquals(1, all.size(), all.toString());
        assertEquals("collector", all.get(0).createdBy());
        assertEquals(0, all.get(0).expiresNs());
      }
    }
  }

  @Test
  void aTokenThatCannotBeWrittenIsNotStored() throws Exception {
    Path blocked = dir.resolve("blocked");
    Files.writeString(blocked, "a file where the token directory should be");
    Path db = dir.resolve("other.db");
    io.vigil.collector.store.EventStore.open(db).close();
    try (ApiTokenStore tokens = ApiTokenStore.open(db)) {
      org.junit.jupiter.api.Assertions.assertThrows(
          IllegalStateException.class,
          () -> BootstrapToken.ensure(tokens, blocked.resolve("admin.token"), () -> 1L));
      assertTrue(tokens.isEmpty(), "rolled back");
      assertTrue(
          BootstrapToken.ensure(tokens, dir.resolve("ok/admin.token"), () -> 1L).isPresent());
      assertFalse(tokens.isEmpty());
    }
  }

  @Test
  void aNewBootstrapTokenIsMadeAtStartWhenNoAdminTokenIsInForce() throws Exception {
    Path db = dir.resolve("lapsed.db");
    io.vigil.collector.store.EventStore.open(db).close();
    Path file = dir.resolve("state/admin.token");
    try (ApiTokenStore tokens = ApiTokenStore.open(db)) {
      tokens.create(ApiTokens.mint().stored(), "vic", "viewer", "test", 1, 0);
      assertTrue(BootstrapToken.ensure(tokens, file, () -> 10L).isPresent(), "only a viewer token");
      String first = Files.readString(file).strip();
      assertTrue(
          BootstrapToken.ensure(tokens, file, () -> 20L).isEmpty(), "an admin token in force");
      assertEquals(first, Files.readString(file).strip());
    }

    Path db2 = dir.resolve("expired.db");
    io.vigil.collector.store.EventStore.open(db2).close();
    try (ApiTokenStore tokens = ApiTokenStore.open(db2)) {
      tokens.create(ApiTokens.mint().stored(), "ada", "admin", "test", 1, 100);
      assertTrue(BootstrapToken.ensure(tokens, file, () -> 50L).isEmpty(), "ada's is in force");
      String id = BootstrapToken.ensure(tokens, file, () -> 100L).orElseThrow();
      String text = Files.readString(file).strip();
      ApiTokenRow row = tokens.find(ApiTokens.hash(text)).orElseThrow();
      assertEquals(
          List.of(id, "admin", "admin", "collector", 0L),
          List.of(row.tokenId(), row.operator(), row.role(), row.createdBy(), row.expiresNs()));
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }
  }

  @Test
  void onlyADirectoryItCreatesIsMadeOwnerOnly() throws Exception {
    Path shared = dir.resolve("etc-vigil");
    Files.createDirectory(shared);
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxr-x"));
    Path db = dir.resolve("modes.db");
    io.vigil.collector.store.EventStore.open(db).close();
    try (ApiTokenStore tokens = ApiTokenStore.open(db)) {
      assertTrue(
          BootstrapToken.ensure(tokens, shared.resolve("admin.token"), () -> 1L).isPresent());
    }
    assertEquals(
        "rwxrwxr-x",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(shared)),
        "an existing directory keeps its mode (a warning names it)");
    assertEquals(
        "rw-------",
        PosixFilePermissions.toString(
            Files.getPosixFilePermissions(shared.resolve("admin.token"))));

    Path made = dir.resolve("new/operator/admin.token");
    BootstrapToken.write(made, "vigil-api-test");
    assertEquals(
        "rwx------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(made.getParent())));
  }
}
