package io.sluice.output;

import io.sluice.flow.FlowJson;
import io.sluice.flow.FlowProtobufEncoder;
import io.sluice.flow.FlowRecord;
import io.sluice.flow.JsonStyle;

/**
 * A worker's batch of encoded flows waiting to be handed to the output: the encoded bytes of each flow
 * (FlowMessage protobuf, or for the JSON file output a JSON line), back to back in one arena, plus its
 * partition key. Preallocated once per worker and reused
 * (cleared) after each hand-over, so adding a flow allocates nothing.
 *
 * <p>The arena is sized for {@link #AVERAGE_FLOW_BYTES} per flow rather than the worst case, so 256
 * workers with 4096-flow batches cost ~1 GiB less; a batch is full when it holds its flow count or
 * when the arena could not take one more worst-case flow.
 */
public final class FlowBatch {
    /** How flows are encoded into the batch. */
    public enum Encoding {
        /** goflow2's FlowMessage (Kafka, the protobuf file output); allocation-free. */
        PROTOBUF(FlowProtobufEncoder.MAX_ENCODED_SIZE),
        /** One JSON object and '\n' per flow ({@link FlowJson}, as `sluice decode` prints); allocates, file output only. */
        JSON_LINE(16384),
        /** As {@link #JSON_LINE} in goflow2's JSON conventions ({@link JsonStyle#GOFLOW2}). */
        GOFLOW2_JSON_LINE(16384);

        /** Upper bound of one encoded flow. */
        final int maxRecordSize;

        Encoding(int maxRecordSize) {
            this.maxRecordSize = maxRecordSize;
        }
    }

    /** A generous average: real FlowMessages are ~60–150 bytes. */
    static final int AVERAGE_FLOW_BYTES = 256;
    static final int MAX_KEY_BYTES = 16;

    private final int capacity;
    private final PartitionKey keyKind;
    private final Encoding encoding;
    private final StringBuilder json;
    private final byte[] data;
    private final int[] offsets;
    private final int[] lengths;
    private final byte[] keys;
    private final byte[] keyLengths;
    private int count;
    private int used;
    private long firstAddedNanos;

    public FlowBatch(int capacity, PartitionKey keyKind) {
        this(capacity, keyKind, Encoding.PROTOBUF);
    }

    public FlowBatch(int capacity, PartitionKey keyKind, Encoding encoding) {
        if (capacity < 1) throw new IllegalArgumentException("batch capacity must be >= 1: " + capacity);
        this.capacity = capacity;
        this.keyKind = keyKind;
        this.encoding = encoding;
        this.json = encoding != Encoding.PROTOBUF ? new StringBuilder(2048) : null;
        this.data = new byte[Math.max(capacity * AVERAGE_FLOW_BYTES, encoding.maxRecordSize * 2)];
        this.offsets = new int[capacity];
        this.lengths = new int[capacity];
        this.keys = keyKind == PartitionKey.RANDOM ? new byte[0] : new byte[capacity * MAX_KEY_BYTES];
        this.keyLengths = new byte[capacity];
    }

    /**
     * Encodes the flow into the batch. The caller hands the batch over first when {@link #isFull()}
     * (so this always has room).
     */
    public void add(FlowRecord flow, long nowNanos) {
        if (isFull()) throw new IllegalStateException("batch full: hand it over before adding");
        if (count == 0) firstAddedNanos = nowNanos;
        int n = encoding == Encoding.PROTOBUF ? FlowProtobufEncoder.encode(flow, data, used) : encodeJson(flow);
        offsets[count] = used;
        lengths[count] = n;
        used += n;
        keyLengths[count] = (byte) writeKey(flow, count * MAX_KEY_BYTES);
        count++;
    }

    /** FlowJson's text is ASCII (numbers, addresses, names), so chars copy to bytes one to one. */
    private int encodeJson(FlowRecord flow) {
        json.setLength(0);
        FlowJson.append(flow, json, encoding == Encoding.GOFLOW2_JSON_LINE ? JsonStyle.GOFLOW2 : JsonStyle.SLUICE);
        json.append('\n');
        int n = Math.min(json.length(), encoding.maxRecordSize);
        for (int i = 0; i < n; i++) data[used + i] = (byte) json.charAt(i);
        return n;
    }

    private int writeKey(FlowRecord flow, int at) {
        switch (keyKind) {
            case EXPORTER -> {
                FlowRecord.Address a = flow.exporterAddress.isSet() ? flow.exporterAddress : flow.samplerAddress;
                System.arraycopy(a.bytes, 0, keys, at, a.length);
                return a.length;
            }
            case FIVE_TUPLE -> {
                int h = fiveTupleHash(flow);
                keys[at] = (byte) (h >>> 24);
                keys[at + 1] = (byte) (h >>> 16);
                keys[at + 2] = (byte) (h >>> 8);
                keys[at + 3] = (byte) h;
                return 4;
            }
            default -> {
                return 0;
            }
        }
    }

    /** FNV-1a over addresses, ports and protocol; the producer's murmur2 then picks the partition. */
    static int fiveTupleHash(FlowRecord f) {
        int h = 0x811c9dc5;
        for (int i = 0; i < f.srcAddr.length; i++) h = (h ^ (f.srcAddr.bytes[i] & 0xff)) * 0x01000193;
        for (int i = 0; i < f.dstAddr.length; i++) h = (h ^ (f.dstAddr.bytes[i] & 0xff)) * 0x01000193;
        h = (h ^ f.srcPort) * 0x01000193;
        h = (h ^ f.dstPort) * 0x01000193;
        h = (h ^ f.proto) * 0x01000193;
        return h;
    }

    /** Full: hand it over before the next {@link #add}. */
    public boolean isFull() {
        return count >= capacity || data.length - used < encoding.maxRecordSize;
    }

    public Encoding encoding() {
        return encoding;
    }

    public boolean isEmpty() {
        return count == 0;
    }

    public int size() {
        return count;
    }

    public int capacity() {
        return capacity;
    }

    /** System.nanoTime() when the first flow of this batch was added. */
    public long firstAddedNanos() {
        return firstAddedNanos;
    }

    /** The arena; flow i is {@code data()[offset(i), offset(i) + length(i))}. */
    public byte[] data() {
        return data;
    }

    public int offset(int i) {
        return offsets[i];
    }

    public int length(int i) {
        return lengths[i];
    }

    /** The key bytes of flow i are {@code keys()[keyOffset(i), keyOffset(i) + keyLength(i))}; length 0 = no key. */
    public byte[] keys() {
        return keys;
    }

    public int keyOffset(int i) {
        return i * MAX_KEY_BYTES;
    }

    public int keyLength(int i) {
        return keyLengths[i];
    }

    public void clear() {
        count = 0;
        used = 0;
    }
}
