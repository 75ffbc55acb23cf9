package io.vigil.agent.sensor.process.audit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.agent.platform.linux.AuditNetlinkSocket.Message;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The reader's per-record step, without sockets: what one bad record does to the feed. */
class AuditReaderTest {
  private static final int CWD = 1307;
  private static final int EOE = 1320;

  private static Message record(int type, String text) {
    return new Message(Message.Kind.MESSAGE, type, text.getBytes(UTF_8));
  }

  @Test
  void aRecordTheParserFailsOnIsCountedAsMalformedAndTheNextEventStillArrives() {
    List<AuditEvent> events = new CopyOnWriteArrayList<>();
    AuditReader reader =
        new AuditReader(null, null, events::add, AuditSourceOptions.defaults("vigil"), 0);

    reader.accept(record(CWD, "no audit header at all"), 1);
    // Not a MalformedAuditRecordException: before, this ended the reader thread for good.
    reader.accept(new Message(Message.Kind.MESSAGE, CWD, null), 2);
    reader.accept(record(CWD, "audit(1700000100.250:7): cwd=\"/tmp\""), 3);
    reader.accept(record(EOE, "audit(1700000100.250:7): "), 4);

    assertEquals(2, reader.malformedRecords());
    assertEquals(1, events.size());
    assertEquals(7, events.get(0).serial());
    assertEquals("/tmp", events.get(0).first(CWD).text("cwd"));
  }
}
