package io.sluice.capture;

/**
 * What an input is, told from its first bytes (and, for payload files, which have no magic, from the
 * name): a capture sluice reads, or the reason it is not one, in words an operator can act on.
 */
enum InputKind {
    PCAP, PCAPNG, PAYLOADS, RAW_DATAGRAM, NOT_A_CAPTURE;

    /** How many leading bytes {@link #of} looks at. */
    static final int SNIFF = 16;

    static InputKind of(byte[] b, int n, String name) {
        if (n >= 4) {
            int be = LinkLayer.u32(b, 0);
            int le = Integer.reverseBytes(be);
            if (be == PcapFrames.MAGIC_MICROS || be == PcapFrames.MAGIC_NANOS
                    || le == PcapFrames.MAGIC_MICROS || le == PcapFrames.MAGIC_NANOS) return PCAP;
            if (be == PcapngFrames.SECTION_HEADER) return PCAPNG;
        }
        if (name.endsWith(".payloads.bin")) return PAYLOADS;
        if (n >= 4 && looksLikeFlowExport(b)) return RAW_DATAGRAM;
        return NOT_A_CAPTURE;
    }

    /** NetFlow v5/v9 and IPFIX start with a 16-bit version 5, 9 or 10; sFlow with a 32-bit version 5. */
    private static boolean looksLikeFlowExport(byte[] b) {
        int version16 = LinkLayer.u16(b, 0);
        return version16 == 5 || version16 == 9 || version16 == 10 || LinkLayer.u32(b, 0) == 5;
    }

    /** Why an input of kind NOT_A_CAPTURE is not one. */
    static String whyNot(byte[] b, int n) {
        if (n == 0) return "empty input, not a capture";
        if (starts(b, n, 0x1f, 0x8b)) return "gzip-compressed: decompress first (gunzip FILE, or zcat FILE | sluice decode -)";
        if (starts(b, n, 'B', 'Z', 'h')) return "bzip2-compressed: decompress first (bunzip2 FILE, or bzcat FILE | sluice decode -)";
        if (starts(b, n, 0xfd, '7', 'z', 'X', 'Z', 0)) return "xz-compressed: decompress first (unxz FILE, or xzcat FILE | sluice decode -)";
        if (starts(b, n, 0x28, 0xb5, 0x2f, 0xfd)) return "zstd-compressed: decompress first (unzstd FILE, or zstdcat FILE | sluice decode -)";
        if (starts(b, n, 'P', 'K', 3, 4)) return "a zip archive: extract the capture first";
        if (n >= 4 && LinkLayer.u32(b, 0) == 0xa1b2cd34 || n >= 4 && Integer.reverseBytes(LinkLayer.u32(b, 0)) == 0xa1b2cd34) {
            return "a modified (Kuznetzov) pcap: convert it with editcap -F pcap first";
        }
        if (isText(b, n)) return "a text file, not a capture (expected pcap, pcapng, *.payloads.bin or one raw flow datagram)";
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < Math.min(n, 4); i++) hex.append(String.format("%02x", b[i] & 0xff));
        return "not a capture: starts with 0x" + hex
                + " (expected pcap, pcapng, *.payloads.bin or one raw NetFlow/IPFIX/sFlow datagram)";
    }

    private static boolean starts(byte[] b, int n, int... prefix) {
        if (n < prefix.length) return false;
        for (int i = 0; i < prefix.length; i++) if ((b[i] & 0xff) != prefix[i]) return false;
        return true;
    }

    /** Printable ASCII, tabs and line ends, or UTF-8 lead/continuation bytes: what text files are made of. */
    private static boolean isText(byte[] b, int n) {
        for (int i = 0; i < n; i++) {
            int c = b[i] & 0xff;
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return false;
            if (c == 0x7f) return false;
        }
        return true;
    }
}
