package io.vigil.detect.vigil;

import io.vigil.proto.v1.HttpEvent;
import java.util.List;

/**
 * An {@link HttpEvent} as Zeek's {@code http.log} ({@code product: zeek, service: http}): {@code
 * method}, {@code host}, {@code uri}, {@code referrer}, {@code user_agent}, {@code status_code} and
 * the connection's {@code id.orig_h}/{@code id.orig_p}/{@code id.resp_h}/{@code id.resp_p}.
 *
 * <p>SigmaHQ's Zeek HTTP rules also use the proxy category's W3C names ({@code c-uri}, {@code
 * c-useragent}), so those and the other proxy names for the same data ({@code cs-host}, {@code
 * cs-method}, {@code cs-referrer}, {@code sc-status}) are answered too, with the same values as for
 * {@code category: proxy}.
 *
 * <p>{@code resp_mime_types} is absent on purpose: Zeek's are sniffed from the body by file
 * analysis, while Vigil's {@code content_type} is the declared header, and the request's when no
 * response was seen; answering with it would make rules match on what a server claims. Also absent:
 * {@code version}, body lengths, {@code status_msg}, {@code username}, file ids and names.
 */
final class ZeekHttpFields extends NamedFields {
  static final List<String> NAMES =
      List.of(
          "method",
          "host",
          "uri",
          "referrer",
          "user_agent",
          "status_code",
          "id.orig_h",
          "id.orig_p",
          "id.resp_h",
          "id.resp_p",
          "c-uri",
          "c-useragent",
          "cs-host",
          "cs-method",
          "cs-referrer",
          "sc-status");

  private final HttpEvent h;

  ZeekHttpFields(HttpEvent h) {
    this.h = h;
  }

  @Override
  List<String> names() {
    return NAMES;
  }

  @Override
  public List<Object> values(String field) {
    return switch (field) {
      case "method", "cs-method" -> text(h.getMethod());
      case "host", "cs-host" -> text(h.getHost());
      case "uri", "c-uri" -> text(h.getUri());
      case "referrer", "cs-referrer" -> text(h.getReferer());
      case "user_agent", "c-useragent" -> text(h.getUserAgent());
      case "status_code", "sc-status" -> positive(h.getStatusCode());
      case "id.orig_h" -> text(h.getClientIp());
      case "id.orig_p" -> positive(h.getClientPort());
      case "id.resp_h" -> text(h.getServerIp());
      case "id.resp_p" -> positive(h.getServerPort());
      default -> List.of();
    };
  }
}
