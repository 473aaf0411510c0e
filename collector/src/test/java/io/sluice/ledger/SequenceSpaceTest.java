package io.sluice.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.decode.SequenceKind;
import io.sluice.decode.SequenceObserver;
import org.junit.jupiter.api.Test;

/** The sequence rules, one at a time; the books balance after each: expected = received + missing + pending. */
class SequenceSpaceTest {
    private final SequenceSpace s = new SequenceSpace(SequenceKind.SFLOW_DATAGRAM, 0, 0, 4_000);
    /** A clock that moves 1 µs per message: the window (4 ms) passes with time, set by the test. */
    private long now = 1_000_000_000L;

    private SequenceSpace.Snapshot balanced() {
        SequenceSpace.Snapshot n = s.snapshot(now);
        assertEquals(n.expected(), n.received() + n.missing() + n.pending(), n.toString());
        return n;
    }

    private void send(long... sequences) {
        for (long q : sequences) s.observeAt(q, 1, -1, now += 1000);
    }

    @Test
    void inOrderNothingMissing() {
        send(10, 11, 12, 13);
        SequenceSpace.Snapshot n = balanced();
        assertEquals(4, n.expected());
        assertEquals(0, n.missing() + n.pending());
    }

    @Test
    void gapIsPendingThenMissingAfterTheWindow() {
        send(1, 2, 5);
        assertEquals(2, balanced().pending());
        send(6, 7, 8);
        assertEquals(2, balanced().pending()); // 3 messages since the gap: window is 4
        send(9);
        SequenceSpace.Snapshot n = balanced();
        assertEquals(0, n.pending());
        assertEquals(2, n.missing());
        assertEquals(9, n.expected());
    }

    @Test
    void lateMessagesFillTheirGap() {
        send(1, 2, 4, 3, 6, 7, 5, 8, 9, 10, 11, 12);
        SequenceSpace.Snapshot n = balanced();
        assertEquals(0, n.missing() + n.pending());
        assertEquals(12, n.received());
    }

    @Test
    void duplicatesAreCountedNotReceived() {
        send(1, 2, 2, 3, 2);
        SequenceSpace.Snapshot n = balanced();
        assertEquals(2, n.duplicates());
        assertEquals(3, n.received());
    }

    @Test
    void wrapsAroundAt32Bits() {
        send(0xFFFF_FFFEL, 0xFFFF_FFFFL, 0, 2);
        SequenceSpace.Snapshot n = balanced();
        assertEquals(5, n.expected());
        assertEquals(1, n.pending());
        assertEquals(0, n.resets());
    }

    @Test
    void farBehindIsARestart() {
        send(100, 101, 102, 103, 104, 105, 1, 2, 3);
        SequenceSpace.Snapshot n = balanced();
        assertEquals(1, n.resets());
        assertEquals(9, n.received());
        assertEquals(0, n.missing());
    }

    @Test
    void uptimeGoingBackIsARestartEvenWithTheSequenceAhead() {
        s.observeAt(5, 1, 600_000, now += 1000);
        s.observeAt(6, 1, 601_000, now += 1000);
        s.observeAt(7, 1, 2_000, now += 1000); // rebooted, and happens to continue near the old number
        SequenceSpace.Snapshot n = balanced();
        assertEquals(1, n.resets());
        assertEquals(0, n.missing() + n.pending());
    }

    @Test
    void recordSequencesAdvanceByTheirRecords() {
        s.observeAt(0, 30, -1, now += 1000);
        s.observeAt(30, 29, -1, now += 1000);
        s.observeAt(89, 30, -1, now += 1000); // a 30-record message lost
        s.observeAt(119, 30, -1, now += 1000);
        s.observeAt(149, 30, -1, now += 1000);
        s.observeAt(179, 30, -1, now += 1000);
        s.observeAt(209, 30, -1, now += 1000);
        SequenceSpace.Snapshot n = balanced();
        assertEquals(239, n.expected());
        assertEquals(30, n.missing());
    }

    @Test
    void unknownSizeIsLearntFromTheNextMessage() {
        s.observeAt(0, 10, -1, now += 1000);
        s.observeAt(10, SequenceObserver.UNKNOWN_UNITS, -1, now += 1000);
        s.observeAt(17, 5, -1, now += 1000);
        SequenceSpace.Snapshot n = balanced();
        assertEquals(22, n.expected());
        assertEquals(0, n.missing() + n.pending());
    }

    @Test
    void theFirstMessagesMayComeInAnyOrder() {
        send(5, 3, 4, 7, 6, 8);
        SequenceSpace.Snapshot n = balanced();
        assertEquals(6, n.expected());
        assertEquals(0, n.missing() + n.pending() + n.resets() + n.duplicates());
    }

    @Test
    void twoWorkersInterleavedWithinTheWindowLoseNothing() {
        send(1, 2, 4, 6, 8, 3, 5, 7, 9, 10);
        SequenceSpace.Snapshot n = balanced();
        assertEquals(10, n.received());
        assertEquals(0, n.missing() + n.pending() + n.resets() + n.duplicates());
    }

    @Test
    void aLateMessageInTheMiddleOfAGapSplitsIt() {
        send(1, 5, 3);
        assertEquals(2, balanced().pending());
        send(4, 2);
        assertEquals(0, balanced().pending());
    }

    @Test
    void anExporterCountingItsOwnRecordsIsLearnt() {
        // softflowd's IPFIX: each message's sequence includes its own flow records, not its options record
        SequenceSpace s = new SequenceSpace(SequenceKind.IPFIX, 0, 0, 4_000);
        s.observeAt(21, 22, 1, -1, now += 1000);
        s.observeAt(49, 28, -1, now += 1000);
        s.observeAt(76, 27, -1, now += 1000);
        s.observeAt(104, 28, -1, now += 1000);
        s.observeAt(160, 28, -1, now += 1000); // one of 28 lost
        s.observeAt(188, 28, -1, now += 1000);
        s.observeAt(216, 28, -1, now += 1000);
        s.observeAt(244, 28, -1, now += 1000);
        s.observeAt(272, 28, -1, now += 1000);
        SequenceSpace.Snapshot n = s.snapshot(now);
        assertEquals(n.expected(), n.received() + n.missing() + n.pending(), n.toString());
        assertEquals(28, n.missing());
        assertEquals(0, n.duplicates() + n.resets() + n.pending());
    }

    @Test
    void aMessageLaterThanTheWindowIsLateNotARestartWhenTheUptimeHoldsStill() {
        SequenceSpace u = new SequenceSpace(SequenceKind.SFLOW_DATAGRAM, 0, 0, 4_000);
        for (int q = 0; q < 100; q++) if (q != 10) u.observeAt(q, 1, 60_000 + q, now += 1000);
        u.observeAt(10, 1, 60_010, now += 1000); // held by a stalled worker for 90 windows
        SequenceSpace.Snapshot n = u.snapshot(now);
        assertEquals(0, n.resets(), n.toString());
        assertEquals(1, n.late());
        assertEquals(1, n.missing(), "settled before it came");
        assertEquals(100, n.expected());
        u.observeAt(3, 1, 1_000, now += 1000); // the uptime went back: a restart after all
        assertEquals(1, u.snapshot(now).resets());
    }

    @Test
    void aWorkerStalledThousandsOfGapsBehindIsLateNotARestart() {
        // worker A decodes the even datagrams of 0..2n while B, descheduled, holds the odd ones: n gaps open at
        // once, three times the gap table; then B catches up, oldest first, one of each ten of its datagrams lost
        SequenceSpace wide = new SequenceSpace(SequenceKind.SFLOW_DATAGRAM, 0, 0, 10_000_000_000L);
        int n = SequenceTrack.MAX_GAPS * 3;
        long t = 1;
        for (int q = 0; q <= 2 * n; q += 2) wide.observeAt(q, 1, -1, t++);
        long lost = 0;
        for (int q = 1; q < 2 * n; q += 2) {
            if (q % 20 == 1) {
                lost++;
                continue;
            }
            wide.observeAt(q, 1, -1, t++);
        }
        SequenceSpace.Snapshot within = wide.snapshot(t);
        assertEquals(2L * n + 1, within.expected());
        assertEquals(0, within.resets() + within.duplicates(), within.toString());
        assertEquals(0, within.missing(), "nothing is missing before its window: " + within);
        assertEquals(lost, within.pending());
        SequenceSpace.Snapshot after = wide.snapshot(t + 10_000_000_000L);
        assertEquals(lost, after.missing(), "exactly the datagrams B never got: " + after);
        assertEquals(2L * n + 1 - lost, after.received());
    }
}
