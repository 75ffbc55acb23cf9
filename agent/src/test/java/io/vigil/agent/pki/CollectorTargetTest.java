package io.vigil.agent.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.config.AgentConfig;
import io.vigil.agent.config.CollectorConnection;
import io.vigil.common.config.HostPort;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CollectorTargetTest {
  @TempDir Path dir;

  private CollectorConnection connection(String... sets) throws Exception {
    List<String> all = new ArrayList<>(List.of("agent.state_dir=" + dir));
    all.addAll(List.of(sets));
    return AgentConfig.load(Optional.empty(), Map.of(), all).collector();
  }

  @Test
  void theEnrolledAddressIsUsedWhenTheConfigSetsNone() throws Exception {
    CollectorConnection c = connection();
    assertEquals(
        new CollectorTarget(new HostPort("127.0.0.1", 7443), "127.0.0.1"),
        CollectorTarget.resolve(c));
    Files.createDirectories(dir.resolve("pki"));
    Files.writeString(dir.resolve("pki/collector-address"), "collector.example:7555\n");
    assertEquals(
        new CollectorTarget(new HostPort("collector.example", 7555), "collector.example"),
        CollectorTarget.resolve(c));
    assertEquals(dir.resolve("pki/agent.pem"), c.certFile());
    assertEquals(dir.resolve("pki/agent.key"), c.keyFile());
    assertEquals(dir.resolve("pki/ca.pem"), c.caFile());
  }

  @Test
  void theConfiguredAddressAndServerNameWin() throws Exception {
    Files.createDirectories(dir.resolve("pki"));
    Files.writeString(dir.resolve("pki/collector-address"), "collector.example:7555\n");
    CollectorConnection c =
        connection("collector.address=10.0.0.5:7443", "collector.server_name=vigil.example");
    assertEquals(
        new CollectorTarget(new HostPort("10.0.0.5", 7443), "vigil.example"),
        CollectorTarget.resolve(c));
  }

  @Test
  void aCorruptAddressFileIsNamed() throws Exception {
    Files.createDirectories(dir.resolve("pki"));
    Files.writeString(dir.resolve("pki/collector-address"), "not an address");
    IOException e = assertThrows(IOException.class, () -> CollectorTarget.resolve(connection()));
    assertTrue(
        e.getMessage().contains("collector-address does not hold a host:port"), e.getMessage());
    assertEquals(
        CollectorConnection.FALLBACK_ADDRESS, CollectorTarget.addressOrFallback(connection()));
  }
}
