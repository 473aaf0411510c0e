/* The few definitions sluice_reuseport.bpf.c needs, cherry-picked from the kernel UAPI
 * (include/uapi/linux/bpf.h) and libbpf's bpf_helpers.h, so the program compiles with
 * `clang -target bpf` alone: no kernel headers, no vmlinux.h, no libbpf-dev. */
#ifndef SLUICE_BPF_H
#define SLUICE_BPF_H

typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;

/* enum bpf_map_type (UAPI values, stable ABI) */
#define BPF_MAP_TYPE_ARRAY 2
#define BPF_MAP_TYPE_PERCPU_ARRAY 6
#define BPF_MAP_TYPE_LRU_HASH 9
#define BPF_MAP_TYPE_LPM_TRIE 11
#define BPF_MAP_TYPE_REUSEPORT_SOCKARRAY 20

/* map_flags: an LPM trie must be created without preallocation */
#define BPF_F_NO_PREALLOC 1
/* bpf_map_update_elem flags */
#define BPF_ANY 0
#define BPF_NOEXIST 1

/* bpf_skb_load_bytes_relative start_header */
#define BPF_HDR_START_NET 1

/* enum sk_action */
#define SK_DROP 0
#define SK_PASS 1

/* The context of an sk_reuseport program. Only read through its pointer here, so the fields are
 * not needed: the kernel rewrites accesses by offset, and we make none. */
struct sk_reuseport_md;

/* BTF-defined map helpers, as libbpf's bpf_helpers.h spells them. */
#define SEC(name) __attribute__((section(name), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
#define __always_inline inline __attribute__((always_inline))

/* Helper functions by their stable UAPI ids (enum bpf_func_id). */
static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*bpf_map_update_elem)(void *map, const void *key, const void *value, __u64 flags) = (void *)2;
static __u64 (*bpf_ktime_get_ns)(void) = (void *)5;
static long (*bpf_skb_load_bytes_relative)(const void *ctx, __u32 offset, void *to, __u32 len,
                                           __u32 start_header) = (void *)68;
static __u32 (*bpf_get_prandom_u32)(void) = (void *)7;
static long (*bpf_sk_select_reuseport)(struct sk_reuseport_md *reuse, void *map, void *key,
                                       __u64 flags) = (void *)82;

#endif
