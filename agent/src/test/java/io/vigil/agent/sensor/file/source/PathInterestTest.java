package io.vigil.agent.sensor.file.source;

import static io.vigil.agent.sensor.file.source.PathInterest.Interest.ALL;
import static io.vigil.agent.sensor.file.source.PathInterest.Interest.NONE;
import static io.vigil.agent.sensor.file.source.PathInterest.Interest.SOME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PathInterestTest {
  private final PathInterest interest =
      new PathInterest(
          List.of("/etc", "/srv/app"),
          List.of("/etc/cache", "/var/lib/vigil"),
          List.of("/root/.ssh/id_rsa"),
          List.of("/home/keys"));

  @Test
  void directoriesInsideTreesAreWhollyOfInterestOthersNot() {
    assertEquals(ALL, interest.dir("/etc/ssh"));
    assertEquals(ALL, interest.dir("/srv/app/x/y"));
    assertEquals(NONE, interest.dir("/etc/cache"));
    assertEquals(NONE, interest.dir("/etc/cache/deep"));
    assertEquals(NONE, interest.dir("/etcetera"));
    assertEquals(NONE, interest.dir("/usr/lib"));
  }

  @Test
  void directoriesHoldingSomethingOfInterestAskPerEntry() {
    assertEquals(SOME, interest.dir("/"), "parent of the /etc tree root");
    assertEquals(SOME, interest.dir("/srv"));
    assertEquals(SOME, interest.dir("/root/.ssh"), "parent of an opened file");
    assertEquals(SOME, interest.dir("/home/keys"), "an opened directory");
    assertEquals(SOME, interest.dir("/etc"), "holds the excluded /etc/cache");
    assertEquals(NONE, interest.dir("/var/lib/vigil"), "excluded wins");

    assertTrue(interest.entry("/etc", "/"));
    assertFalse(interest.entry("/tmp", "/"));
    assertTrue(interest.entry("/srv/app", "/srv"));
    assertTrue(interest.entry("/root/.ssh/id_rsa", "/root/.ssh"));
    assertFalse(interest.entry("/root/.ssh/known_hosts", "/root/.ssh"));
    assertTrue(interest.entry("/home/keys/k1", "/home/keys"));
    assertTrue(interest.entry("/etc/passwd", "/etc"));
    assertFalse(interest.entry("/etc/cache", "/etc"));
  }

  @Test
  void theRootTreeCoversEverythingButExclusions() {
    PathInterest all = new PathInterest(List.of("/"), List.of("/proc"), List.of(), List.of());
    assertEquals(SOME, all.dir("/"));
    assertEquals(ALL, all.dir("/usr/bin"));
    assertEquals(NONE, all.dir("/proc/1"));
    assertTrue(all.entry("/usr", "/"));
    assertFalse(all.entry("/proc", "/"));
  }
}
