package io.vigil.agent.response.network;

import io.vigil.common.text.TerminalText;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * {@link Nftables} through the {@code nft} tool, run as a subprocess with a timeout. An optional
 * command prefix runs it elsewhere (tests use {@code ip netns exec NAME} to change a namespace of
 * their own; the agent uses none, as it lives in the namespace it contains). Thread-safe
 * (stateless).
 */
public final class NftTool implements Nftables {
  /** Longest stdout kept (a listed ruleset); more is an error rather than a silent cut. */
  private static final int MAX_OUTPUT = 8 << 20;

  private static final int MAX_ERROR_CHARS = 600;

  private final List<String> prefix;
  private final Path nft;
  private final Duration timeout;

  /**
   * @param prefix command words put before nft (e.g. {@code ip netns exec NAME}); empty for none
   * @param nft the nft executable ({@code response.nft})
   * @param timeout how long one nft run may take before it is killed
   */
  public NftTool(List<String> prefix, Path nft, Duration timeout) {
    this.prefix = List.copyOf(prefix);
    this.nft = nft;
    this.timeout = timeout;
  }

  /** Without a prefix and a 10 s timeout. */
  public NftTool(Path nft) {
    this(List.of(), nft, Duration.ofSeconds(10));
  }

  @Override
  public void apply(String script) throws IOException {
    run(script, "-f", "-");
  }

  @Override
  public String listRuleset() throws IOException {
    return run("", "-s", "list", "ruleset");
  }

  private String run(String stdin, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.add(nft.toString());
    cmd.addAll(List.of(args));
    String shown = String.join(" ", cmd);
    Process p;
    try {
      p = new ProcessBuilder(cmd).start();
    } catch (IOException e) {
      throw new IOException("cannot run " + shown + ": " + e.getMessage(), e);
    }
    CompletableFuture<byte[]> out = drain(p.getInputStream());
    CompletableFuture<byte[]> err = drain(p.getErrorStream());
    try {
      try (OutputStream in = p.getOutputStream()) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IOException(shown + " did not finish within " + timeout.toMillis() + " ms");
      }
      String stderr = new String(err.get(), StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new IOException(
            shown
                + " failed (exit "
                + p.exitValue()
                + "): "
                + TerminalText.escape(stderr.strip(), MAX_ERROR_CHARS));
      }
      return new String(out.get(), StandardCharsets.UTF_8);
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException(shown + " interrupted", e);
    } catch (ExecutionException e) {
      throw new IOException(shown + ": " + e.getCause().getMessage(), e.getCause());
    } finally {
      p.destroyForcibly();
    }
  }

  private static CompletableFuture<byte[]> drain(InputStream s) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (s) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            for (int n; (n = s.read(buf)) >= 0; ) {
              if (b.size() + n > MAX_OUTPUT) {
                throw new IOException("nft wrote more than " + MAX_OUTPUT + " bytes");
              }
              b.write(buf, 0, n);
            }
            return b.toByteArray();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }
}
