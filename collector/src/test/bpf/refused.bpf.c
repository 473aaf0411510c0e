/* A test object the kernel verifier must refuse, so the fallback path is tested against a real
 * refusal (no mock): same names as the real object, but reuseport_random dereferences a map lookup
 * result without the NULL check the verifier insists on. */
#include "sluice_bpf.h"

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
    __u32 zero = 0;
    __u32 *counter = bpf_map_lookup_elem(&rr_counter, &zero);
    __u32 index = *counter % num_sockets; /* no NULL check: "invalid mem access 'map_value_or_null'" */
    bpf_sk_select_reuseport(reuse_md, &socket_map, &index, 0);
    return SK_PASS;
}

char _license[] SEC("license") = "GPL";
