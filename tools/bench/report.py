"""results.json -> results.md: the tables docs/bench.md and the README quote."""


def fmt_rate(x):
    if x is None:
        return "-"
    return f"{x / 1e6:.2f} M" if x >= 1e6 else f"{x / 1e3:.0f}k"


def fmt_int(x):
    return "-" if x is None else f"{x:,.0f}"


def fmt_spread(s):
    return "-" if not s or s.get("relative") is None else f"{100 * s['relative']:.1f}%"


def fmt_mib(x):
    return "-" if not x else f"{x / 2**20:.0f}"


def cell(entry):
    """One side-by-side cell: datagrams/s (× kernel limit)."""
    if entry is None:
        return "n/a"
    z = entry.get("zero_loss_datagrams_per_s")
    if z is None:
        return f"none ({entry.get('limited_by')})"
    ratio = entry.get("ratio_to_kernel")
    return f"{z:,.0f} ({'-' if ratio is None else format(ratio, '.2f')}×)"


def report(results):
    s = results["settings"]
    protocols = s["protocols"]
    md = [f"# sluice bench, {results['started']} ({results.get('duration_s', 0) / 60:.1f} min)", "",
          f"Machine: {results['machine']['cores']} cores, kernel {results['machine']['kernel']}, "
          f"load average at start {results['load_start']:.2f}, at end {results.get('load_end', 0):.2f}. "
          "Rates are datagrams/s unless flows/s is said; one exporter (one source socket), loopback. "
          f"Search: probes of {s['probe_seconds']:g} s, bisection to {100 * s['tolerance']:g}%, "
          f"the zero-loss rate confirmed {s['repeats']}× {s['confirm_seconds']:g} s (median, spread = (max-min)/median).",
          ""]
    k = results.get("kernel")
    if k:
        md += ["## Kernel delivery limit (udp-sink, one socket, recvmmsg) and the sender's ceiling", "",
               "| protocol | capture | sender (datagrams/s) | received by udp-sink (datagrams/s) | spread | socket drops |",
               "|---|---|---|---|---|---|"]
        for p, r in k.items():
            drops = sum(x["socket_drops"] for x in r["repeats"])
            md.append(f"| {p} | {r['capture']} | {r['sender_datagrams_per_s']:,.0f} | {r['datagrams_per_s']:,.0f} | "
                      f"{fmt_spread(r['spread'])} | {drops} |")
        md.append("")
    d = results.get("decode")
    if d:
        md += ["## Decode alone (JMH, 1 fork, 3×1 s warmup, 5×1 s measured, one thread)", "",
               "| protocol | capture | ns/datagram | flows/datagram | ns/flow | flows/s per core | bytes allocated/datagram |",
               "|---|---|---|---|---|---|---|"]
        for p, r in d.items():
            alloc = r["bytes_allocated_per_datagram"]
            md.append(f"| {p} | {r['capture']} | {r['ns_per_datagram']:,.0f} ± {r['ns_per_datagram_error']:,.0f} | "
                      f"{r['flows_per_datagram']:.2f} | {r['ns_per_flow']:.0f} | {fmt_rate(r['flows_per_s_per_core'])} | "
                      f"{'-' if alloc is None else format(alloc, '.2f')} |")
        md.append("")
    runs = results.get("runs", {})
    if runs:
        md += ["## Zero-loss rates, searched and confirmed", "",
               "Zero loss for sluice: every datagram sent received (no socket drop), every flow decoded, none dropped, "
               "and (Kafka) every decoded flow in the topic. For a peer: at least "
               "99% of the offered flows in its own output (it starts cold per step).", "",
               "| run | protocol | zero-loss datagrams/s | flows/s | × kernel | spread | limited by | lowest lossy rate asked | "
               "probes | sluice RSS MiB (peak) | heap B/datagram |",
               "|---|---|---|---|---|---|---|---|---|---|---|"]
        for run, by in runs.items():
            for p, e in by.items():
                mem = e.get("memory") or {}
                heap = mem.get("heap_bytes_per_datagram")
                md.append(f"| {run} | {p} | {fmt_int(e['zero_loss_datagrams_per_s'])} | {fmt_int(e['zero_loss_flows_per_s'])} | "
                          f"{'-' if e['ratio_to_kernel'] is None else format(e['ratio_to_kernel'], '.2f')} | "
                          f"{fmt_spread(e['spread']['datagrams_per_s'])} | {e['limited_by']} | {fmt_int(e.get('lowest_lossy_rate'))} | "
                          f"{len(e['search']['probes'])} + {sum(1 for _ in e['repeats'])} | "
                          f"{fmt_mib(mem.get('rss_bytes'))} ({fmt_mib(mem.get('rss_peak_bytes'))}) | "
                          f"{'-' if heap is None else format(heap, ',.1f')} |")
        md.append("")
        md += ["## Side by side: zero-loss datagrams/s (× the kernel limit of this run)", "",
               "| collector | " + " | ".join(protocols) + " |", "|---|" + "---|" * len(protocols)]
        if k:
            md.append("| kernel limit | " + " | ".join(fmt_int(k.get(p, {}).get("datagrams_per_s")) for p in protocols) + " |")
        for run, by in runs.items():
            md.append(f"| {run} | " + " | ".join(cell(by.get(p)) for p in protocols) + " |")
        md.append("")
        md += ["### Every step", "",
               "| run | protocol | stage | asked/s | sent datagrams/s | s | flows offered | flows out | socket drops | "
               "flows dropped | CPU s | load | loss |",
               "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for run, by in runs.items():
            for p, e in by.items():
                steps = [(x.get("stage", "?"), x) for x in e["search"]["probes"]]
                steps += [("rejected", a["lossy_repeat"]) for a in e["search"]["confirm_attempts"]]
                steps += [("confirm", x) for x in e["repeats"]]
                for stage, x in steps:
                    out = x.get("flows_decoded", x.get("flows_out"))
                    md.append(f"| {run} | {p} | {stage} | {x['rate']:,} | {x['sent_per_s']:,.0f} | {x['seconds']:.1f} | "
                              f"{x['flows_offered']:,} | {out:,} | {fmt_int(x.get('socket_drops'))} | "
                              f"{fmt_int(x.get('flows_dropped'))} | {x.get('cpu_s_sluice', x.get('cpu_s'))} | "
                              f"{x['load']:.1f} | {'yes' if x['lost'] else 'no'} |")
        md.append("")
    md += lifecycle(results.get("lifecycle", {}))
    md += producer(results.get("producer"))
    return "\n".join(md)


def producer(found):
    """The producer phase (KafkaSendAB, variants.py), when it ran."""
    if not found:
        return []
    md = [f"## Producer path alone ({found['rounds']} interleaved rounds of {found['seconds_per_round']} s)", "",
          "| variant | flows/s median | range | worker CPU ns/flow median | range |", "|---|---|---|---|---|"]
    for v in found["variants"]:
        md.append(f"| {v['name']} | {v['flows_per_s_median']:,.0f} | {v['flows_per_s_min']:,.0f}-{v['flows_per_s_max']:,.0f} | "
                  f"{v['worker_cpu_ns_per_flow_median']:.0f} | {v['worker_cpu_ns_per_flow_min']:.0f}-"
                  f"{v['worker_cpu_ns_per_flow_max']:.0f} |")
    return md + [""]


def lifecycle(found):
    """The handover and soak phases (lifecycle.py), when they ran."""
    md = []
    h = found.get("handover")
    if h:
        md += [f"## Handover at {h['rate_datagrams_per_s']:,} datagrams/s ({h['protocol']}, {h['rate_source']})", "",
               "| successor | repeat | flows sent | in Kafka | lost | duplicated ≥ | switch ms | A socket drops | A drained (ms) | "
               "B socket drops | unaccounted datagrams | load |",
               "|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for name, v in h["variants"].items():
            for i, r in enumerate(v["repeats"], 1):
                a = r.get("accounted") or {}
                md.append(f"| {name} | {i} | {r['flows_sent']:,} | {r['flows_in_kafka']:,} | {r['flows_lost']:,} | "
                          f"{r['flows_duplicated_at_least']:,} | {r['switch_ms']:,} | {fmt_int(a.get('a_socket_drops'))} | "
                          f"{fmt_int(r['a_drained'])} ({fmt_int(r['a_drain_ms'])}) | {fmt_int(a.get('b_socket_drops'))} | "
                          f"{fmt_int(a.get('datagrams_unaccounted'))} | {r['load']:.1f} |")
        md.append("")
    s = found.get("soak")
    if s:
        md += [f"## Soak: {s['seconds']:g} s ({s['protocol']})", ""]
        for t in s.get("tries", [s]):
            md += [f"- {t['rate_datagrams_per_s']:,} datagrams/s ({t['rate_source']}): {t['flows_in_kafka']:,} of "
                   f"{t['flows_sent']:,} flows in Kafka, socket drops {t['socket_drops']:,}, "
                   f"flows dropped {t['flows_dropped']:,}; RSS {fmt_mib(t['rss_first_minute_bytes'])} (first minute) -> "
                   f"{fmt_mib(t['rss_last_minute_bytes'])} (last), growth {t['rss_growth']}: "
                   f"{'zero loss' if t['zero_loss'] else 'LOSS'}, {'flat' if t['rss_flat'] else 'NOT flat'}."]
        md.append("")
    hs = found.get("handover_search")
    if hs:
        md += [f"## Handover search ({hs['protocol']}): zero loss at {fmt_int(hs['zero_loss_datagrams_per_s'])} datagrams/s, "
               f"ceiling {hs['ceiling_datagrams_per_s']:,} ({hs['ceiling_source']})", "",
               "| stage | rate | flows sent | in Kafka | lost | duplicated ≥ | switch ms | A socket drops | B socket drops | load |",
               "|---|---|---|---|---|---|---|---|---|---|"]
        for r in hs["probes"]:
            md.append(f"| {r['stage']} | {r['rate']:,} | {r['flows_sent']:,} | {r['flows_in_kafka']:,} | {r['flows_lost']:,} | "
                      f"{r['flows_duplicated_at_least']:,} | {r['switch_ms']:,} | {fmt_int(r.get('a_socket_drops'))} | "
                      f"{r['b_takeover_socket_drops']:,} | {r['load']:.1f} |")
        md.append("")
    return md
