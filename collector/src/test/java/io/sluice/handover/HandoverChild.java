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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import sun.misc.Signal;

/**
 * A real sluice receive process for the cross-process handover tests, run in a child JVM: the
 * production classes in the order the service uses them (per listener: bind, steer, start workers,
 * take over; then stop the predecessors; on SIGTERM: beforeDrain, drain, release), without the
 * decoders and Kafka, which the failsafe HandoverIT covers through bin/sluice. Its main class is in
 * io.sluice, so {@link ProcessInfo#isSluice} accepts it, as it does bin/sluice.
 *
 * <p>Args: ports (comma-separated, one listener each, named {@code <name>-<i>}; 0 picks one) sockets
 * steering pinRoot name. Prints {@code READY ports=P1,P2 pid=N ebpf=B predecessors=K} once it serves,
 * and {@code DRAINED packets=N drained=D ms=T} (sums over the listeners) before exiting 0 after SIGTERM.
 */
public final class HandoverChild {
    public static void main(String[] args) throws Exception {
        String[] ports = args[0].split(",");
        int sockets = Integer.parseInt(args[1]);
        SteeringMode mode = SteeringMode.parse(args[2]);
        Path pinRoot = Path.of(args[3]);
        String name = args[4];
        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), s -> stop.countDown());
        List<ReuseportSocketGroup> groups = new ArrayList<>();
        List<Steering> steerings = new ArrayList<>();
        List<WorkerPool> pools = new ArrayList<>();
        List<Handover> handovers = new ArrayList<>();
        for (int i = 0; i < ports.length; i++) {
            String listener = ports.length == 1 ? name : name + "-" + i;
            ReuseportSocketGroup group = ReuseportSocketGroup.open(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(ports[i])), sockets, 4 << 20);
            Steering steering = Steering.attachOrFallback(listener, group, mode, BpfObjectSource.bundled());
            WorkerPool pool = new WorkerPool(listener, group, w -> d -> {}, ReceiveOptions.DEFAULT);
            pool.start();
            groups.add(group);
            steerings.add(steering);
            pools.add(pool);
            handovers.add(Handover.takeOver(HandoverSettings.DEFAULTS.withPinRoot(pinRoot), listener, group, steering));
        }
        List<Handover.Predecessor> stopped = Handover.stopPredecessors(handovers);
        System.out.println("READY ports=" + groups.stream().map(g -> Integer.toString(g.port())).collect(Collectors.joining(","))
                + " pid=" + ProcessHandle.current().pid() + " ebpf=" + steerings.get(0).ebpfLoaded()
                + " predecessors=" + stopped.size());
        System.out.flush();
        stop.await();
        long t0 = System.nanoTime();
        long before = pools.stream().mapToLong(WorkerPool::packets).sum();
        handovers.forEach(Handover::beforeDrain);
        pools.forEach(WorkerPool::close);
        steerings.forEach(Steering::close);
        handovers.forEach(Handover::close);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        long packets = pools.stream().mapToLong(WorkerPool::packets).sum();
        System.out.println("DRAINED packets=" + packets + " drained=" + (packets - before) + " ms=" + ms);
        System.out.flush();
        System.exit(0);
    }
}
