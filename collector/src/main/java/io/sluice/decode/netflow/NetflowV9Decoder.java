package io.sluice.decode.netflow;

import static io.sluice.decode.netflow.Bytes.u16;
import static io.sluice.decode.netflow.Bytes.u32;

import io.sluice.decode.DecodeError;
import io.sluice.decode.DecodeStats;
import io.sluice.decode.Protocol;
import io.sluice.decode.template.TemplateStore;
import java.nio.ByteBuffer;

/**
 * NetFlow v9 (RFC 3954). The header's {@code count} counts records (templates and data), not FlowSets,
 * and exporters get it wrong, so sets are walked by their lengths to the end of the datagram instead.
 */
public final class NetflowV9Decoder extends TemplateFlowDecoder {
    private static final int HEADER = 20;

    public NetflowV9Decoder(TemplateStore store, NetflowConfig config) {
        super(Protocol.NETFLOW9, 9, store, config);
    }

    @Override
    int readHeader(ByteBuffer b, int end, DecodeStats stats) {
        if (end < HEADER) {
            stats.error(DecodeError.TRUNCATED);
            return -1;
        }
        if (u16(b, 0) != 9) {
            stats.error(DecodeError.BAD_VERSION);
            return -1;
        }
        header.header(9, u32(b, 8), u32(b, 4), u32(b, 12), u32(b, 16)); // export time, uptime, sequence, source id
        return HEADER;
    }

    @Override
    int messageEnd(ByteBuffer b, int end, DecodeStats stats) {
        return end;
    }

    @Override
    io.sluice.decode.SequenceKind sequenceKind() {
        return io.sluice.decode.SequenceKind.NETFLOW_V9;
    }

    @Override
    long sequenceUnits() {
        return 1; // RFC 3954: the sequence counts export packets
    }

    @Override
    long sysUptimeMs() {
        return header.sysUptimeMs();
    }

    @Override
    int templateSetId() {
        return 0;
    }

    @Override
    int optionsTemplateSetId() {
        return 1;
    }

    @Override
    int minTemplateRecord(boolean options) {
        return options ? 6 : 4;
    }

    @Override
    int readTemplate(ByteBuffer b, int p, int setEnd, boolean options, DecodeStats stats) {
        int templateId = u16(b, p);
        int scopeCount, fieldCount;
        if (options) {
            int scopeLength = u16(b, p + 2);
            int optionLength = u16(b, p + 4);
            p += 6;
            if (scopeLength % 4 != 0 || optionLength % 4 != 0) {
                stats.error(DecodeError.BAD_TEMPLATE);
                return -1;
            }
            scopeCount = scopeLength / 4;
            fieldCount = scopeCount + optionLength / 4;
        } else {
            scopeCount = 0;
            fieldCount = u16(b, p + 2);
            p += 4;
        }
        if (templateId < 256 || fieldCount == 0 || fieldCount > MAX_FIELDS || p + fieldCount * 4 > setEnd) {
            stats.error(DecodeError.BAD_TEMPLATE);
            return -1;
        }
        int[] ids = scratchIds;
        long[] enterprises = scratchEnterprises;
        int[] lengths = scratchLengths;
        for (int i = 0; i < fieldCount; i++, p += 4) {
            ids[i] = u16(b, p);
            enterprises[i] = 0; // v9 has no enterprise fields (scratch arrays are reused)
            lengths[i] = u16(b, p + 2);
        }
        learn(templateId, options, scopeCount, fieldCount, stats);
        return p;
    }
}
