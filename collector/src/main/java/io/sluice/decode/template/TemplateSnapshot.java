package io.sluice.decode.template;

import io.sluice.capture.CapturedDatagram;
import io.sluice.decode.Protocol;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The templates of a {@link TemplateStore} saved to a file and given back to another process as the
 * exporters' own template messages, so that a collector restarted by a handover (docs/upgrade.md)
 * decodes from its first datagram instead of parking data sets until each exporter's next template
 * refresh.
 *
 * <p>What is saved is what the exporter said (template id, scope count, per field: element id,
 * enterprise, length), never the decoder's own per-field plan ({@code kinds}): the next process may
 * be another sluice version, so it reads them back as template-only NetFlow v9 / IPFIX datagrams
 * through its own decoders, exactly as if the exporter had re-sent them. That also decodes the data
 * sets it had parked for them. Only templates the receiving store lacks are given back: a template the
 * new process already learnt from the exporter is newer than the snapshot.
 *
 * <p>The per-domain values learnt from options data (sampler rates, domain rates, IPFIX
 * systemInitTimeMilliseconds) are plain numbers and are saved and restored as such.
 *
 * <p>File: "SLTM", format 1, written-at (epoch ms), template count, then per template: exporter (16
 * bytes, IPv4 mapped), version, domain, id, options flag, scope count, field count, fields (id,
 * enterprise, length); then state count, then per value: kind, exporter, version, domain, id, value. Written to a temporary file and renamed, so a reader never sees half a snapshot.
 */
public final class TemplateSnapshot {
    private static final int MAGIC = 0x534c544d; // "SLTM"
    private static final int FORMAT = 1;
    /** Synthetic datagrams stay well below the 65,507-byte UDP payload limit the decoders expect. */
    private static final int MAX_DATAGRAM = 60_000;
    /** Kinds of per-domain state learnt from options data, saved beside the templates. */
    private static final int SAMPLER = 1, DOMAIN_RATE = 2, SYSTEM_INIT = 3;

    private TemplateSnapshot() {}

    /** One saved template (what the exporter sent). */
    record Entry(long addressHigh, long addressLow, int version, long domain, int templateId, boolean options,
                 int scopeCount, int[] ids, long[] enterprises, int[] lengths) {
        boolean sameMessage(Entry o) {
            return addressHigh == o.addressHigh && addressLow == o.addressLow && version == o.version && domain == o.domain;
        }

        TemplateKey key() {
            return new TemplateKey().set(address(), 16, version, domain, templateId);
        }

        byte[] address() {
            return ByteBuffer.allocate(16).putLong(addressHigh).putLong(addressLow).array();
        }

        /** The exporter address as a datagram source: 4 bytes for an IPv4-mapped one. */
        byte[] sourceAddress() {
            byte[] a = address();
            if (addressHigh == 0 && (addressLow >>> 32) == 0xffffL) {
                return new byte[] {a[12], a[13], a[14], a[15]};
            }
            return a;
        }

        /** Bytes of this template record on the wire (v9 and IPFIX alike: 4 per field, 4 more per enterprise). */
        int wireLength() {
            int enterpriseBytes = 0;
            for (long e : enterprises) if (e != 0) enterpriseBytes += 4;
            return (options ? 6 : 4) + ids.length * 4 + enterpriseBytes;
        }
    }

    /**
     * Writes every template of {@code store} to {@code file} (atomically).
     *
     * @return the number of templates written
     */
    public static int write(TemplateStore store, Path file) throws IOException {
        List<Entry> entries = new ArrayList<>();
        store.forEachTemplate((key, t) -> {
            int n = t.fieldCount();
            int[] ids = new int[n];
            long[] enterprises = new long[n];
            int[] lengths = new int[n];
            for (int i = 0; i < n; i++) {
                ids[i] = t.elementId(i);
                enterprises[i] = t.enterprise(i);
                lengths[i] = t.length(i);
            }
            entries.add(new Entry(key.addressHigh(), key.addressLow(), key.version(), key.domain(), t.templateId,
                    t.options, t.scopeFieldCount, ids, enterprises, lengths));
        });
        List<long[]> state = new ArrayList<>(); // kind, hi, lo, version, domain, id, value
        SamplingTable sampling = store.sampling();
        sampling.forEachSamplerRate((k, v) -> state.add(stateEntry(SAMPLER, k, packed(v))));
        sampling.forEachDomainRate((k, v) -> state.add(stateEntry(DOMAIN_RATE, k, packed(v))));
        sampling.forEachSystemInit((k, v) -> state.add(stateEntry(SYSTEM_INIT, k, v)));
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp)))) {
                out.writeInt(MAGIC);
                out.writeInt(FORMAT);
                out.writeLong(System.currentTimeMillis());
                out.writeInt(entries.size());
                for (Entry e : entries) {
                    out.writeLong(e.addressHigh);
                    out.writeLong(e.addressLow);
                    out.writeShort(e.version);
                    out.writeInt((int) e.domain);
                    out.writeShort(e.templateId);
                    out.writeBoolean(e.options);
                    out.writeShort(e.scopeCount);
                    out.writeShort(e.ids.length);
                    for (int i = 0; i < e.ids.length; i++) {
                        out.writeShort(e.ids[i]);
                        out.writeInt((int) e.enterprises[i]);
                        out.writeShort(e.lengths[i]);
                    }
                }
                out.writeInt(state.size());
                for (long[] e : state) {
                    out.writeByte((int) e[0]);
                    out.writeLong(e[1]);
                    out.writeLong(e[2]);
                    out.writeShort((int) e[3]);
                    out.writeInt((int) e[4]);
                    out.writeLong(e[5]);
                    out.writeLong(e[6]);
                }
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        return entries.size();
    }

    /**
     * Restores into {@code store} what it lacks of the snapshot in {@code file}: the sampling rates and
     * boot times (put directly: plain values), and the templates, returned as template-only datagrams
     * of their exporters (source port 0) for the caller to decode through its decoders (which also
     * decodes the data sets parked for them). Nothing when the file is missing or older than
     * {@code maxAge} (an exporter may have redefined its templates since).
     *
     * @throws IOException the file is unreadable or not a snapshot of this format
     */
    public static List<TemplateMessage> restore(TemplateStore store, Path file, Duration maxAge) throws IOException {
        List<Entry> entries;
        List<long[]> state = new ArrayList<>();
        long writtenAt;
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            if (in.readInt() != MAGIC || in.readInt() != FORMAT) {
                throw new IOException(file + " is not a sluice template snapshot (format " + FORMAT + ")");
            }
            writtenAt = in.readLong();
            int count = in.readInt();
            if (count < 0 || count > 10_000_000) throw new IOException(file + ": bad entry count " + count);
            entries = new ArrayList<>(Math.min(count, 65_536));
            for (int i = 0; i < count; i++) {
                long hi = in.readLong();
                long lo = in.readLong();
                int version = in.readUnsignedShort();
                long domain = Integer.toUnsignedLong(in.readInt());
                int id = in.readUnsignedShort();
                boolean options = in.readBoolean();
                int scope = in.readUnsignedShort();
                int n = in.readUnsignedShort();
                int[] ids = new int[n];
                long[] enterprises = new long[n];
                int[] lengths = new int[n];
                for (int f = 0; f < n; f++) {
                    ids[f] = in.readUnsignedShort();
                    enterprises[f] = Integer.toUnsignedLong(in.readInt());
                    lengths[f] = in.readUnsignedShort();
                }
                if ((version == 9 || version == 10) && n > 0 && scope <= n) {
                    entries.add(new Entry(hi, lo, version, domain, id, options, scope, ids, enterprises, lengths));
                }
            }
            int stateCount = in.readInt();
            if (stateCount < 0 || stateCount > 10_000_000) throw new IOException(file + ": bad state count " + stateCount);
            for (int i = 0; i < stateCount; i++) {
                state.add(new long[] {in.readUnsignedByte(), in.readLong(), in.readLong(), in.readUnsignedShort(),
                        Integer.toUnsignedLong(in.readInt()), in.readLong(), in.readLong()});
            }
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (EOFException e) {
            throw new IOException(file + " is truncated", e);
        }
        if (System.currentTimeMillis() - writtenAt > maxAge.toMillis()) {
            return List.of();
        }
        // Sampling rates and boot times first, so that data sets released by the templates get them.
        TemplateKey key = new TemplateKey();
        SamplingTable sampling = store.sampling();
        for (long[] e : state) {
            key.set(ByteBuffer.allocate(16).putLong(e[1]).putLong(e[2]).array(), 16, (int) e[3], e[4], e[5]);
            long value = e[6];
            boolean domainKey = key.isDomainKey();
            switch ((int) e[0]) {
                case SAMPLER -> {
                    SamplingRate rate = unpacked(value);
                    if (rate != null && sampling.samplerRate(key) == null) sampling.putSamplerRate(key, rate.rate(), rate.source());
                }
                case DOMAIN_RATE -> {
                    SamplingRate rate = unpacked(value);
                    if (rate != null && domainKey && sampling.domainRate(key) == null) sampling.putDomainRate(key, rate.rate(), rate.source());
                }
                case SYSTEM_INIT -> {
                    if (domainKey && sampling.systemInitMillis(key) == 0) sampling.putSystemInitMillis(key, value);
                }
                default -> { } // a later format's kind: not ours to guess
            }
        }
        Map<String, List<Entry>> byMessage = new LinkedHashMap<>();
        for (Entry e : entries) {
            if (store.get(e.key()) != null) continue; // learnt from the exporter already: newer
            byMessage.computeIfAbsent(e.addressHigh + "/" + e.addressLow + "/" + e.version + "/" + e.domain,
                    k -> new ArrayList<>()).add(e);
        }
        List<TemplateMessage> datagrams = new ArrayList<>();
        for (List<Entry> group : byMessage.values()) {
            List<Entry> batch = new ArrayList<>();
            int size = 0;
            for (Entry e : group) {
                if (!batch.isEmpty() && size + e.wireLength() + 8 > MAX_DATAGRAM - 20) {
                    datagrams.add(message(batch));
                    batch.clear();
                    size = 0;
                }
                batch.add(e);
                size += e.wireLength();
            }
            if (!batch.isEmpty()) datagrams.add(message(batch));
        }
        return datagrams;
    }

    /** When the snapshot in {@code file} was written (epoch ms), or -1 if there is none. */
    public static long writtenAt(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
            return in.readInt() == MAGIC && in.readInt() == FORMAT ? in.readLong() : -1;
        } catch (NoSuchFileException | EOFException e) {
            return -1;
        }
    }

    /**
     * Format 1 stores a sampling rate and its source in one long, {@code rate << 3 | source}: this file
     * format is the only place that packing lives (a format shared with older sluice versions).
     */
    private static long packed(SamplingRate r) {
        return (r.rate() << 3) | r.source();
    }

    private static SamplingRate unpacked(long value) {
        long rate = value >>> 3;
        return rate > 0 ? new SamplingRate(rate, (int) (value & 7)) : null;
    }

    private static long[] stateEntry(int kind, TemplateKey k, long value) {
        return new long[] {kind, k.addressHigh(), k.addressLow(), k.version(), k.domain(), k.id(), value};
    }

    /** One NetFlow v9 or IPFIX message holding the templates of one exporter/version/domain. */
    static TemplateMessage message(List<Entry> entries) {
        Entry first = entries.get(0);
        boolean ipfix = first.version == 10;
        ByteBuffer b = ByteBuffer.allocate(MAX_DATAGRAM + 1024);
        long now = System.currentTimeMillis() / 1000;
        if (ipfix) {
            b.putShort((short) 10).putShort((short) 0).putInt((int) now).putInt(0).putInt((int) first.domain);
        } else {
            b.putShort((short) 9).putShort((short) entries.size()).putInt(0).putInt((int) now).putInt(0).putInt((int) first.domain);
        }
        for (boolean options : new boolean[] {false, true}) {
            int setStart = b.position();
            int setId = ipfix ? (options ? 3 : 2) : (options ? 1 : 0);
            b.putShort((short) setId).putShort((short) 0);
            int records = 0;
            for (Entry e : entries) {
                if (e.options != options) continue;
                records++;
                b.putShort((short) e.templateId);
                if (ipfix) {
                    b.putShort((short) e.ids.length);
                    if (options) b.putShort((short) e.scopeCount);
                    for (int i = 0; i < e.ids.length; i++) {
                        b.putShort((short) (e.enterprises[i] != 0 ? e.ids[i] | 0x8000 : e.ids[i]));
                        b.putShort((short) e.lengths[i]);
                        if (e.enterprises[i] != 0) b.putInt((int) e.enterprises[i]);
                    }
                } else {
                    if (options) {
                        b.putShort((short) (e.scopeCount * 4)).putShort((short) ((e.ids.length - e.scopeCount) * 4));
                    } else {
                        b.putShort((short) e.ids.length);
                    }
                    for (int i = 0; i < e.ids.length; i++) {
                        b.putShort((short) e.ids[i]).putShort((short) e.lengths[i]);
                    }
                }
            }
            if (records == 0) {
                b.position(setStart);
                continue;
            }
            while (!ipfix && (b.position() - setStart) % 4 != 0) b.put((byte) 0); // v9 FlowSets are padded to 32 bits
            b.putShort(setStart + 2, (short) (b.position() - setStart));
        }
        if (ipfix) b.putShort(2, (short) b.position());
        byte[] payload = new byte[b.position()];
        b.get(0, payload);
        return new TemplateMessage(ipfix ? Protocol.IPFIX : Protocol.NETFLOW9, new CapturedDatagram(first.sourceAddress(), 0, 0, 0, payload));
    }
}
