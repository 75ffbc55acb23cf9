package io.vigil.agent.sensor.network;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.proto.v1.Transport;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SocketTypesTest {
  private static final long NONBLOCK_CLOEXEC = 0x80800;

  @Test
  void typeAndProtocolGiveTheTransport() {
    assertEquals(Transport.TRANSPORT_TCP, SocketTypes.transport(1, 0));
    assertEquals(Transport.TRANSPORT_TCP, SocketTypes.transport(1 | NONBLOCK_CLOEXEC, 6));
    assertEquals(Transport.TRANSPORT_UDP, SocketTypes.transport(2, 0));
    assertEquals(Transport.TRANSPORT_UDP, SocketTypes.transport(2 | NONBLOCK_CLOEXEC, 17));
    assertEquals(Transport.TRANSPORT_ICMP, SocketTypes.transport(2, 1)); // ping socket
    assertEquals(Transport.TRANSPORT_ICMP, SocketTypes.transport(3, 58)); // raw ICMPv6
    assertEquals(Transport.TRANSPORT_UNSPECIFIED, SocketTypes.transport(1, 132)); // SCTP
    assertEquals(Transport.TRANSPORT_UNSPECIFIED, SocketTypes.transport(3, 255)); // raw IP
    assertEquals(Transport.TRANSPORT_UNSPECIFIED, SocketTypes.transport(5, 0)); // SEQPACKET
  }

  @Test
  void descriptorsAreKeyedByPidAndFd() {
    SocketTypes types = new SocketTypes(8);
    types.created(200, 3, 1, 0);
    types.created(201, 3, 2, 0);

    assertEquals(Optional.of(Transport.TRANSPORT_TCP), types.find(200, 3));
    assertEquals(Optional.of(Transport.TRANSPORT_UDP), types.find(201, 3));
    assertEquals(Optional.empty(), types.find(200, 4));
    assertEquals(Optional.empty(), types.find(202, 3));
  }

  @Test
  void aReusedDescriptorNumberTakesTheNewSocketsTransport() {
    SocketTypes types = new SocketTypes(8);
    types.created(200, 3, 1, 0);
    types.created(200, 3, 2, 0);

    assertEquals(Optional.of(Transport.TRANSPORT_UDP), types.find(200, 3));
    assertEquals(1, types.size());

    types.forget(200, 3);
    assertEquals(Optional.empty(), types.find(200, 3));
  }

  @Test
  void aSeenSocketOfAnotherKindIsKnownAsUnspecified() {
    SocketTypes types = new SocketTypes(8);
    types.created(200, 3, 1, 132);

    assertEquals(Optional.of(Transport.TRANSPORT_UNSPECIFIED), types.find(200, 3));
  }

  @Test
  void theLeastRecentlyUsedDescriptorIsForgottenFirst() {
    SocketTypes types = new SocketTypes(2);
    types.created(200, 3, 1, 0);
    types.created(200, 4, 1, 0);
    types.find(200, 3); // 3 is now more recent than 4
    types.created(200, 5, 2, 0);

    assertEquals(2, types.size());
    assertEquals(Optional.of(Transport.TRANSPORT_TCP), types.find(200, 3));
    assertEquals(Optional.empty(), types.find(200, 4));
    assertEquals(Optional.of(Transport.TRANSPORT_UDP), types.find(200, 5));
  }

  @Test
  void impossiblePidsAndDescriptorsAreIgnored() {
    SocketTypes types = new SocketTypes(8);
    types.created(0, 3, 1, 0);
    types.created(200, -1, 1, 0);
    types.created(200, 1L << 32, 1, 0); // would collide with another pid's key if accepted

    assertEquals(0, types.size());
    assertEquals(Optional.empty(), types.find(201, 0));
  }
}
