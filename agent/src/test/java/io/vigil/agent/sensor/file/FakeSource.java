package io.vigil.agent.sensor.file;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/** A scripted notification source: each poll runs the next step the test queued. */
final class FakeSource implements NotificationSource {
  /** One poll's worth of work, run on the sensor's reader thread. */
  interface Step {
    void run(Consumer<FileNotification> out) throws Exception;
  }

  private final String name;
  private final BlockingQueue<Step> steps = new LinkedBlockingQueue<>();
  final AtomicBoolean closed = new AtomicBoolean();

  FakeSource(String name) {
    this.name = name;
  }

  /** Hands {@code notifications} on in one poll. */
  void feed(FileNotification... notifications) {
    feed(List.of(notifications));
  }

  void feed(List<FileNotification> notifications) {
    steps.add(out -> notifications.forEach(out));
  }

  void step(Step s) {
    steps.add(s);
  }

  /** The next poll fails for good. */
  void fail(String message) {
    steps.add(
        out -> {
          throw new IOException(message);
        });
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int poll(int timeoutMillis, Consumer<FileNotification> out) throws IOException {
    Step s;
    try {
      s = steps.poll(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
    if (s == null || closed.get()) {
      return 0;
    }
    try {
      s.run(out);
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return 1;
  }

  @Override
  public Map<String, Long> counters() {
    return Map.of("fake_polls", 7L);
  }

  @Override
  public void close() {
    closed.set(true);
  }
}
