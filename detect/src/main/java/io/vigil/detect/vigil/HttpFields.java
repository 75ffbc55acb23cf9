package io.vigil.detect.vigil;

import io.vigil.proto.v1.HttpEvent;
import java.util.List;

/**
 * An {@link HttpEvent} under the W3C extended log names of Sigma's {@code proxy} and {@code
 * webserver} categories. Both sets are answered, because one captured request is what a proxy and
 * the web server would each log: proxy names ({@code c-uri}, {@code c-useragent}, {@code
 * cs-referrer}, {@code src_ip}, {@code dst_ip}) and web server names ({@code cs-uri-stem}, {@code
 * cs-uri-query}, {@code cs-user-agent}, {@code cs-referer}, {@code c-ip}, {@code s-ip}, {@code
 * s-port}); shared: {@code cs-host}, {@code cs-method}, {@code sc-status}. Cookies, byte counts and
 * user names are absent: Vigil does not record them.
 */
final class HttpFields extends NamedFields {
  static final List<String> NAMES =
      List.of(
          "c-uri",
          "cs-uri",
          "c-uri-stem",
          "cs-uri-stem",
          "c-uri-query",
          "cs-uri-query",
          "c-uri-extension",
          "c-useragent",
          "cs-user-agent",
          "cs-host",
          "cs-method",
          "sc-status",
          "cs-referrer",
          "cs-referer",
          "src_ip",
          "c-ip",
          "dst_ip",
          "s-ip",
          "s-port");

  private final HttpEvent h;

  HttpFields(HttpEvent h) {
    this.h = h;
  }

  @Override
  List<String> names() {
    return NAMES;
  }

  @Override
  public List<Object> values(String field) {
    return switch (field) {
      case "c-uri", "cs-uri" -> text(h.getUri());
      case "c-uri-stem", "cs-uri-stem" -> text(stem());
      case "c-uri-query", "cs-uri-query" -> text(query());
      case "c-uri-extension" -> text(extension());
      case "c-useragent", "cs-user-agent" -> text(h.getUserAgent());
      case "cs-host" -> text(h.getHost());
      case "cs-method" -> text(h.getMethod());
      case "sc-status" -> positive(h.getStatusCode());
      case "cs-referrer", "cs-referer" -> text(h.getReferer());
      case "src_ip", "c-ip" -> text(h.getClientIp());
      case "dst_ip", "s-ip" -> text(h.getServerIp());
      case "s-port" -> positive(h.getServerPort());
      default -> List.of();
    };
  }

  private String stem() {
    String uri = h.getUri();
    int q = uri.indexOf('?');
    return q < 0 ? uri : uri.substring(0, q);
  }

  private String query() {
    String uri = h.getUri();
    int q = uri.indexOf('?');
    return q < 0 ? "" : uri.substring(q + 1);
  }

  /** The extension of the last path segment, without the dot ("" when there is none). */
  private String extension() {
    String stem = stem();
    int slash = stem.lastIndexOf('/');
    int dot = stem.lastIndexOf('.');
    return dot > slash && dot < stem.length() - 1 ? stem.substring(dot + 1) : "";
  }
}
