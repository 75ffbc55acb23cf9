package io.vigil.collector.cli;

import io.vigil.collector.api.OperatorClient;
import io.vigil.proto.v1.OperatorServiceGrpc.OperatorServiceBlockingStub;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.function.Function;

/**
 * The operator API as one {@code vigilctl} command uses it: connected at the first call (so that a
 * usage error is reported without touching the network), closed when the command ends. Not
 * thread-safe.
 */
final class CtlApi implements AutoCloseable {
  private final ApiSettings settings;
  private OperatorClient client;

  CtlApi(ApiSettings settings) {
    this.settings = settings;
  }

  <T> T call(Function<OperatorServiceBlockingStub, T> call) {
    return client().call(call);
  }

  <T> T call(Duration deadline, Function<OperatorServiceBlockingStub, T> call) {
    return client().call(deadline, call);
  }

  private OperatorClient client() {
    if (client == null) {
      try {
        client = OperatorClient.connect(settings.collector(), settings.ca(), settings.token());
      } catch (IOException e) {
        throw new UncheckedIOException("--ca: cannot read " + settings.ca(), e);
      }
    }
    return client;
  }

  @Override
  public void close() {
    if (client != null) {
      client.close();
    }
  }
}
