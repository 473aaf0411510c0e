/* A test object the kernel verifier must refuse, so the fallback path is tested against a real
 * refusal (no mock): same names as the real object, but reuseport_random reads far beyond the end
 * of its context (struct sk_reuseport_md is a few dozen bytes): "invalid bpf_context access".
 * It carries the guard's maps (sluice_guard.h) like the real object, so that a refusal with a guard
 * configured is the verifier's too.
 * (An unchecked map lookup would not do: kernels >= 6.13 prove a constant-key array lookup non-NULL.) */
#include "sluice_bpf.h"
#include "sluice_guard.h"

volatile const __u32 num_sockets;

struct {
    __uint(type, BPF_MAP_TYPE_REUSEPORT_SOCKARRAY);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 256);
} socket_map SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __type(key, __u32);
    __type(value, __u32);
    __uint(max_entries, 1);
} rr_counter SEC(".maps");

SEC("sk_reuseport")
int reuseport_random(struct sk_reuseport_md *reuse_md)
{
    __u32 beyond = *(volatile __u32 *)((char *)reuse_md + 4096);
    __u32 index = beyond % num_sockets;
    bpf_sk_select_reuseport(reuse_md, &socket_map, &index, 0);
    return SK_PASS;
}

char _license[] SEC("license") = "GPL";
