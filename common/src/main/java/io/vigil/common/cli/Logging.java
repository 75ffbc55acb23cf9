package io.vigil.common.cli;

import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Logging for the agent and collector processes: slf4j-simple, one line per message with a UTC
 * timestamp, on stderr (systemd's journal picks it up). Call first thing in {@code main}, before
 * any logger exists; settings given with {@code -D} win.
 */
public final class Logging {
  private Logging() {}

  public static void configure() {
    setDefault("org.slf4j.simpleLogger.showDateTime", "true");
    setDefault("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSX");
    setDefault("org.slf4j.simpleLogger.showThreadName", "false");
    setDefault("org.slf4j.simpleLogger.showShortLogName", "true");
    setDefault("org.slf4j.simpleLogger.defaultLogLevel", "info");
    // Chronicle reports file growth and mappings at INFO: routine, not news for an operator.
    setDefault("org.slf4j.simpleLogger.log.net.openhft", "warn");
    // gRPC and Netty log through java.util.logging; send them the same way.
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.INFO);
  }

  private static void setDefault(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
