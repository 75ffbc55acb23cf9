package io.vigil.agent.packet.app;

/**
 * What an {@link AppAnalyzer} currently routes a connection's (or tunnel's) bytes to: detection, a
 * protocol's parser, a tunnel handshake, or nothing. A stage may replace itself (through its
 * analyzer) while handling a call, handing the new stage the bytes that are its.
 */
interface Stage {
  void data(boolean fromClient, byte[] b, int off, int len, long ts);

  void gap(boolean fromClient, long bytes, long ts);

  void closed(boolean fromClient, long ts);

  void end(long ts);

  /** Whether more bytes of that direction are of use. */
  boolean wants(boolean fromClient);

  /** Reads nothing: the connection's protocol is unknown, or its stream was handed off. */
  Stage DONE =
      new Stage() {
        @Override
        public void data(boolean fromClient, byte[] b, int off, int len, long ts) {}

        @Override
        public void gap(boolean fromClient, long bytes, long ts) {}

        @Override
        public void closed(boolean fromClient, long ts) {}

        @Override
        public void end(long ts) {}

        @Override
        public boolean wants(boolean fromClient) {
          return false;
        }
      };
}
