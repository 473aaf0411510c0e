package io.sluice.capture;

/**
 * One UDP datagram read from a capture file.
 *
 * @param sourceAddress   UDP source: 4 bytes (IPv4) or 16 (IPv6)
 * @param sourcePort      UDP source port (0 when the file does not say)
 * @param destinationPort UDP destination port (0 when the file does not say)
 * @param timestampNanos  capture time, ns since the epoch (0 when the file does not say)
 * @param payload         the UDP payload, bounded by the UDP length field
 */
public record CapturedDatagram(byte[] sourceAddress, int sourcePort, int destinationPort, long timestampNanos,
                               byte[] payload) {
}
