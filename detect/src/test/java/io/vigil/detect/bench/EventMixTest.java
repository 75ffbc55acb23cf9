package io.vigil.detect.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.v1.Event;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventMixTest {
  /** Maven runs tests in the module directory; the mix lives at the repository root. */
  private static final Path MIX = Path.of("..").resolve(EventMix.COMMITTED);

  @Test
  void committedMixIsWhatTheGeneratorMakesFromItsSeed() throws IOException {
    List<Event> committed = EventMix.read(MIX);
    List<Event> generated =
        EventMixGenerator.generate(EventMixGenerator.DEFAULT_COUNT, EventMixGenerator.DEFAULT_SEED);
    assertEquals(generated.size(), committed.size());
    for (int i = 0; i < generated.size(); i++) {
      assertEquals(generated.get(i), committed.get(i), "event " + (i + 1));
    }
  }

  @Test
  void mixIsSixtyThirtyTenAndSmall() throws IOException {
    Map<Event.PayloadCase, Integer> n = new EnumMap<>(Event.PayloadCase.class);
    List<Event> mix = EventMix.read(MIX);
    mix.forEach(e -> n.merge(e.getPayloadCase(), 1, Integer::sum));
    assertEquals(mix.size() * 6 / 10, n.get(Event.PayloadCase.PROCESS_EXEC));
    assertEquals(mix.size() * 3 / 10, n.get(Event.PayloadCase.CONNECTION));
    assertEquals(mix.size() / 10, n.get(Event.PayloadCase.FILE));
    assertTrue(Files.size(MIX) < 2_000_000, "the committed mix stays under 2 MB");
  }

  @Test
  void textFormatRoundTripsEveryField(@org.junit.jupiter.api.io.TempDir Path dir)
      throws IOException {
    List<Event> some = EventMixGenerator.generate(50, 7);
    Path file = dir.resolve("mix.txtpb");
    EventMix.write(file, some);
    assertEquals(some, EventMix.read(file));
  }
}
