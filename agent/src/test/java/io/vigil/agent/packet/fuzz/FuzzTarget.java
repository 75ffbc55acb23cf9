package io.vigil.agent.packet.fuzz;

import java.util.List;

/**
 * One decoder under fuzzing. {@link #run} feeds it one input and returns a short description of
 * what the decoder made of it (a result kind, a malformed reason): inputs that produce a
 * description not seen before are kept in the corpus, a cheap stand-in for coverage guidance.
 * Anything {@link #run} throws is a crash: a decoder's contract is to count malformed input, never
 * to throw.
 */
public interface FuzzTarget {
  /** Short name, also the corpus folder under {@code src/test/resources/fuzz/}. */
  String name();

  /** Well-formed inputs to start mutating from, built by Vigil's own code or recorded here. */
  List<byte[]> seeds() throws Exception;

  /** Runs one input; returns the outcome's description. Throws only on a bug. */
  String run(byte[] input);
}
