package io.sluice.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.decode.SequenceKind;
import io.sluice.decode.SequenceObserver;
import org.junit.jupiter.api.Test;

/** The sequence rules, one at a time; the books balance after each: expected = received + missing + pending. */
class SequenceSpaceTest {
    private final SequenceSpace s = new SequenceSpace(SequenceKind.SFLOW_DATAGRAM, 0, 0, 4);

    private SequenceSpace.Snapshot balanced() {
        SequenceSpace.Snapshot n = s.snapshot();
        assertEquals(n.expected(), n.received() + n.missing() + n.pending(), n.toString());
        return n;
    }

    private void send(long... sequences) {
        for (long q : sequences) s.observe(q, 1, -1);
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
        send(1, 2, 2, 3, 1);
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
        s.observe(5, 1, 600_000);
        s.observe(6, 1, 601_000);
        s.observe(7, 1, 2_000); // rebooted, and happens to continue near the old number
        SequenceSpace.Snapshot n = balanced();
        assertEquals(1, n.resets());
        assertEquals(0, n.missing() + n.pending());
    }

    @Test
    void recordSequencesAdvanceByTheirRecords() {
        s.observe(0, 30, -1);
        s.observe(30, 29, -1);
        s.observe(89, 30, -1); // a 30-record message lost
        s.observe(119, 30, -1);
        s.observe(149, 30, -1);
        s.observe(179, 30, -1);
        s.observe(209, 30, -1);
        SequenceSpace.Snapshot n = balanced();
        assertEquals(239, n.expected());
        assertEquals(30, n.missing());
    }

    @Test
    void unknownSizeIsLearntFromTheNextMessage() {
        s.observe(0, 10, -1);
        s.observe(10, SequenceObserver.UNKNOWN_UNITS, -1);
        s.observe(17, 5, -1);
        SequenceSpace.Snapshot n = balanced();
        assertEquals(22, n.expected());
        assertEquals(0, n.missing() + n.pending());
    }
}
