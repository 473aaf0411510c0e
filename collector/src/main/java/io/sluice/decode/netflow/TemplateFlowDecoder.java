package io.sluice.decode.netflow;

import static io.sluice.decode.netflow.Bytes.u16;

import io.sluice.decode.DatagramDecoder;
import io.sluice.decode.Datagram;
import io.sluice.decode.DecodeError;
import io.sluice.decode.DecodeStats;
import io.sluice.decode.Protocol;
import io.sluice.decode.SinkGuard;
import io.sluice.decode.template.MessageHeader;
import io.sluice.decode.SkippedRecords;
import io.sluice.decode.template.PendingSet;
import io.sluice.decode.template.Template;
import io.sluice.decode.template.TemplateKey;
import io.sluice.decode.template.TemplateStore;
import io.sluice.flow.FlowSink;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What NetFlow v9 (RFC 3954) and IPFIX (RFC 7011) share: a header, then sets of templates, options
 * templates and data records described by those templates. The two subclasses only say how their
 * header and template records look; set walking, data records, options records, the shared
 * {@link TemplateStore} and the parking of data whose template is unknown are here.
 *
 * <p>One instance per worker thread (it owns reusable state); the store is shared by all of them.
 * {@link #decode} never throws: malformed parts are counted by {@link DecodeError}, and the valid sets of
 * the same datagram are still decoded. Every loop advances by at least one byte (or four) per turn.
 */
public abstract class TemplateFlowDecoder implements DatagramDecoder {
    /** More fields than this in one template is taken as garbage (real ones have < 100). */
    static final int MAX_FIELDS = 512;

    private final Protocol protocol;
    private final int version;
    private final TemplateStore store;
    private final RecordDecoder records;

    /** Reused lookup key: exporter, version, domain, template id. */
    private final TemplateKey key = new TemplateKey();
    /**
     * Templates learnt in the current datagram: the data parked for them is decoded once the whole
     * datagram is walked, so that options data following the template (sampling rates) applies to it.
     */
    private final List<TemplateKey> learntInDatagram = new ArrayList<>();

    /** The current datagram's header, filled by {@link #readHeader}; parked sets carry a copy of theirs. */
    final MessageHeader header = new MessageHeader();
    private final SinkGuard guard = new SinkGuard();

    TemplateFlowDecoder(Protocol protocol, int version, TemplateStore store, NetflowConfig config) {
        this.protocol = protocol;
        this.version = version;
        this.store = store;
        this.records = new RecordDecoder(protocol, store.sampling(), new SamplingDefaults(config), config.decapsulation());
    }

    Protocol protocol() {
        return protocol;
    }

    int version() {
        return version;
    }

    @Override
    public final void decode(Datagram d, FlowSink datagramSink, DecodeStats stats) {
        stats.datagram(protocol);
        FlowSink sink = guard.around(datagramSink);
        try {
            header.receivedAs(d);
            int end = Math.min(d.length, d.buffer.limit());
            int setsStart = readHeader(d.buffer, end, stats);
            if (setsStart < 0) return;
            int messageEnd = messageEnd(d.buffer, end, stats);
            learntInDatagram.clear();
            messageRecords = 0;
            messageOptionRecords = 0;
            messageRecordsUnknown = false;
            walkSets(d.buffer, setsStart, messageEnd, sink, stats);
            d.sequences.sequence(sequenceKind(), header.domain(), 0, header.sequence(), sequenceUnits(), messageOptionRecords, sysUptimeMs());
            for (int i = 0; i < learntInDatagram.size(); i++) decodeParked(learntInDatagram.get(i), sink, stats);
        } catch (RuntimeException e) {
            guard.caught(e, stats); // the sink's exceptions go on up; ours are counted (see SinkGuard)
        }
    }

    /** Exceptions this decoder took for its own bugs (the fuzz tests require 0). */
    public long decoderBugs() {
        return guard.decoderBugs();
    }
    /** Data records (flow and options) in the current message's own sets, for IPFIX's sequence. */
    int messageRecords;
    /** Of those, options records (softflowd leaves them out of its IPFIX sequence). */
    int messageOptionRecords;
    /** A data set of the current message waits for its template: its record count is not known. */
    boolean messageRecordsUnknown;

    abstract io.sluice.decode.SequenceKind sequenceKind();

    /** What the current message adds to its sequence (v9: one export packet; IPFIX: its data records). */
    abstract long sequenceUnits();

    /** The header's uptime for reset detection, or -1 when the protocol has none. */
    abstract long sysUptimeMs();

    /**
     * Reads the message header into {@link #header}; returns where the sets start, or -1 (counted) when the
     * datagram is too short or not this version.
     */
    abstract int readHeader(ByteBuffer b, int end, DecodeStats stats);

    /** Where the sets end: the datagram end, or the IPFIX message length when shorter. */
    abstract int messageEnd(ByteBuffer b, int end, DecodeStats stats);

    abstract int templateSetId();

    abstract int optionsTemplateSetId();

    /**
     * Parses one template record at {@code p} (the set ends at {@code setEnd}) and learns it, withdraws
     * a template, or counts a bad one. Returns the position after it, or -1 to abandon the rest of the set.
     */
    abstract int readTemplate(ByteBuffer b, int p, int setEnd, boolean options, DecodeStats stats);

    /** Bytes a template record needs at least; fewer left in a set is padding. */
    abstract int minTemplateRecord(boolean options);

    private void walkSets(ByteBuffer b, int p, int end, FlowSink sink, DecodeStats stats) {
        while (end - p >= 4) {
            int setId = u16(b, p);
            int setLength = u16(b, p + 2);
            if (setLength < 4) {
                // Trailing zero padding (some v9 exporters pad the PDU) ends the walk quietly.
                if (!Bytes.allZero(b, p, end - p)) stats.error(DecodeError.BAD_LENGTH);
                return;
            }
            int setEnd = p + setLength;
            if (setEnd > end) {
                stats.error(DecodeError.TRUNCATED);
                setEnd = end; // keep the complete records the set still holds
            }
            int body = p + 4;
            if (setId == templateSetId() || setId == optionsTemplateSetId()) {
                boolean options = setId == optionsTemplateSetId();
                int q = body;
                while (setEnd - q >= minTemplateRecord(options)) {
                    int next = readTemplate(b, q, setEnd, options, stats);
                    if (next <= q) break; // abandoned (counted) or no progress: never loop
                    q = next;
                }
            } else if (setId >= 256) {
                dataSet(b, setId, body, setEnd, sink, stats);
            } else {
                stats.skip(SkippedRecords.Kind.NETFLOW_SET, setId); // reserved set id: skipped by its length, not an error
            }
            p = p + setLength;
        }
    }

    // ---- templates ---------------------------------------------------------------------------------

    /** Key of template {@code templateId} of the current exporter/version/domain (the reused key). */
    TemplateKey keyFor(long templateId) {
        return key.set(header.exporter(), header.exporterLength(), version, header.domain(), templateId);
    }

    // Scratch for template records being read: an unchanged template (the usual refresh) allocates nothing.
    final int[] scratchIds = new int[MAX_FIELDS];
    final long[] scratchEnterprises = new long[MAX_FIELDS];
    final int[] scratchLengths = new int[MAX_FIELDS];

    /**
     * Learns the template read into the scratch arrays ({@code count} fields): builds and stores it
     * unless the store already holds the same one; its parked data is decoded after the datagram.
     */
    void learn(int templateId, boolean options, int scopeCount, int count, DecodeStats stats) {
        TemplateKey k = keyFor(templateId);
        Template known = store.get(k);
        if (known != null && known.sameAs(options, scopeCount, count, scratchIds, scratchEnterprises, scratchLengths)) {
            known.touch(header.timeReceivedNs()); // still in use: keeps it from idle expiry and eviction
            return; // a refresh: nothing to build, store or decode
        }
        int[] ids = Arrays.copyOf(scratchIds, count);
        long[] enterprises = Arrays.copyOf(scratchEnterprises, count);
        int[] lengths = Arrays.copyOf(scratchLengths, count);
        int[] kinds = new int[count];
        for (int i = 0; i < count; i++) {
            // NetFlow v9 scope fields are scope types (System, Interface...), not information elements.
            boolean v9Scope = version == 9 && i < scopeCount;
            kinds[i] = v9Scope ? FieldKind.SKIP : FieldKind.of(enterprises[i], ids[i]);
        }
        Template t = new Template(templateId, options, scopeCount, ids, enterprises, lengths, kinds);
        if (t.minRecordLength < 1) { // all fields of length 0: records would take no room
            stats.error(DecodeError.BAD_TEMPLATE);
            return;
        }
        t.touch(header.timeReceivedNs());
        if (!store.put(k, t)) {
            stats.error(DecodeError.BAD_TEMPLATE); // store full (counted there too): data stays unknown
            return;
        }
        store.observer().learnt(k, t, header);
        VarHandle.fullFence(); // publish the template before reading the pending count (see park)
        if (store.hasPending() && learntInDatagram.size() < MAX_FIELDS) learntInDatagram.add(k.copy());
    }

    void withdraw(int templateId) {
        if (store.remove(keyFor(templateId))) store.observer().withdrawn(key, header);
    }

    void withdrawAll(boolean options) {
        for (TemplateKey k : store.removeAllKeys(keyFor(0), options)) store.observer().withdrawn(k, header);
    }

    // ---- data --------------------------------------------------------------------------------------

    private void dataSet(ByteBuffer b, int setId, int body, int setEnd, FlowSink sink, DecodeStats stats) {
        TemplateKey k = keyFor(setId);
        Template t = store.get(k);
        if (t != null) {
            t.touch(header.timeReceivedNs());
            decodeRecords(t, header, b, body, setEnd, sink, stats);
            return;
        }
        messageRecordsUnknown = true;
        park(k, b, body, setEnd);
        // Dekker-style handshake with learn(): park, fence, look again. The learner puts, fences, then
        // reads the pending count, so at least one of the two sees the other's write.
        VarHandle.fullFence();
        // The template may have been learnt by another worker between our lookup and our parking:
        // then its learner may have missed our set, so we take it back ourselves.
        if (store.get(k) != null) decodeParked(k, sink, stats);
    }

    private void park(TemplateKey k, ByteBuffer b, int body, int setEnd) {
        byte[] data = new byte[setEnd - body];
        b.get(body, data);
        store.addPending(new PendingSet(k.copy(), header.copy(), data));
    }

    /** Decodes, on this thread and into {@code sink}, the parked data sets that needed template {@code k}. */
    private void decodeParked(TemplateKey k, FlowSink sink, DecodeStats stats) {
        if (!store.hasPending()) return;
        List<PendingSet> sets = store.takePending(k, header.timeReceivedNs());
        for (PendingSet s : sets) {
            Template t = store.get(s.key());
            if (t == null) { // withdrawn again meanwhile
                stats.error(DecodeError.UNKNOWN_TEMPLATE);
                continue;
            }
            ByteBuffer data = ByteBuffer.wrap(s.records());
            decodeRecords(t, s.header(), data, 0, data.limit(), sink, stats); // with the header it came in
        }
    }

    private void decodeRecords(Template t, MessageHeader h, ByteBuffer b, int p, int setEnd, FlowSink sink,
                               DecodeStats stats) {
        records.startSet(h);
        int flows = 0;
        // minRecordLength >= 1, so each turn advances; fewer bytes left than a record is padding.
        while (setEnd - p >= t.minRecordLength) {
            int next = t.options ? records.readOptions(t, b, p, setEnd) : records.readFlow(t, b, p, setEnd, sink);
            if (next < 0) {
                stats.error(DecodeError.BAD_LENGTH); // a variable-length field overruns its set
                break;
            }
            if (!t.options) {
                flows += records.flowsOfLastRecord();
                if (records.timesFromExportTime()) stats.timesFromExportTime(records.flowsOfLastRecord());
            }
            messageRecords++;
            if (t.options) messageOptionRecords++;
            p = next;
        }
        if (flows > 0) stats.flows(protocol, flows);
    }
}
