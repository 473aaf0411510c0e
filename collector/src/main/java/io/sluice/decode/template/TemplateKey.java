package io.sluice.decode.template;

/**
 * Key of the shared template store: exporter address, protocol version, observation domain / source id
 * and an id (template id, or sampler/selector id for the sampling tables).
 *
 * <p>Instances are mutable so that each worker can keep one and re-set it per lookup without
 * allocating; {@link #copy()} gives the immutable-in-practice instance stored in the maps. A key
 * stored in a map must never be mutated (only copies are stored, see {@link TemplateStore}).
 */
public final class TemplateKey {
    private long addressHigh;
    private long addressLow;
    private int version;
    private long domain;
    private long id;
    private int hash;

    /**
     * Sets every component. The address is taken from {@code address[0, length)}: 4 bytes (stored
     * IPv4-mapped, so ::ffff:a.b.c.d and a.b.c.d are one exporter) or 16.
     */
    public TemplateKey set(byte[] address, int length, int version, long domain, long id) {
        long hi = 0, lo = 0;
        if (length == 4) {
            lo = 0xffff_0000_0000L | ((address[0] & 0xffL) << 24) | ((address[1] & 0xffL) << 16)
                    | ((address[2] & 0xffL) << 8) | (address[3] & 0xffL);
        } else if (length == 16) {
            for (int i = 0; i < 8; i++) hi = (hi << 8) | (address[i] & 0xffL);
            for (int i = 8; i < 16; i++) lo = (lo << 8) | (address[i] & 0xffL);
        }
        return set(hi, lo, version, domain, id);
    }

    /**
     * Changes THIS key's id (same exporter, version and domain) and returns it: a setter, named so that
     * no caller mistakes it for a getter. Id 0 makes it the key of per-domain state.
     */
    public TemplateKey retarget(long newId) {
        return set(addressHigh, addressLow, version, domain, newId);
    }

    /** Whether this is the key of per-domain state (id 0). */
    public boolean isDomainKey() {
        return id == 0;
    }

    private TemplateKey set(long hi, long lo, int version, long domain, long id) {
        this.addressHigh = hi;
        this.addressLow = lo;
        this.version = version;
        this.domain = domain;
        this.id = id;
        long h = hi * 31 + lo;
        h = h * 31 + version;
        h = h * 31 + domain;
        h = h * 31 + id;
        this.hash = (int) (h ^ (h >>> 32));
        return this;
    }

    public TemplateKey copy() {
        return new TemplateKey().set(addressHigh, addressLow, version, domain, id);
    }

    /** Whether {@code other} is the same exporter, version and domain (any id). */
    public boolean sameDomain(TemplateKey other) {
        return addressHigh == other.addressHigh && addressLow == other.addressLow
                && version == other.version && domain == other.domain;
    }

    /** Whether {@code other} is the same exporter address (any version, domain, id). */
    public boolean sameExporter(TemplateKey other) {
        return addressHigh == other.addressHigh && addressLow == other.addressLow;
    }

    /** A key naming only the exporter address (version, domain and id 0): the pending buffer's key. */
    public TemplateKey exporterOnly() {
        return new TemplateKey().set(addressHigh, addressLow, 0, 0, 0);
    }

    /** High 64 bits of the exporter address (IPv6, or IPv4 mapped). */
    long addressHigh() {
        return addressHigh;
    }

    long addressLow() {
        return addressLow;
    }

    public int version() {
        return version;
    }

    /** The exporter address: 4 bytes when IPv4 (stored mapped), else 16. */
    public byte[] exporterAddress() {
        boolean v4 = addressHigh == 0 && (addressLow >>> 32) == 0xffffL;
        byte[] b = new byte[v4 ? 4 : 16];
        if (v4) {
            for (int i = 0; i < 4; i++) b[i] = (byte) (addressLow >>> (24 - 8 * i));
        } else {
            for (int i = 0; i < 8; i++) b[i] = (byte) (addressHigh >>> (56 - 8 * i));
            for (int i = 0; i < 8; i++) b[8 + i] = (byte) (addressLow >>> (56 - 8 * i));
        }
        return b;
    }

    public long domain() {
        return domain;
    }

    public long id() {
        return id;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TemplateKey k && k.addressHigh == addressHigh && k.addressLow == addressLow
                && k.version == version && k.domain == domain && k.id == id;
    }

    @Override
    public String toString() {
        return "TemplateKey[" + Long.toHexString(addressHigh) + ":" + Long.toHexString(addressLow)
                + " v" + version + " domain " + domain + " id " + id + "]";
    }
}
