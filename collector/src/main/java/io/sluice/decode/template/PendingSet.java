package io.sluice.decode.template;

/**
 * A data set that arrived before its template, kept (copied) with what its datagram's header said, so
 * that it can be decoded later by whichever worker learns the template.
 *
 * @param key            exporter, version, domain and the template id the set needs (a private copy)
 * @param exporterAddress the datagram's UDP source address (4 or 16 bytes)
 * @param exporterPort   the datagram's UDP source port
 * @param timeReceivedNs when the datagram was received (also the age reference for expiry)
 * @param exportTimeSecs the header's export time (unix seconds)
 * @param sysUptimeMs    NetFlow v9 header sysUptime (ms); 0 for IPFIX
 * @param sequence       the header's sequence number
 * @param records        the set's records (the bytes after the 4-byte set header)
 */
public record PendingSet(TemplateKey key, byte[] exporterAddress, int exporterPort, long timeReceivedNs,
                         long exportTimeSecs, long sysUptimeMs, long sequence, byte[] records) {}
