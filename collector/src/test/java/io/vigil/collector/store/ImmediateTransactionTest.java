package io.vigil.collector.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What a trust write does when its COMMIT or ROLLBACK fails. SQLite does not fail a COMMIT on
 * demand (it needs a full disk or an I/O error), so the connection here records statements and
 * fails the ones a test names; everything else about the transaction is real code.
 */
class ImmediateTransactionTest {
  private final List<String> executed = new ArrayList<>();

  private Connection failing(Set<String> fail) {
    Statement st =
        (Statement)
            Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {Statement.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("execute")) {
                    String sql = (String) args[0];
                    executed.add(sql);
                    if (fail.contains(sql)) {
                      throw new SQLException(sql + " failed");
                    }
                    return false;
                  }
                  return null; // close()
                });
    return (Connection)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {Connection.class},
            (proxy, method, args) -> {
              if (method.getName().equals("createStatement")) {
                return st;
              }
              throw new UnsupportedOperationException(method.getName());
            });
  }

  @Test
  void aFailedCommitIsRolledBackAndReported() {
    SQLException e =
        assertThrows(
            SQLException.class,
            () -> ImmediateTransaction.run(failing(Set.of("COMMIT")), () -> "done"));
    assertEquals("COMMIT failed", e.getMessage());
    assertEquals(List.of("BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"), executed);
  }

  @Test
  void aFailedRollbackDoesNotHideWhyTheBodyFailed() {
    IllegalStateException cause = new IllegalStateException("body failed");
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                ImmediateTransaction.run(
                    failing(Set.of("ROLLBACK")),
                    () -> {
                      throw cause;
                    }));
    assertSame(cause, e);
    assertEquals(1, e.getSuppressed().length);
    assertEquals("ROLLBACK failed", e.getSuppressed()[0].getMessage());
    assertEquals(List.of("BEGIN IMMEDIATE", "ROLLBACK"), executed);
  }

  @Test
  void aCommittedBodyReturnsItsResult() throws Exception {
    assertEquals("done", ImmediateTransaction.run(failing(Set.of()), () -> "done"));
    assertArrayEquals(new Object[] {"BEGIN IMMEDIATE", "COMMIT"}, executed.toArray());
  }
}
