package io.vigil.collector.sink;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * An HTTP response body read up to a limit: once the limit is reached (at once for 0) the rest is
 * cancelled, not waited for, so a large or never-ending body costs neither memory nor time. Used by
 * one exchange of the HTTP client, which calls it as {@link Flow.Subscriber} requires.
 */
final class BodyExcerpt implements HttpResponse.BodySubscriber<byte[]> {
  private final int limit;
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final CompletableFuture<byte[]> body = new CompletableFuture<>();
  private Flow.Subscription subscription;

  /**
   * @param limit the most bytes kept; 0 reads nothing
   */
  BodyExcerpt(int limit) {
    this.limit = limit;
  }

  @Override
  public CompletionStage<byte[]> getBody() {
    return body;
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    if (limit == 0) {
      finish();
    } else {
      s.request(1);
    }
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
    for (ByteBuffer b : buffers) {
      int n = Math.min(b.remaining(), limit - bytes.size());
      byte[] chunk = new byte[n];
      b.get(chunk);
      bytes.write(chunk, 0, n);
    }
    if (bytes.size() >= limit) {
      finish();
    } else {
      subscription.request(1);
    }
  }

  @Override
  public void onError(Throwable t) {
    body.completeExceptionally(t);
  }

  @Override
  public void onComplete() {
    body.complete(bytes.toByteArray());
  }

  /** Enough read: stop the transfer and hand over what was read. */
  private void finish() {
    subscription.cancel();
    body.complete(bytes.toByteArray());
  }
}
