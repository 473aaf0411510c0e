package io.sluice.handover;

import io.sluice.socket.ReuseportSocketGroup;
import io.sluice.steering.BpfObjectSource;
import io.sluice.steering.Steering;
import io.sluice.steering.SteeringMode;
import io.sluice.worker.ReceiveOptions;
import io.sluice.worker.WorkerPool;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;

/**
 * A real sluice receive process for the cross-process handover tests, run in a child JVM: the
 * production classes in the order the service uses them (bind, steer, start workers, take over;
 * on SIGTERM: beforeDrain, drain, release), without the decoders and Kafka, which the
 * failsafe HandoverIT covers through bin/sluice. Its main class is in io.sluice, so
 * {@link ProcessInfo#isSluice} accepts it, as it does bin/sluice.
 *
 * <p>Args: port sockets steering pinRoot listener. Prints {@code READY port=P pid=N} once it serves,
 * and {@code DRAINED packets=N drained=D ms=T} before exiting 0 after SIGTERM.
 */
public final class HandoverChild {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int sockets = Integer.parseInt(args[1]);
        SteeringMode mode = SteeringMode.parse(args[2]);
        Path pinRoot = Path.of(args[3]);
        String listener = args[4];
        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), s -> stop.countDown());
        ReuseportSocketGroup group = ReuseportSocketGroup.open(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), port), sockets, 4 << 20);
        Steering steering = Steering.attachOrFallback(listener, group, mode, BpfObjectSource.bundled());
        WorkerPool pool = new WorkerPool(listener, group, i -> d -> {}, ReceiveOptions.DEFAULT);
        pool.start();
        Handover handover = Handover.takeOver(HandoverSettings.defaults().withPinRoot(pinRoot), listener, group, steering);
        System.out.println("READY port=" + group.port() + " pid=" + ProcessHandle.current().pid() + " ebpf="
                + steering.ebpfLoaded() + " predecessors=" + handover.predecessors().size());
        System.out.flush();
        stop.await();
        long t0 = System.nanoTime();
        long before = pool.packets();
        handover.beforeDrain();
        pool.close();
        steering.close();
        handover.close();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("DRAINED packets=" + pool.packets() + " drained=" + (pool.packets() - before) + " ms=" + ms);
        System.out.flush();
        System.exit(0);
    }
}
