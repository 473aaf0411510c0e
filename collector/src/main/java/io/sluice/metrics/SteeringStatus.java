package io.sluice.metrics;

/** Whether a listener's eBPF sk_reuseport program is attached (else the kernel's hash spreads packets). */
@FunctionalInterface
public interface SteeringStatus {
    boolean ebpfLoaded();

    SteeringStatus NOT_LOADED = () -> false;
}
