package io.vigil.agent.sensor.process.procfs;

/**
 * Names a controlling terminal from the {@code tty_nr} field of {@code stat}. Best effort: the
 * common devices get their {@code /dev} name; anything else is shown as {@code "MAJOR:MINOR"} so
 * that a terminal is never reported as none. Stateless; thread-safe.
 */
public final class TtyNames {
  private TtyNames() {}

  /** The name for {@code ttyNr}, {@code ""} when the process has no controlling terminal. */
  public static String of(int ttyNr) {
    if (ttyNr == 0) {
      return "";
    }
    // Linux dev_t encoding (see new_decode_dev): 12-bit major in bits 8-19, minor split around it.
    int major = (ttyNr >>> 8) & 0xFFF;
    int minor = (ttyNr & 0xFF) | ((ttyNr >>> 12) & 0xFFF00);
    if (major >= 136 && major <= 143) {
      return "pts/" + ((major - 136) * 256 + minor); // UNIX98 ptys span eight majors
    }
    if (major == 4 && minor < 64) {
      return "tty" + minor;
    }
    if (major == 4) {
      return "ttyS" + (minor - 64);
    }
    if (major == 5 && minor == 1) {
      return "console";
    }
    return major + ":" + minor;
  }
}
