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
}
