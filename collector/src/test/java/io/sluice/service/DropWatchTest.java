package io.sluice.service;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.output.DropReason;
import io.sluice.output.OutputStats;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Health follows the drop counters: unhealthy from the first dropped flow until a window without one. */
class DropWatchTest {
    private static final long S = TimeUnit.SECONDS.toNanos(1);

    @Test
    void unhealthyWhileDroppingAndForOneWindowAfter() {
        OutputStats a = new OutputStats();
        OutputStats b = new OutputStats();
        DropWatch watch = new DropWatch(List.of(a, b), 5 * S);
        watch.tick(0);
        assertNull(watch.unhealthy(), "nothing dropped");
        a.flowsSent(1000);
        watch.tick(S);
        assertNull(watch.unhealthy(), "sends alone are healthy");

        a.dropped(DropReason.BUFFER_FULL, 7); // a stalled broker: the buffer is full, no send fails
        b.dropped(DropReason.UNAVAILABLE, 3);
        watch.tick(2 * S);
        String why = watch.unhealthy();
        assertTrue(why != null && why.contains("10 flows") && why.contains("buffer_full=7") && why.contains("unavailable=3"), why);

        b.dropped(DropReason.BUFFER_FULL, 5);
        watch.tick(3 * S);
        assertTrue(watch.unhealthy().contains("15 flows"), watch.unhealthy());
        watch.tick(7 * S);
        assertTrue(watch.unhealthy() != null, "4 s after the last drop: still inside the window");
        watch.tick(8 * S);
        assertNull(watch.unhealthy(), "a full window without a drop");
    }
}
