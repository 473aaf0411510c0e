/* sluice's sk_reuseport programs: pick which socket of the SO_REUSEPORT group receives each
 * datagram, instead of the kernel's 4-tuple hash that sends all of one exporter's packets to one
 * socket. The Java side loads exactly one program of this object, chosen by the configured mode:
 *   random       -> reuseport_random       (bpf_get_prandom_u32() % num_sockets)
 *   round-robin  -> reuseport_round_robin  (a per-CPU counter)
 *   hash         -> nothing is loaded: the kernel's 4-tuple hash; with a guard (allow/rate-limit)
 *                   reuseport_hash_guard, which filters and leaves the choice to the kernel's hash.
 * Map and function names are part of the contract with io.sluice.steering.BpfSteering. */
#include "sluice_bpf.h"

/* Set by the loader before load (the only constant of .rodata, so it sits at offset 0). */
volatile const __u32 num_sockets;

/* Index -> socket of the group; filled (and swapped for a graceful restart) from Java. */
struct {
    __uint(type, BPF_MAP_TYPE_REUSEPORT_SOCKARRAY);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 256);
} socket_map SEC(".maps");

/* One counter per CPU: no atomics and no cache line bouncing; each CPU cycles over all sockets. */
struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __type(key, __u32);
    __type(value, __u32);
    __uint(max_entries, 1);
} rr_counter SEC(".maps");

/* Who owns a listener's pins under /sys/fs/bpf/sluice/<listener>/ (graceful restart, see
 * docs/upgrade.md and io.sluice.handover.OwnerRecord): no program reads it. The Java side loads this
 * object with no program to create it, writes entry 0 and pins it beside the socket map, so that
 * `bpftool map dump pinned .../owner` shows the fields by name. A starting sluice reads it to find
 * the process to stop (pid + start time, so a recycled pid is never signalled) or to recognise a
 * crashed owner's stale pins; an exiting one removes the pins only if the record is still its own. */
struct sluice_owner {
    __u32 magic;          /* 0x534c5543 "SLUC": a record written by sluice */
    __u32 pid;
    __u64 start_ticks;    /* field 22 of /proc/<pid>/stat: clock ticks after boot */
    __u32 steering;       /* 0 kernel hash, 1 random, 2 round-robin */
    __u32 sockets;        /* size of the owner's reuseport group */
    __u64 pinned_at_ns;   /* wall clock when it took over, ns after the epoch */
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, struct sluice_owner);
    __uint(max_entries, 1);
} owner SEC(".maps");

/* The guard (allow-list, rate limit): its maps and guard_admits(), see the header. */
#include "sluice_guard.h"

/* If the selection fails (an empty slot) the program still passes the packet: the kernel then
 * falls back to its hash over the group, which loses nothing. */
SEC("sk_reuseport")
int reuseport_random(struct sk_reuseport_md *reuse_md)
{
    if (!guard_admits(reuse_md))
        return SK_DROP;
    __u32 index = bpf_get_prandom_u32() % num_sockets;
    bpf_sk_select_reuseport(reuse_md, &socket_map, &index, 0);
    return SK_PASS;
}

SEC("sk_reuseport")
int reuseport_round_robin(struct sk_reuseport_md *reuse_md)
{
    if (!guard_admits(reuse_md))
        return SK_DROP;
    __u32 zero = 0;
    __u32 *counter = bpf_map_lookup_elem(&rr_counter, &zero);
    if (!counter)
        return SK_PASS;
    __u32 index = *counter % num_sockets;
    *counter = index + 1;
    bpf_sk_select_reuseport(reuse_md, &socket_map, &index, 0);
    return SK_PASS;
}

/* steering: hash with a guard: filter, then pass without selecting a socket, which makes the kernel
 * fall back to its own 4-tuple hash over the group (reuseport_select_sock: no selected_sk -> hash). */
SEC("sk_reuseport")
int reuseport_hash_guard(struct sk_reuseport_md *reuse_md)
{
    return guard_admits(reuse_md) ? SK_PASS : SK_DROP;
}

char _license[] SEC("license") = "GPL";
