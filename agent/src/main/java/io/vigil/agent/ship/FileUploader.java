package io.vigil.agent.ship;

import io.vigil.proto.v1.FileChunk;
import io.vigil.proto.v1.UploadReceipt;
import java.io.IOException;

/**
 * Sends a file to the collector ({@code AgentService.Upload}) chunk by chunk. The response package
 * uses it without knowing the transport; {@link GrpcFileUploader} is the real one.
 */
public interface FileUploader {
  /**
   * Starts one upload.
   *
   * @throws IOException when no connection can be opened (not enrolled, no address)
   */
  Upload open() throws IOException;

  /** One upload in progress. Used by one thread. */
  interface Upload extends AutoCloseable {
    /**
     * Sends a chunk, blocking while the transport cannot take more.
     *
     * @throws IOException when the upload failed or timed out (the collector's status included)
     */
    void send(FileChunk chunk) throws IOException;

    /**
     * Ends the upload and waits for the collector's receipt.
     *
     * @throws IOException when the collector refused it or it timed out
     */
    UploadReceipt finish() throws IOException;

    /** Cancels the upload if it is not finished and releases the connection. */
    @Override
    void close();
  }
}
