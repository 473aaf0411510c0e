package io.sluice.decode.template;

/**
 * A data set that arrived before its template, kept (copied) with what its datagram's header said, so
 * that it can be decoded later by whichever worker learns the template.
 *
 * @param key     exporter, version, domain and the template id the set needs (a private copy)
 * @param header  a frozen copy of the header of the message the set came in
 * @param records the set's records (the bytes after the 4-byte set header)
 */
public record PendingSet(TemplateKey key, MessageHeader header, byte[] records) {
    /** When the datagram was received: the age reference for expiry. */
    public long timeReceivedNs() {
        return header.timeReceivedNs();
    }
}
