package io.vigil.collector.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerPkiTest {
  @TempDir Path dir;

  private ServerPki.Paths paths() {
    Path pki = dir.resolve("pki");
    return new ServerPki.Paths(
        pki.resolve("ca.pem"),
        pki.resolve("ca.key"),
        pki.resolve("server.pem"),
        pki.resolve("server.key"));
  }

  @Test
  void firstStartCreatesACaAndAServerCertificateSignedByIt() throws Exception {
    ServerPki.Paths p = ServerPki.ensure(paths(), List.of("collector.example.internal"));
    X509Certificate ca = ServerPki.readCertificate(p.caCert());
    X509Certificate server = ServerPki.readCertificate(p.serverCert());
    server.verify(ca.getPublicKey());
    assertTrue(ca.getBasicConstraints() >= 0, "the CA certificate is a CA");
    assertEquals(-1, server.getBasicConstraints(), "the server certificate is not");
    assertTrue(
        ServerPki.covers(server, Set.of("collector.example.internal", "localhost", "127.0.0.1")));
    assertEquals("rw-------", perms(p.caKey()));
    assertEquals("rw-------", perms(p.serverKey()));
  }

  @Test
  void laterStartsKeepTheFilesAndANewNameReissuesOnlyTheServerCertificate() throws Exception {
    ServerPki.Paths p = ServerPki.ensure(paths(), List.of());
    byte[] ca = Files.readAllBytes(p.caCert());
    byte[] server = Files.readAllBytes(p.serverCert());
    ServerPki.ensure(paths(), List.of());
    assertEquals(new String(server), Files.readString(p.serverCert()), "nothing changes");

    ServerPki.ensure(paths(), List.of("10.20.30.40"));
    assertEquals(new String(ca), Files.readString(p.caCert()), "the CA stays");
    X509Certificate reissued = ServerPki.readCertificate(p.serverCert());
    assertNotEquals(new String(server), Files.readString(p.serverCert()));
    assertTrue(ServerPki.covers(reissued, Set.of("10.20.30.40")));
    reissued.verify(ServerPki.readCertificate(p.caCert()).getPublicKey());
  }

  private static String perms(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }
}
