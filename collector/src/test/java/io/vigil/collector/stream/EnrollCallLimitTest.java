package io.vigil.collector.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.vigil.collector.trust.Csrs;
import io.vigil.collector.trust.TrustFixture;
import io.vigil.proto.v1.EnrollRequest;
import io.vigil.proto.v1.EnrollResponse;
import io.vigil.proto.v1.EnrollmentServiceGrpc;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Enroll calls that never complete, against the real agent port: only a bounded number is admitted
 * at once, each for a bounded time, and the port keeps serving agents meanwhile.
 */
class EnrollCallLimitTest {
  @TempDir Path dir;

  /** An Enroll call that sends its request but never half-closes; records how it ended. */
  private static final class Hanging {
    final ClientCall<EnrollRequest, EnrollResponse> call;
    final CompletableFuture<Status> end = new CompletableFuture<>();

    Hanging(AgentClient client) {
      call = client.channel().newCall(EnrollmentServiceGrpc.getEnrollMethod(), CallOptions.DEFAULT);
      call.start(
          new ClientCall.Listener<>() {
            @Override
            public void onClose(Status status, Metadata trailers) {
              end.complete(status);
            }
          },
          new Metadata());
      call.request(1);
      call.sendMessage(
          EnrollRequest.newBuilder()
              .setToken("not-a-token")
              .setCsr(ByteString.copyFrom(new byte[64 << 10]))
              .build());
    }
  }

  private static long ended(List<Hanging> calls) {
    return calls.stream().filter(h -> h.end.isDone()).count();
  }

  @Test
  void fortyHangingEnrolCallsGetSixteenSlotsAndTheRestAreRefusedAtOnce() throws Exception {
    try (MtlsServer srv = new MtlsServer(dir, 16, Duration.ofMinutes(30));
        AgentClient c1 = srv.anonymous();
        AgentClient c2 = srv.anonymous()) {
      List<Hanging> calls = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        calls.add(new Hanging(i % 2 == 0 ? c1 : c2));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (ended(calls) < 24 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      // The port still serves: an enrolled agent streams.
      TrustFixture.Enrolled a = srv.trust.enrol();
      try (AgentClient agent = srv.enrolled(a).hello(a.agentId())) {
        assertTrue(agent.next().hasWelcome());
      }
      assertEquals(24, ended(calls), "16 calls hold their slots, the others were refused");
      for (Hanging h : calls) {
        if (h.end.isDone()) {
          Status s = h.end.get();
          assertEquals(Status.Code.RESOURCE_EXHAUSTED, s.getCode(), s.toString());
          assertEquals(
              "16 enrolments already in progress on this collector; retry later",
              s.getDescription());
        }
      }
      assertEquals(24, srv.metrics.value("vigil_collector_enroll_calls_refused_total"));

      // Cancelled calls give their slots back: a real enrolment goes through.
      calls.forEach(h -> h.call.cancel("test done", null));
      deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      EnrollResponse enrolled = null;
      while (enrolled == null) {
        try {
          enrolled =
              c1.enrollment()
                  .enroll(
                      EnrollRequest.newBuilder()
                          .setToken(srv.trust.token(1))
                          .setCsr(ByteString.copyFrom(Csrs.csr(Csrs.p256())))
                          .setProposedAgentId(UUID.randomUUID().toString())
                          .build());
        } catch (StatusRuntimeException e) {
          assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode(), e.toString());
          assertTrue(System.nanoTime() < deadline, "slots never given back");
          Thread.sleep(20);
        }
      }
      assertTrue(!enrolled.getAgentId().isEmpty());
    }
  }

  @Test
  void anEnrolCallThatDoesNotCompleteInTimeIsClosedAndItsSlotFreed() throws Exception {
    try (MtlsServer srv = new MtlsServer(dir, 1, Duration.ofMillis(500));
        AgentClient c = srv.anonymous()) {
      Hanging h = new Hanging(c);
      Status s = h.end.get(120, TimeUnit.SECONDS);
      assertEquals(Status.Code.DEADLINE_EXCEEDED, s.getCode(), s.toString());
      assertEquals("enrolment did not complete within 500 ms", s.getDescription());
      assertEquals(1, srv.metrics.value("vigil_collector_enroll_calls_timed_out_total"));
      // Its one slot is free again: an honest enrolment completes.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (true) {
        try {
          c.enrollment()
              .enroll(
                  EnrollRequest.newBuilder()
                      .setToken(srv.trust.token(1))
                      .setCsr(ByteString.copyFrom(Csrs.csr(Csrs.p256())))
                      .build());
          break;
        } catch (StatusRuntimeException e) {
          assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode(), e.toString());
          assertTrue(System.nanoTime() < deadline, "slot never given back");
          Thread.sleep(20);
        }
      }
    }
  }
}
