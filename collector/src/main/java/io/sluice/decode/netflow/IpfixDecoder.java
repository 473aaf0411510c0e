package io.sluice.decode.netflow;

import static io.sluice.decode.netflow.Bytes.u16;
import static io.sluice.decode.netflow.Bytes.u32;

import io.sluice.decode.DecodeError;
import io.sluice.decode.DecodeStats;
import io.sluice.decode.Protocol;
import io.sluice.decode.template.TemplateStore;
import java.nio.ByteBuffer;

/**
 * IPFIX (RFC 7011): enterprise-specific fields (PEN after the field specifier), template withdrawal
 * (field count 0; template id 2 or 3 withdraws every template or options template of the domain), and
 * the message length of the header bounding the sets.
 */
public final class IpfixDecoder extends TemplateFlowDecoder {
    private static final int HEADER = 16;

    public IpfixDecoder(TemplateStore store, NetflowConfig config) {
        super(Protocol.IPFIX, 10, store, config);
    }

    @Override
    int readHeader(ByteBuffer b, int end, DecodeStats stats) {
        if (end < HEADER) {
            stats.error(DecodeError.TRUNCATED);
            return -1;
        }
        if (u16(b, 0) != 10) {
            stats.error(DecodeError.BAD_VERSION);
            return -1;
        }
        if (u16(b, 2) < HEADER) {
            stats.error(DecodeError.BAD_LENGTH);
            return -1;
        }
        header.header(10, u32(b, 4), 0, u32(b, 8), u32(b, 12)); // export time, sequence, domain
        return HEADER;
    }

    @Override
    int messageEnd(ByteBuffer b, int end, DecodeStats stats) {
        int length = u16(b, 2);
        if (length > end) {
            stats.error(DecodeError.TRUNCATED);
            return end;
        }
        return length;
    }

    @Override
    io.sluice.decode.SequenceKind sequenceKind() {
        return io.sluice.decode.SequenceKind.IPFIX;
    }

    @Override
    long sequenceUnits() {
        return messageRecordsUnknown ? io.sluice.decode.SequenceObserver.UNKNOWN_UNITS : messageRecords;
    }

    @Override
    long sysUptimeMs() {
        return -1; // IPFIX has no uptime in its header
    }

    @Override
    int templateSetId() {
        return 2;
    }

    @Override
    int optionsTemplateSetId() {
        return 3;
    }

    @Override
    int minTemplateRecord(boolean options) {
        return 4; // a withdrawal is 4 bytes in both kinds of set
    }

    @Override
    int readTemplate(ByteBuffer b, int p, int setEnd, boolean options, DecodeStats stats) {
        int templateId = u16(b, p);
        int fieldCount = u16(b, p + 2);
        p += 4;
        if (fieldCount == 0) { // withdrawal: 4 bytes, always progress
            if (templateId == 2 || templateId == 3) withdrawAll(templateId == 3);
            else if (templateId >= 256) withdraw(templateId);
            else stats.error(DecodeError.BAD_TEMPLATE);
            return p;
        }
        int scopeCount = 0;
        if (options) {
            if (p + 2 > setEnd) {
                stats.error(DecodeError.BAD_TEMPLATE);
                return -1;
            }
            scopeCount = u16(b, p);
            p += 2;
            if (scopeCount == 0 || scopeCount > fieldCount) {
                stats.error(DecodeError.BAD_TEMPLATE);
                return -1;
            }
        }
        if (templateId < 256 || fieldCount > MAX_FIELDS) {
            stats.error(DecodeError.BAD_TEMPLATE);
            return -1;
        }
        int[] ids = scratchIds;
        long[] enterprises = scratchEnterprises;
        int[] lengths = scratchLengths;
        for (int i = 0; i < fieldCount; i++) {
            if (p + 4 > setEnd) {
                stats.error(DecodeError.BAD_TEMPLATE);
                return -1;
            }
            int id = u16(b, p);
            lengths[i] = u16(b, p + 2);
            enterprises[i] = 0; // scratch arrays are reused
            p += 4;
            if ((id & 0x8000) != 0) {
                if (p + 4 > setEnd) {
                    stats.error(DecodeError.BAD_TEMPLATE);
                    return -1;
                }
                enterprises[i] = u32(b, p);
                p += 4;
                id &= 0x7FFF;
            }
            ids[i] = id;
        }
        learn(templateId, options, scopeCount, fieldCount, stats);
        return p;
    }
}
