package io.vigil.detect.bench;

import java.util.Arrays;

/** Median and spread of a few measured iterations. */
record Stats(double median, double min, double max) {

  static Stats of(double[] samples) {
    double[] s = samples.clone();
    Arrays.sort(s);
    int n = s.length;
    double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    return new Stats(median, s[0], s[n - 1]);
  }

  /** (max - min) / median, in per cent. */
  double spreadPercent() {
    return median == 0 ? 0 : (max - min) * 100 / median;
  }
}
