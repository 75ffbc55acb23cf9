package io.vigil.agent.ship;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.vigil.proto.v1.AgentMessage;
import io.vigil.proto.v1.CollectorMessage;
import io.vigil.proto.v1.Command;
import io.vigil.proto.v1.RenewResponse;
import io.vigil.proto.v1.Welcome;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * One open stream to the collector. gRPC threads deliver what the collector sends and wake the
 * shipper; only the shipper thread sends (the request observer is not thread-safe).
 */
final class StreamSession implements ClientResponseObserver<AgentMessage, CollectorMessage> {
  private final Runnable wakeup;
  private final Consumer<Command> commands;
  private final Consumer<List<String>> resultAcks;
  private final java.util.function.LongConsumer collectorTime;
  private final AtomicLong ackedSeq = new AtomicLong(-1);
  private volatile ClientCallStreamObserver<AgentMessage> requests;
  private final AtomicReference<RenewResponse> renewal = new AtomicReference<>();
  private volatile Welcome welcome;
  private volatile Status endStatus;

  /**
   * @param collectorTime receives the collector's clock from the Welcome, before any command
   */
  StreamSession(
      Runnable wakeup,
      Consumer<Command> commands,
      Consumer<List<String>> resultAcks,
      java.util.function.LongConsumer collectorTime) {
    this.wakeup = wakeup;
    this.commands = commands;
    this.resultAcks = resultAcks;
    this.collectorTime = collectorTime;
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<AgentMessage> requestStream) {
    this.requests = requestStream;
    // Outbound flow control: the shipper sends only while isReady(), and is woken when the
    // transport can take more, instead of buffering a backlog in gRPC's memory.
    requestStream.setOnReadyHandler(wakeup);
  }

  @Override
  public void onNext(CollectorMessage m) {
    switch (m.getBodyCase()) {
      case WELCOME -> {
        collectorTime.accept(m.getWelcome().getCollectorTimeNs());
        welcome = m.getWelcome();
      }
      case ACK -> ackedSeq.accumulateAndGet(m.getAck().getAckedSeq(), Math::max);
      case COMMAND -> commands.accept(m.getCommand());
      case COMMAND_RESULT_ACK -> resultAcks.accept(m.getCommandResultAck().getCommandIdsList());
      case RENEWAL -> renewal.set(m.getRenewal());
      default -> {
        // A newer collector may send kinds this agent does not know: ignore them.
      }
    }
    wakeup.run();
  }

  @Override
  public void onError(Throwable t) {
    endStatus = Status.fromThrowable(t);
    wakeup.run();
  }

  @Override
  public void onCompleted() {
    endStatus = Status.UNAVAILABLE.withDescription("collector closed the stream");
    wakeup.run();
  }

  /** The Welcome, or null until it arrived. */
  Welcome welcome() {
    return welcome;
  }

  /** Highest seq acknowledged on this stream, -1 before the first Ack. */
  long ackedSeq() {
    return ackedSeq.get();
  }

  /** Why the stream ended, or null while it is open. */
  Status endStatus() {
    return endStatus;
  }

  /** The collector's answer to a renewal request, once; null when none arrived since. */
  RenewResponse takeRenewal() {
    return renewal.getAndSet(null);
  }

  boolean isReady() {
    return endStatus == null && requests.isReady();
  }

  void send(AgentMessage m) {
    requests.onNext(m);
  }

  /** Ends the agent's side of the stream cleanly; the collector then completes it. */
  void halfClose() {
    if (endStatus == null) {
      requests.onCompleted();
    }
  }

  void cancel(String why) {
    if (endStatus == null) {
      requests.cancel(why, null);
    }
  }
}
