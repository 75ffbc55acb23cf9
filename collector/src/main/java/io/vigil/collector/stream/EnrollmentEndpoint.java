package io.vigil.collector.stream;

import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.vigil.collector.trust.EnrollmentRefusedException;
import io.vigil.collector.trust.Enrollments;
import io.vigil.proto.v1.EnrollRequest;
import io.vigil.proto.v1.EnrollResponse;
import io.vigil.proto.v1.EnrollmentServiceGrpc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code vigil.v1.EnrollmentService} endpoint, on the agent port and without a client
 * certificate. Enrolment is rare and rate-limited, so the call runs on the gRPC executor and blocks
 * on the store for one short transaction; {@link EnrollCallLimiter} bounds the calls in progress
 * and their duration. Thread-safe.
 */
final class EnrollmentEndpoint extends EnrollmentServiceGrpc.EnrollmentServiceImplBase {
  private static final Logger log = LoggerFactory.getLogger(EnrollmentEndpoint.class);

  private final Enrollments enrollments;

  EnrollmentEndpoint(Enrollments enrollments) {
    this.enrollments = enrollments;
  }

  /** The service, each call admitted by {@code limiter} first. */
  ServerServiceDefinition definition(EnrollCallLimiter limiter) {
    // The last interceptor runs first: a call over the limit is refused before anything else.
    return ServerInterceptors.intercept(bindService(), new PeerInterceptor(), limiter);
  }

  @Override
  public void enroll(EnrollRequest req, StreamObserver<EnrollResponse> out) {
    Enrollments.Enrolled e;
    try {
      e =
          enrollments.enrol(
              new Enrollments.Request(
                  req.getToken(),
                  req.getCsr().toByteArray(),
                  req.getProposedAgentId(),
                  req.getHostname(),
                  req.getAgentVersion(),
                  PeerInterceptor.PEER.get()));
    } catch (EnrollmentRefusedException refused) {
      Status status =
          switch (refused.kind()) {
            case TOKEN -> Status.UNAUTHENTICATED;
            case INVALID -> Status.INVALID_ARGUMENT;
            case TOO_MANY -> Status.RESOURCE_EXHAUSTED;
          };
      out.onError(status.withDescription(refused.getMessage()).asRuntimeException());
      return;
    } catch (RuntimeException failure) {
      log.error("enrolment from {} failed: {}", PeerInterceptor.PEER.get(), failure.toString());
      out.onError(
          Status.UNAVAILABLE
              .withDescription("collector cannot enrol now")
              .withCause(failure)
              .asRuntimeException());
      return;
    }
    out.onNext(
        EnrollResponse.newBuilder()
            .setAgentId(e.agentId())
            .setCertificateChainPem(e.certificateChainPem())
            .setCaCertificatePem(e.caCertificatePem())
            .setNotAfterNs(e.notAfterNs())
            .build());
    out.onCompleted();
  }
}
