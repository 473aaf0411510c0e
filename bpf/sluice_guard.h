/* The guard of a listener (docs/security.md), shared by sluice_reuseport.bpf.c and the test object the
 * verifier refuses (collector/src/test/bpf/refused.bpf.c), so both carry the maps the loader looks for. */
#ifndef SLUICE_GUARD_H
#define SLUICE_GUARD_H

#include "sluice_bpf.h"

/* ---- The guard (docs/security.md): who may send to this listener, and how fast. ----
 * Every steering program runs guard_admits() first; with the kernel hash (steering: hash) and a
 * guard configured, reuseport_hash_guard runs it alone and, by passing without selecting a socket,
 * leaves the choice to the kernel's hash. A refused datagram is dropped here (SK_DROP): it never
 * reaches a socket buffer, so a spoofed flood costs no user-space time and no buffer space. All maps
 * below are written by io.sluice.steering.GuardMaps; a reload (SIGHUP) rewrites them in place. */

/* An address as the guard keys it: IPv6, or IPv4 as ::ffff:a.b.c.d (so one trie holds both and an
 * IPv4 exporter reaching a dual-stack socket is the same exporter). */
struct guard_addr {
    __u8 bytes[16];
};

/* LPM trie key: prefix length in bits over the 16 bytes (an IPv4 /n is stored as /(96+n)). */
struct guard_prefix {
    __u32 prefixlen;
    struct guard_addr addr;
};

/* The listener's guard settings, entry 0. Zero everywhere = no guard (every datagram passes). */
struct guard_settings {
    __u32 allow_enabled;   /* 1: only sources in allow_list pass */
    __u32 rate_enabled;    /* 1: each source is limited by its token bucket */
    __u64 interval_ns;     /* 1e9 / datagrams per second: the cost of one datagram */
    __u64 tolerance_ns;    /* (burst - 1) * interval_ns: how far ahead of its rate a source may be */
};

/* Per allowed source: a GCRA token bucket (tat = when it is back to an empty bucket) and what the
 * bucket decided. An LRU map, so a flood of new sources evicts the least recent, never grows. */
struct guard_bucket {
    __u64 tat_ns;
    __u64 passed;
    __u64 rate_limited;
};

#define GUARD_NOT_ALLOWED 0
#define GUARD_RATE_LIMITED 1
#define GUARD_UNREADABLE 2

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, struct guard_settings);
    __uint(max_entries, 1);
} guard_settings SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LPM_TRIE);
    __type(key, struct guard_prefix);
    __type(value, __u8);
    /* Twice the configurable 4096: a reload adds the new prefixes before removing the old ones. */
    __uint(max_entries, 8192);
    __uint(map_flags, BPF_F_NO_PREALLOC);
} allow_list SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __type(key, struct guard_addr);
    __type(value, struct guard_bucket);
    __uint(max_entries, 16384);
} exporter_buckets SEC(".maps");

/* Refused (not allowed) sources and how often, for the top-offender figures; its own LRU map so that
 * a spoofed flood evicts only other refused sources, never an allowed exporter's bucket. */
struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __type(key, struct guard_addr);
    __type(value, __u64);
    __uint(max_entries, 4096);
} refused_sources SEC(".maps");

/* Drops by reason, per CPU (no atomics on the packet path; summed by the scrape). */
struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 3);
} guard_drops SEC(".maps");

static __always_inline void guard_count(__u32 reason)
{
    __u64 *count = bpf_map_lookup_elem(&guard_drops, &reason);
    if (count)
        *count += 1;
}

/* The source address from the network header (the only place it is in an sk_reuseport context). */
static __always_inline int guard_source(struct sk_reuseport_md *md, struct guard_addr *addr)
{
    __u8 first;
    if (bpf_skb_load_bytes_relative(md, 0, &first, 1, BPF_HDR_START_NET))
        return -1;
    if ((first >> 4) == 4) {
        addr->bytes[10] = 0xff;
        addr->bytes[11] = 0xff;
        return (int)bpf_skb_load_bytes_relative(md, 12, &addr->bytes[12], 4, BPF_HDR_START_NET);
    }
    if ((first >> 4) == 6)
        return (int)bpf_skb_load_bytes_relative(md, 8, addr->bytes, 16, BPF_HDR_START_NET);
    return -1;
}

/* 1: the datagram may go to a socket; 0: drop it (counted by reason). */
static __always_inline int guard_admits(struct sk_reuseport_md *md)
{
    __u32 zero = 0;
    struct guard_settings *g = bpf_map_lookup_elem(&guard_settings, &zero);
    if (!g || (!g->allow_enabled && !g->rate_enabled))
        return 1;
    struct guard_prefix key = {};
    if (guard_source(md, &key.addr)) {
        /* Fails closed: a guarded port never lets through what it cannot check. */
        guard_count(GUARD_UNREADABLE);
        return 0;
    }
    if (g->allow_enabled) {
        key.prefixlen = 128;
        if (!bpf_map_lookup_elem(&allow_list, &key)) {
            __u64 one = 1;
            __u64 *seen = bpf_map_lookup_elem(&refused_sources, &key.addr);
            if (seen)
                __sync_fetch_and_add(seen, 1);
            else
                bpf_map_update_elem(&refused_sources, &key.addr, &one, BPF_NOEXIST);
            guard_count(GUARD_NOT_ALLOWED);
            return 0;
        }
    }
    if (!g->rate_enabled)
        return 1;
    __u64 now = bpf_ktime_get_ns();
    __u64 interval = g->interval_ns;
    struct guard_bucket *b = bpf_map_lookup_elem(&exporter_buckets, &key.addr);
    if (!b) {
        struct guard_bucket fresh = { .tat_ns = now + interval, .passed = 1, .rate_limited = 0 };
        bpf_map_update_elem(&exporter_buckets, &key.addr, &fresh, BPF_ANY);
        return 1;
    }
    /* GCRA: a datagram is allowed when the source is no more than `tolerance` ahead of its rate.
     * Unlocked: two CPUs serving one source at once may both pass on the last token, so the limit is
     * exact per CPU and may let a few datagrams more through across CPUs (never fewer). */
    __u64 tat = b->tat_ns > now ? b->tat_ns : now;
    if (tat - now > g->tolerance_ns) {
        __sync_fetch_and_add(&b->rate_limited, 1);
        guard_count(GUARD_RATE_LIMITED);
        return 0;
    }
    b->tat_ns = tat + interval;
    __sync_fetch_and_add(&b->passed, 1);
    return 1;
}

#endif
