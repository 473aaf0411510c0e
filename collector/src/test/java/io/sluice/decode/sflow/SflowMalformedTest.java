package io.sluice.decode.sflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sluice.capture.CapturedDatagram;
import io.sluice.decode.DecodeError;
import io.sluice.decode.DecodeStats;
import io.sluice.decode.SkippedRecords;
import io.sluice.testing.DecodeHarness;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Targeted corruptions of a real datagram (akvorado data-1140: 5 flow samples, 14 records): each is
 * counted under its reason, and what is valid around it is kept.
 */
class SflowMalformedTest {

    private static byte[] data1140() {
        List<CapturedDatagram> d = SflowCaptures.read(SflowCaptures.dataFile("akvorado/sflow/data-1140"));
        return d.getFirst().payload();
    }

    /** Sample sequence numbers of the flows decoded from {@code bytes}, and the stats. */
    private record Result(List<Long> sequences, DecodeStats stats) {}

    private static Result decode(byte[] bytes) {
        DecodeHarness h = new DecodeHarness();
        List<Long> sequences = h.feed(bytes).stream().map(f -> ((Number) f.get("sample_sequence")).longValue()).toList();
        assertEquals(0, h.sflow().internalErrors, "decoder guard hit");
        return new Result(sequences, h.stats());
    }

    private static final List<Long> ALL = List.of(588827825L, 350388893L, 488298591L, 588827826L, 588827827L);

    private static void putInt(byte[] b, int offset, int value) {
        ByteBuffer.wrap(b).putInt(offset, value);
    }

    @Test
    void intactDatagramGivesItsFiveFlows() {
        Result r = decode(data1140());
        assertEquals(ALL, r.sequences());
        assertEquals(0, r.stats().totalErrors());
        assertEquals(5, r.stats().flows(io.sluice.decode.Protocol.SFLOW5));
    }

    @Test
    void hugeSampleCountKeepsEverySampleAndCountsTheShortfall() {
        byte[] b = data1140();
        putInt(b, SflowLayout.of(b).sampleCountOffset(), -1);
        Result r = decode(b);
        assertEquals(ALL, r.sequences());
        assertEquals(1, r.stats().errors(DecodeError.TRUNCATED));
    }

    @Test
    void zeroSampleCountGivesNothingAndNoError() {
        byte[] b = data1140();
        putInt(b, SflowLayout.of(b).sampleCountOffset(), 0);
        Result r = decode(b);
        assertEquals(List.of(), r.sequences());
        assertEquals(0, r.stats().totalErrors());
    }

    @Test
    void truncationInsideTheThirdSampleKeepsTheFirstTwo() {
        byte[] full = data1140();
        SflowLayout.Sample third = SflowLayout.of(full).samples().get(2);
        for (int cut : new int[] {third.formatOffset() + 3, third.bodyStart() + 10, third.bodyEnd() - 1}) {
            Result r = decode(Arrays.copyOf(full, cut));
            assertEquals(ALL.subList(0, 2), r.sequences(), "cut at " + cut);
            assertEquals(1, r.stats().errors(DecodeError.TRUNCATED), "cut at " + cut);
        }
    }

    @Test
    void sampleLengthBeyondTheDatagramEndsItThere() {
        byte[] b = data1140();
        putInt(b, SflowLayout.of(b).samples().get(3).lengthOffset(), 0x7FFFFFFF);
        Result r = decode(b);
        assertEquals(ALL.subList(0, 3), r.sequences());
        assertEquals(1, r.stats().errors(DecodeError.TRUNCATED));
    }

    @Test
    void recordOverrunningItsSampleDropsThatSampleOnly() {
        byte[] b = data1140();
        SflowLayout.Sample second = SflowLayout.of(b).samples().get(1);
        putInt(b, second.recordLengthOffsets().get(1), 100_000);
        Result r = decode(b);
        assertEquals(List.of(ALL.get(0), ALL.get(2), ALL.get(3), ALL.get(4)), r.sequences());
        assertEquals(1, r.stats().errors(DecodeError.BAD_LENGTH));
    }

    @Test
    void hugeRecordCountDropsThatSampleOnly() {
        byte[] b = data1140();
        putInt(b, SflowLayout.of(b).samples().get(0).recordCountOffset(), -1);
        Result r = decode(b);
        assertEquals(ALL.subList(1, 5), r.sequences());
        assertEquals(1, r.stats().errors(DecodeError.TRUNCATED));
    }

    @Test
    void unknownSampleFormatIsSkippedByItsLength() {
        byte[] b = data1140();
        putInt(b, SflowLayout.of(b).samples().get(1).formatOffset(), (9 << 12) | 77);
        Result r = decode(b);
        assertEquals(List.of(ALL.get(0), ALL.get(2), ALL.get(3), ALL.get(4)), r.sequences());
        assertEquals(0, r.stats().totalErrors(), "a well-formed sample sluice does not decode is no error");
        assertEquals(1, r.stats().skipped().count(SkippedRecords.Kind.SFLOW_SAMPLE, (9 << 12) | 77));
    }

    @Test
    void unknownRecordIsSkippedAndTheFlowKept() {
        byte[] b = data1140();
        SflowLayout.Sample first = SflowLayout.of(b).samples().get(0);
        int switchRecordFormat = first.recordLengthOffsets().get(0) - 4;
        putInt(b, switchRecordFormat, (4413 << 12) | 5);
        Result r = decode(b);
        assertEquals(ALL, r.sequences());
        assertEquals(0, r.stats().totalErrors(), "a well-formed record sluice does not decode is no error");
        assertEquals(1, r.stats().skipped().count(SkippedRecords.Kind.SFLOW_FLOW_RECORD, (4413 << 12) | 5));
    }

    @Test
    void headerLengthBeyondItsRecordIsCountedAndTheFlowKeptWithoutIt() {
        byte[] b = data1140();
        SflowLayout.Sample first = SflowLayout.of(b).samples().get(0);
        putInt(b, first.headerLengthOffsets().get(0), 10_000);
        DecodeHarness h = new DecodeHarness();
        List<String> flows = h.feed(b).stream().map(f -> f.getOrDefault("src_addr", "") + "/" + f.get("sample_sequence")).toList();
        assertEquals(5, flows.size());
        assertEquals("/588827825", flows.getFirst()); // no address: its header was not parsed
        assertEquals(1, h.stats().errors(DecodeError.BAD_LENGTH));
    }

    @Test
    void badVersionAndBadAgentTypeAndTinyDatagrams() {
        byte[] b = data1140();
        putInt(b, 0, 4);
        assertEquals(1, decode(b).stats().errors(DecodeError.BAD_VERSION));
        b = data1140();
        putInt(b, 4, 7);
        assertEquals(1, decode(b).stats().errors(DecodeError.MALFORMED));
        for (int len = 0; len < 28; len++) {
            Result r = decode(Arrays.copyOf(data1140(), len));
            assertEquals(List.of(), r.sequences());
            assertEquals(1, r.stats().totalErrors(), "length " + len);
        }
    }

    @Test
    void theSinksOwnExceptionsAreNotTakenForMalformedInput() {
        DecodeHarness h = new DecodeHarness();
        assertThrows(ArrayIndexOutOfBoundsException.class,
                () -> h.feed(flow -> { throw new ArrayIndexOutOfBoundsException("sink bug"); }, data1140()));
        assertEquals(0, h.stats().totalErrors());
        assertEquals(0, h.sflow().internalErrors);
        // The decoder is usable again afterwards.
        List<Long> sequences = new ArrayList<>();
        h.feed(flow -> sequences.add(flow.sampleSequence), data1140());
        assertEquals(ALL, sequences);
    }
}
