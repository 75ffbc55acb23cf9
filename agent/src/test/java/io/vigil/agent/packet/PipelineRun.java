package io.vigil.agent.packet;

import io.vigil.agent.packet.dns.DnsAnswerCache;
import io.vigil.agent.packet.file.CaptureFileReader;
import io.vigil.agent.packet.flow.FlowOptions;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.HttpEvent;
import io.vigil.proto.v1.TlsEvent;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Test helper: one capture file through the real reader and {@link PacketPipeline}, as offline mode
 * runs it, keeping the TLS and HTTP events in the order emitted.
 */
final class PipelineRun {
  /**
   * What one capture gave.
   *
   * @param readError the reader's message when the file is damaged part-way (the packets before the
   *     damage went through, as in offline mode), else null
   */
  record Events(List<TlsEvent> tls, List<HttpEvent> http, String readError) {}

  private PipelineRun() {}

  static Events of(Path capture) {
    List<TlsEvent> tls = new ArrayList<>();
    List<HttpEvent> http = new ArrayList<>();
    PacketPipeline pipeline =
        new PacketPipeline(
            capture.getFileName().toString(),
            FlowOptions.defaults(),
            new DnsAnswerCache(),
            (Event.Builder e) -> {
              if (e.hasTls()) {
                tls.add(e.getTls());
              } else if (e.hasHttp()) {
                http.add(e.getHttp());
              }
            });
    String error = null;
    try {
      new CaptureFileReader()
          .read(
              capture,
              (buf, off, len, linkType, ts, orig) ->
                  pipeline.frame(buf, off, len, linkType, ts, orig));
    } catch (IOException e) {
      error = e.getMessage();
    }
    pipeline.finish();
    return new Events(tls, http, error);
  }
}
