package io.vigil.collector.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.vigil.proto.v1.EventBatch;
import io.vigil.proto.v1.Hello;
import io.vigil.proto.v1.HostInfo;
import io.vigil.proto.v1.NetworkInterface;
import org.junit.jupiter.api.Test;

class MessageChecksTest {
  private final MessageChecks checks = new MessageChecks(new StreamLimits(1 << 20, 3, 2, 0));

  @Test
  void batchesAndCommandResultsAreBoundedInCount() {
    EventBatch.Builder b = EventBatch.newBuilder().setFirstSeq(1);
    for (int i = 0; i < 3; i++) {
      b.addEvents(ByteString.EMPTY);
    }
    assertNull(checks.batch(b.build()));
    Status over = checks.batch(b.addEvents(ByteString.EMPTY).build());
    assertEquals(Status.Code.INVALID_ARGUMENT, over.getCode());
    assertTrue(over.getDescription().startsWith("batch of 4 events;"), over.getDescription());
    assertNull(checks.commandResults(2));
    assertEquals(Status.Code.INVALID_ARGUMENT, checks.commandResults(3).getCode());
  }

  @Test
  void helloFieldsAreBoundedWithoutEchoingThem() {
    String agentLike = "x".repeat(MessageChecks.MAX_HELLO_STRING);
    assertNull(
        MessageChecks.helloProblem(
            Hello.newBuilder()
                .setAgentVersion("0.1.0")
                .setHost(HostInfo.newBuilder().setHostname(agentLike).setCpuModel(agentLike))
                .build()));
    String hostile = "\u001b]0;pwn\u0007".repeat(1000);
    String p =
        MessageChecks.helloProblem(
            Hello.newBuilder().setHost(HostInfo.newBuilder().setOsName(hostile)).build());
    assertEquals("host.os_name is 8000 characters long, at most 256", p);
    HostInfo.Builder many = HostInfo.newBuilder();
    for (int i = 0; i <= MessageChecks.MAX_HELLO_ITEMS; i++) {
      many.addInterfaces(NetworkInterface.newBuilder().setName("eth" + i));
    }
    assertTrue(
        MessageChecks.helloProblem(Hello.newBuilder().setHost(many).build())
            .startsWith("host.interfaces has 65 entries"));
    HostInfo.Builder addresses = HostInfo.newBuilder();
    NetworkInterface.Builder nif = NetworkInterface.newBuilder().setName("eth0");
    for (int i = 0; i <= MessageChecks.MAX_HELLO_ITEMS; i++) {
      nif.addAddresses("10.0.0." + i);
    }
    assertTrue(
        MessageChecks.helloProblem(Hello.newBuilder().setHost(addresses.addInterfaces(nif)).build())
            .startsWith("host.interfaces.addresses has 65 entries"));
  }
}
