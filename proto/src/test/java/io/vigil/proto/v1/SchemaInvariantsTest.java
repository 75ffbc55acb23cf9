package io.vigil.proto.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Descriptors.FieldDescriptor;
import org.junit.jupiter.api.Test;

/** Promises the .proto files make in their comments, checked so that an edit cannot break them. */
class SchemaInvariantsTest {
  @Test
  void everyPayloadKindHasTheEventKindOfTheSameNumberAndName() {
    for (Event.PayloadCase c : Event.PayloadCase.values()) {
      if (c == Event.PayloadCase.PAYLOAD_NOT_SET) {
        continue;
      }
      EventKind kind = EventKind.forNumber(c.getNumber());
      assertNotNull(kind, "no EventKind numbered " + c.getNumber() + " for " + c);
      assertEquals("EVENT_KIND_" + c.name(), kind.name());
    }
    assertEquals(
        Event.PayloadCase.values().length - 1,
        EventKind.values().length - 2, // minus UNSPECIFIED and UNRECOGNIZED
        "every EventKind names a payload");
  }

  @Test
  void metadataRangeStaysFreeOfDataFields() {
    for (FieldDescriptor f : Event.getDescriptor().getFields()) {
      assertTrue(f.getNumber() < 100, f.getName() + " sits in the reserved metadata range");
    }
  }

  @Test
  void aBatchOfEventBytesIsWireCompatibleWithEmbeddedEvents() throws Exception {
    // EventBatch.events is `repeated bytes` on purpose; its field must stay length-delimited.
    FieldDescriptor events = EventBatch.getDescriptor().findFieldByName("events");
    assertEquals(FieldDescriptor.Type.BYTES, events.getType());
    Event e = Event.newBuilder().setSeq(7).setProcessExec(ProcessExec.getDefaultInstance()).build();
    EventBatch b = EventBatch.newBuilder().setFirstSeq(7).addEvents(e.toByteString()).build();
    assertEquals(e, Event.parseFrom(EventBatch.parseFrom(b.toByteArray()).getEvents(0)));
  }
}
