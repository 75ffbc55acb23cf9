/**
 * Packet telemetry without I/O: decoders from link layer to transport ({@code decode}), capture
 * file reading ({@code file}), the flow table ({@code flow}) and DNS ({@code dns}). Everything here
 * takes bytes and returns records or fills reusable views, so that live capture and offline mode
 * run the same code, and fuzzing needs no network.
 */
package io.vigil.agent.packet;
