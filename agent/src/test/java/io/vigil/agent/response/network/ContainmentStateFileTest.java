package io.vigil.agent.response.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.config.IsolationException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainmentStateFileTest {
  @TempDir Path dir;

  @Test
  void roundTripsAnIsolationWithBlocksInARootOnlyFile() throws Exception {
    ContainmentStateFile f = new ContainmentStateFile(dir.resolve("containment.state"));
    assertEquals(Optional.empty(), f.read());
    ContainmentState s =
        ContainmentState.NONE
            .withBlock(Cidr.parse("10.9.0.0/16"))
            .withBlock(Cidr.parse("2001:db8::1"))
            .isolatedTo(
                "collector.example",
                8443,
                List.of(InetAddress.getByName("10.0.0.1"), InetAddress.getByName("fd00::1")),
                List.of(
                    IsolationException.parse("dhcp"),
                    IsolationException.parse("* udp/53"),
                    IsolationException.parse("10.0.0.0/24 tcp/22"),
                    IsolationException.parse("fd00::/8")),
                "table inet other {\n\tchain c {\n\t}\n}\n");
    f.write(s);
    assertEquals(Optional.of(s), f.read());
    assertEquals(
        "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f.path())));
    f.write(s.released());
    assertEquals(Optional.of(s.released()), f.read());
  }

  @Test
  void aCorruptFileIsAnErrorNamingTheLine() throws Exception {
    Path p = dir.resolve("containment.state");
    ContainmentStateFile f = new ContainmentStateFile(p);
    for (String[] c :
        new String[][] {
          {"", "no version or isolated line"},
          {"version=1\n", "no version or isolated line"},
          {"version=2\nisolated=false\n", "line 1: version 2 is not 1"},
          {"version=1\nisolated=maybe\n", "line 2: isolated must be true or false"},
          {"version=1\nisolated=false\nblock=example.com\n", "line 3: block:"},
          {"version=1\nisolated=false\nfoo=bar\n", "line 3: unknown key \"foo\""},
          {"version=1\nisolated=true\ncollector_port=1\n", "at least one collector address"},
          {"version=1\nisolated=false\nblock=10.0.0.0/8\nblock=10.1.0.0/16\n", "overlap"},
          {"version=1\nisolated=true\ncollector_address=10.0.0.1\ncollector_port=x\n", "line 4"},
          {"garbage\n", "line 1: expected key=value"},
        }) {
      Files.writeString(p, c[0]);
      ContainmentStateFile.CorruptStateException e =
          assertThrows(ContainmentStateFile.CorruptStateException.class, f::read, c[0]);
      assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
      assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
    }
  }

  @Test
  void roundTripsTheTableAndAPendingIsolationWithTheStateBeforeIt() throws Exception {
    ContainmentStateFile f = new ContainmentStateFile(dir.resolve("containment.state"));
    ContainmentState before = ContainmentState.NONE.withBlock(Cidr.parse("192.0.2.0/24"));
    ContainmentState next =
        before.isolatedTo(
            "c", 443, List.of(InetAddress.getByName("10.0.0.1")), List.of(), "baseline\n");
    ContainmentStateFile.Saved saved =
        new ContainmentStateFile.Saved(
            next, "vigil2", Optional.of(new ContainmentStateFile.Pending("cmd=1\nx", before)));
    f.write(saved);
    assertEquals(Optional.of(saved), f.readSaved());
    assertEquals(Optional.of(next), f.read());
    f.write(next);
    assertEquals(
        Optional.of(new ContainmentStateFile.Saved(next, "", Optional.empty())), f.readSaved());
    Files.writeString(f.path(), "version=1\nisolated=false\npending_command=YQ==\n");
    assertThrows(ContainmentStateFile.CorruptStateException.class, f::readSaved);
    Files.writeString(f.path(), "version=1\nisolated=false\ntable=a b\n");
    assertThrows(ContainmentStateFile.CorruptStateException.class, f::readSaved);
  }
}
