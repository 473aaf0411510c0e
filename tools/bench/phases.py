"""The phases of `make bench`, in the order they run, and what they share (class Bench).

Adding a phase: write `def NAME(bench)` below, decorate it with `@phase("NAME")` at the place in the
file where it should run (phases run in the order they are declared, whatever the order on the command
line), and store each result with `bench.record(RUN, protocol, entry)`. A phase that searches a zero-loss
rate of sluice under other settings calls `sluice_search(bench, RUN, protocol, ...)` (its `extra` are
`--set KEY=VALUE` for sluice, its `companion(port, seconds)` starts extra traffic beside every step,
e.g. a flood, and returns the process; more hooks in sluice_search's comment). docs/bench.md lists the
phases and the JSON they write.
"""
import json
import os
import subprocess
import time

import peers
from broker import Broker
from collector import ALLOCATED, METRICS, Sluice
from env import BIN, JAVA, JVM_FLAGS, OUT, load_average, log
from search import confirm, search, spread
from traffic import CAPTURES, FULL_SPEED, blast, free_port, sink_run

PHASES = {}  # name -> (function, needs the kernel limit)
# A plain `make bench` is the side-by-side table (kernel, decode, none, kafka, peers: ~30 min on 2 cores);
# `full` adds every phase the README and docs/bench.md quote (~55 min).
ALIASES = {"sluice": ("none", "kafka"),
           "full": ("decode", "none", "kafka", "packed", "steering", "guard", "peers", "handover")}
# Declared but left out of a plain `make bench` (time budget, issue 13: ~25 min): run them by name or `full`.
OPT_IN = {"steering", "guard"}  # and those of the modules that declare opt-in phases (variants.py, lifecycle.py)

# JMH benchmark (method, capture param) per protocol.
JMH_BENCHMARKS = {
    "ipfix": ("io.sluice.bench.NetflowDecodeBenchmark.ipfix", "pmacctd-ipfix.pcap"),
    "netflow_v9": ("io.sluice.bench.NetflowDecodeBenchmark.netflowV9", None),
    "netflow_v5": ("io.sluice.bench.NetflowDecodeBenchmark.netflowV5", None),
    "sflow": ("io.sluice.bench.SflowDecodeBenchmark.decode", "pmacctd-sflow.pcap"),
}
# pmacct was 1.5-3x below nfcapd on every NetFlow capture (docs/bench.md): nfacctd is searched only
# with --all-peer-protocols (and `full`: on the headline capture), to keep `make bench` within its time
# budget; nfcapd (every NetFlow protocol) and sfacctd (the sFlow peer) always.
PEER_PROTOCOLS = {"nfacctd": ()}
PEER_PROTOCOLS_FULL = {"nfacctd": ("ipfix",)}
WARM_UP_RATE, WARM_UP_SECONDS = 40_000, 5.0


def phase(name, needs_kernel=True):
    def register(fn):
        PHASES[name] = (fn, needs_kernel)
        return fn
    return register


def default_phases():
    return ",".join(n for n in PHASES if n not in OPT_IN)


def flows_per_record(settings):
    """kafka.flows-per-record from the --set list (1, goflow2's contract, when absent)."""
    for kv in settings:
        key, _, value = kv.partition("=")
        if key.strip() == "kafka.flows-per-record":
            return max(int(value), 1)
    return 1


def selected_phases(spec):
    """The phases named on the command line (aliases expanded) in declaration order, plus `kernel` when a
    phase needs the kernel limit as its search ceiling and ratio."""
    wanted = set()
    for name in spec.split(","):
        name = name.strip()
        if name in ALIASES:
            wanted.update(ALIASES[name])
        elif name in PHASES:
            wanted.add(name)
        elif name:
            raise SystemExit(f"bench: unknown phase {name!r} (known: {', '.join(list(PHASES) + list(ALIASES))})")
    if any(PHASES[n][1] for n in wanted):
        wanted.add("kernel")
    return [n for n in PHASES if n in wanted]


class Bench:
    """What the phases share: the settings, the build's classpath, the flow counts of the captures,
    the results so far (kernel limits, earlier runs as start points), one Kafka broker."""

    def __init__(self, args, cp, flows, results):
        self.args, self.cp, self.flows, self.results = args, cp, flows, results
        self.protocols = results["settings"]["protocols"]
        self._broker = None

    def kernel_limit(self, proto):
        return self.results.get("kernel", {}).get(proto, {}).get("datagrams_per_s")

    def ceiling(self, proto):
        """The top of a search: the kernel limit of this run (the sender cannot go faster), or --max-rate."""
        top = self.kernel_limit(proto) or FULL_SPEED
        return min(top, self.args.max_rate) if self.args.max_rate else top

    def zero_loss(self, run, proto):
        return self.results.get("runs", {}).get(run, {}).get(proto, {}).get("zero_loss_datagrams_per_s")

    def record(self, run, proto, entry):
        k, z = self.kernel_limit(proto), entry.get("zero_loss_datagrams_per_s")
        entry["ratio_to_kernel"] = None if not (k and z) else round(z / k, 3)
        self.results.setdefault("runs", {}).setdefault(run, {})[proto] = entry

    def broker(self):
        if self._broker is None:
            self._broker = Broker(self.cp)
            self._broker.start()
            self._broker.create_topics("bench-ready=1")
        return self._broker

    def close(self):
        if self._broker:
            self._broker.stop()
            self._broker = None


def find_zero_loss(bench, label, proto, probe, start=None, before_confirm=None):
    """The search of search.py with this run's durations: short probes, then the long confirmation.
    probe(rate, seconds) -> step dict with at least lost, sent_per_s, flows_per_s."""
    a = bench.args
    ceiling = bench.ceiling(proto)
    log(f"{label} {proto}: search up to {ceiling:,.0f}/s from {start or ceiling:,.0f}/s")
    found = search(lambda r: probe(r, a.probe_seconds), ceiling, start=start, tolerance=a.tolerance)
    checked = {"confirmed": False, "repeats": [], "attempts": [], "rate": None}
    if found["lo"] is not None:
        attempt = [None]

        def probe_long(rate):
            if before_confirm and rate != attempt[0]:  # each confirmation attempt starts its own memory peak
                before_confirm()
                attempt[0] = rate
            step = probe(rate, a.confirm_seconds)
            step["stage"] = "confirm"
            return step
        checked = confirm(probe_long, found["lo"], repeats=a.repeats)
    repeats = checked["repeats"]
    datagrams = spread([r["sent_per_s"] for r in repeats])
    flows = spread([r["flows_per_s"] for r in repeats])
    rejected = [t["rate"] for t in checked["attempts"] if t["repeats"] and t["repeats"][-1]["lost"]]
    lossy = [r for r in [found["hi"]] + rejected if r is not None]
    limited_by = found["limited_by"]
    if found["lo"] is not None and not checked["confirmed"]:
        limited_by = "unconfirmed"
    elif repeats and any(r["sent_per_s"] < 0.95 * checked["rate"] for r in repeats):
        limited_by = "sender"
    elif rejected:
        limited_by = "loss"  # the 20 s repeats lost where the short probes had passed
    entry = {"protocol": proto, "capture": CAPTURES[proto],
             "zero_loss_datagrams_per_s": None if datagrams["median"] is None else round(datagrams["median"]),
             "zero_loss_flows_per_s": None if flows["median"] is None else round(flows["median"]),
             "confirmed": checked["confirmed"], "limited_by": limited_by,
             "lowest_lossy_rate": min(lossy) if lossy else None,
             "spread": {"datagrams_per_s": datagrams, "flows_per_s": flows},
             "repeats": repeats,
             "search": {"ceiling": round(ceiling), "start": round(start or ceiling), "lo": found["lo"],
                        "hi": found["hi"], "probes": found["probes"],
                        "confirm_attempts": [{"rate": t["rate"], "lossy_repeat": t["repeats"][-1]}
                                             for t in checked["attempts"] if t["repeats"] and t["repeats"][-1]["lost"]]}}
    log(f"{label} {proto}: zero loss {entry['zero_loss_datagrams_per_s']} datagrams/s ({limited_by}), "
        f"{len(found['probes'])} probes, spread {datagrams['relative']}")
    return entry


# ------------------------------------------------------------------------------------- kernel

@phase("kernel", needs_kernel=False)
def kernel(bench):
    """The sender at full speed against the C sink: what the kernel delivers to one socket (and the
    sender's ceiling), `repeats` times for the median."""
    results = bench.results.setdefault("kernel", {})
    rate = min(FULL_SPEED, bench.args.max_rate) if bench.args.max_rate else FULL_SPEED
    seconds = max(bench.args.probe_seconds, 3.0)
    for proto in bench.protocols:
        repeats = []
        for _ in range(bench.args.repeats):
            sent, got = sink_run(rate, seconds, CAPTURES[proto])
            repeats.append({"sent": sent["sent"], "sent_per_s": sent["rate"], "received": got["received"],
                            "received_per_s": got["rate"], "socket_drops": got["socket_drops"],
                            "seconds": sent["seconds"], "load": load_average()})
        received = spread([r["received_per_s"] for r in repeats])
        results[proto] = {"capture": CAPTURES[proto], "datagrams_per_s": round(received["median"]),
                          "sender_datagrams_per_s": round(spread([r["sent_per_s"] for r in repeats])["median"]),
                          "spread": received, "repeats": repeats}
        log(f"kernel {proto}: received {received['median']:,.0f}/s (spread {received['relative']:.3f})")


# ------------------------------------------------------------------------------------- decode

@phase("decode", needs_kernel=False)
def decode(bench):
    """JMH, one fork, 3 warmup + 5 measured iterations of 1 s: short, but warm and repeated."""
    json_out = os.path.join(OUT, "jmh.json")
    selected = [JMH_BENCHMARKS[p] for p in bench.protocols]
    regex = "|".join(sorted({b.replace(".", "\\.") + "$" for b, _ in selected}))
    cmd = [JAVA] + JVM_FLAGS + ["-cp", bench.cp, "org.openjdk.jmh.Main", "-f", "1", "-wi", "3", "-w", "1", "-i", "5",
                                "-r", "1", "-prof", "gc", "-rf", "json", "-rff", json_out,
                                "-p", "capture=" + ",".join(sorted({c for _, c in selected if c}))]
    cmd.append(regex)
    log("decode: JMH " + regex)
    subprocess.run(cmd, check=True, stdout=open(os.path.join(OUT, "jmh.log"), "w"), stderr=subprocess.STDOUT)
    runs = json.load(open(json_out))
    results = bench.results.setdefault("decode", {})
    for proto in bench.protocols:
        name, capture = JMH_BENCHMARKS[proto]
        for r in runs:
            if r["benchmark"] == name and (capture is None or r.get("params", {}).get("capture") == capture):
                ns = r["primaryMetric"]["score"]
                alloc = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score")
                fpd = bench.flows.per_datagram(CAPTURES[proto])
                results[proto] = {"capture": CAPTURES[proto], "ns_per_datagram": ns,
                                  "ns_per_datagram_error": r["primaryMetric"]["scoreError"],
                                  "flows_per_datagram": fpd, "ns_per_flow": ns / fpd,
                                  "flows_per_s_per_core": 1e9 / ns * fpd, "datagrams_per_s_per_core": 1e9 / ns,
                                  "bytes_allocated_per_datagram": alloc, "load": load_average()}
                log(f"decode {proto}: {ns:.0f} ns/datagram, {1e9 / ns * fpd / 1e6:.2f} M flows/s per core")


# ------------------------------------------------------------------------------------- sluice

def sluice_search(bench, run, proto, output="none", steering="random", extra=(), start=None, companion=None,
                  metrics=(), judge=None, source=None, listener_keys="", also_arrived=()):
    """One sluice process for the whole search of one protocol; each step reads its counters as deltas
    after settling; the confirmation repeats also read its memory.
    A phase's own hooks: `extra` (sluice `--set KEY=VALUE`), `listener_keys` (YAML appended to the
    listener's flow mapping, e.g. ', allow: ["127.0.0.2/32"]'), `source` (the exporter's loopback address,
    udp-blast --from), `companion(port, seconds)` (extra traffic to sluice's port beside each step: returns
    the udp-blast process, started with stdout=PIPE and text=True, whose JSON line the step keeps as
    step["companion"] and whose datagrams it waits for), `metrics` (more counters to read), `also_arrived`
    (counters of datagrams that end neither received nor socket-dropped), and `judge(step, delta)` (called
    with each step and the counter deltas; may add fields or set step["lost"], e.g. when a flood makes the
    datagram counts no longer those of the exporter alone)."""
    capture = CAPTURES[proto]
    fpd = bench.flows.per_datagram(capture)
    extra = list(bench.args.set) + list(extra)
    per_record = flows_per_record(extra)
    broker = topic = None
    if output == "kafka":
        broker = bench.broker()
        topic = f"flows-{run}-{proto}".replace("_", "-")
        broker.create_topics(f"{topic}=4", f"{topic}-counters=1")
    s = Sluice(output, steering, bench.args.workers, broker, topic, extra, metrics, listener_keys)
    s.start()
    try:
        # Warm-up, not counted: the JIT compiles the hot path (Kafka's producer included), templates are known.
        warm = blast(s.port, min(WARM_UP_RATE, bench.ceiling(proto) / 2), WARM_UP_SECONDS, capture, source)
        sent_total = warm["sent"]
        before = s.settle(sent_total, also_arrived=also_arrived)
        before_scrapes = s.scrapes
        in_kafka = broker.count(topic) if topic else 0

        def probe(rate, seconds):
            nonlocal before, before_scrapes, in_kafka, sent_total
            cpu0, bcpu0, tcpu0 = s.cpu(), broker.cpu() if topic else 0.0, s.thread_cpu()
            side = companion(s.port, seconds) if companion else None
            sent = blast(s.port, rate, seconds, capture, source)
            side_out = json.loads(side.communicate()[0] or "{}") if side else None
            sent_total += sent["sent"] + (side_out or {}).get("sent", 0)
            after = s.settle(sent_total, also_arrived=also_arrived)
            after_scrapes = s.scrapes
            scrapes = after_scrapes - before_scrapes
            scrape_cost = s.scrape_cost()  # idle now: the step's own scrapes are taken out of its allocation
            kafka_now = broker.count(topic) if topic else 0
            d = {k: after[k] - before[k] for k in s.names if k.endswith("_total") and k != ALLOCATED}
            step = {"rate": rate, "sent": sent["sent"], "sent_per_s": sent["rate"], "seconds": sent["seconds"],
                    "flows_offered": bench.flows.in_first(capture, sent["sent"]),
                    "flows_offered_per_s": round(sent["rate"] * fpd),
                    "received": int(d["sluice_packets_received_total"]),
                    "socket_drops": int(d["sluice_socket_drops_total"]),
                    "flows_decoded": int(d["sluice_flows_decoded_total"]),
                    "flows_delivered": int(d["sluice_kafka_records_sent_total"]),
                    "flows_dropped": int(d["sluice_flows_dropped_total"]),
                    "decode_errors": int(d["sluice_decode_errors_total"]),
                    "records_in_kafka": (kafka_now - in_kafka) if topic else None,
                    # One flow per record: the topic's record count is its flow count, checked exactly.
                    "flows_in_kafka": (kafka_now - in_kafka) if topic and per_record == 1 else None,
                    "cpu_s_sluice": round(s.cpu() - cpu0, 2),
                    "cpu_s_broker": round(broker.cpu() - bcpu0, 2) if topic else None,
                    "cpu_s_sluice_threads": {g: round(c - tcpu0.get(g, 0.0), 2) for g, c in s.thread_cpu().items()},
                    "load": load_average()}
            if side_out is not None:
                step["companion"] = side_out
            step.update(s.memory())
            heap = None
            if after[ALLOCATED] is not None and before[ALLOCATED] is not None:
                heap = after[ALLOCATED] - before[ALLOCATED] - scrapes * (scrape_cost or 0.0)
            step["heap_bytes_allocated"] = None if heap is None else round(heap)
            step["scrapes"], step["scrape_heap_bytes"] = scrapes, None if scrape_cost is None else round(scrape_cost)
            step["heap_bytes_per_datagram"] = None if heap is None or not step["received"] else round(
                heap / step["received"], 1)
            step["received_per_s"] = step["received"] / sent["seconds"]
            step["flows_per_s"] = step["flows_decoded"] / sent["seconds"]
            step["lost"] = (step["received"] < step["sent"] or step["socket_drops"] > 0 or step["flows_dropped"] > 0
                            or step["decode_errors"] > 0
                            or step["flows_decoded"] < step["flows_offered"]
                            or (topic is not None and not in_topic(step, per_record)))
            if judge:
                judge(step, d)
            log(f"  {run} {proto} @{rate} {seconds:g}s: sent {sent['rate']:.0f}/s, received {step['received']}/{step['sent']}, "
                f"drops {step['socket_drops']}, flows {step['flows_decoded']}/{step['flows_offered']}, "
                f"{step['flows_dropped']} dropped, kafka {step['flows_in_kafka']}, cpu {step['cpu_s_sluice']}s, "
                f"heap {step['heap_bytes_per_datagram']} B/datagram, rss {(step['rss_bytes'] or 0) >> 20} MiB"
                f"{' LOSS' if step['lost'] else ''}")
            before, before_scrapes, in_kafka = after, after_scrapes, kafka_now
            return step

        peak_reset = []
        entry = find_zero_loss(bench, run, proto, probe, start=start,
                               before_confirm=lambda: peak_reset.append(s.reset_peak()))
    finally:
        s.stop()
    repeats = entry["repeats"]
    entry.update({"collector": "sluice", "output": output, "steering": steering, "workers": bench.args.workers,
                  "settings": extra, "flows_per_datagram": fpd,
                  "memory": {"rss_bytes": spread([r["rss_bytes"] for r in repeats])["median"],
                             "rss_peak_bytes": max((r["rss_peak_bytes"] or 0 for r in repeats), default=None)
                             if peak_reset and peak_reset[0] else None,
                             "heap_bytes_per_datagram": spread([r["heap_bytes_per_datagram"] for r in repeats])["median"],
                             "scrape_heap_bytes": spread([r["scrape_heap_bytes"] for r in repeats])["median"]}})
    bench.record(run, proto, entry)
    return entry


def in_topic(step, per_record):
    """Every decoded flow reached the topic. With one flow per record the topic's record count says so
    exactly. With several, counting flows would mean reading the topic back (gigabytes per 20 s step):
    sluice's acknowledged flows must equal those decoded, and the records in the topic must be as many as
    those flows packed by at most `per_record` can make."""
    if per_record == 1:
        return step["flows_in_kafka"] == step["flows_decoded"]
    records, flows = step["records_in_kafka"], step["flows_decoded"]
    return step["flows_delivered"] == flows and -(-flows // per_record) <= records <= flows


@phase("none")
def none(bench):
    """sluice `--output none`: decode, protobuf encoding, batching, no Kafka."""
    for proto in bench.protocols:
        sluice_search(bench, "sluice-none", proto, output="none")


@phase("kafka")
def kafka(bench):
    """sluice into the broker; the search starts at `--output none`'s figure when this run has it."""
    for proto in bench.protocols:
        sluice_search(bench, "sluice-kafka", proto, output="kafka", start=bench.zero_loss("sluice-none", proto))


@phase("steering")
def steering(bench):
    """The headline capture into Kafka with steering `hash` (one exporter = one socket = one worker)."""
    proto = bench.protocols[0]
    sluice_search(bench, "sluice-kafka-hash", proto, output="kafka", steering="hash",
                  start=bench.zero_loss("sluice-kafka", proto))


@phase("guard")
def guard(bench):
    """One allowed exporter (127.0.0.2, `--output none`) while a spoofed flood of 64-byte junk from
    127.0.0.3 runs at the sender's full speed beside every step: without a guard, then with
    `allow: [127.0.0.2/32]` (docs/security.md), where the kernel drops the flood before any socket."""
    proto = bench.protocols[0]

    def flood(port, seconds):  # from just before the step to just after it
        p = subprocess.Popen([os.path.join(BIN, "udp-blast"), "--to", f"127.0.0.1:{port}", "--from", "127.0.0.3",
                              "--junk", "64", "--rate", str(FULL_SPEED), "--seconds", str(seconds + 0.5)],
                             stdout=subprocess.PIPE, text=True)
        time.sleep(0.2)
        return p

    def judge(step, delta):  # the flood decodes as nothing: loss = fewer of the exporter's flows decoded
        step["lost"] = step["flows_decoded"] < step["flows_offered"] or step["flows_dropped"] > 0

    for on in (False, True):
        sluice_search(bench, f"sluice-none-guard-{'on' if on else 'off'}", proto, source="127.0.0.2",
                      listener_keys=', allow: ["127.0.0.2/32"]' if on else "", companion=flood, judge=judge,
                      metrics=("sluice_kernel_dropped_total",), also_arrived=("sluice_kernel_dropped_total",))


# ------------------------------------------------------------------------------------- peers

@phase("peers")
def peer_phase(bench):
    """nfcapd (nfdump) and nfacctd/sfacctd (pmacct), searched like sluice; a fresh peer per step."""
    peers.install()
    for cls in peers.installed():
        for proto in bench.protocols:
            if not any(proto.startswith(p) for p in cls.protocols):
                continue
            chosen = PEER_PROTOCOLS_FULL if "full" in bench.args.phases.split(",") else PEER_PROTOCOLS
            if not bench.args.all_peer_protocols and proto not in chosen.get(cls.name, (proto,)):
                continue
            capture = CAPTURES[proto]

            def probe(rate, seconds, cls=cls, capture=capture, proto=proto):
                peer = cls(free_port())
                peer.start()
                try:
                    sent = blast(peer.port, rate, seconds, capture)
                    flows = peer.stop_and_count()
                    offered = bench.flows.in_first(capture, sent["sent"])
                    step = {"rate": rate, "sent": sent["sent"], "sent_per_s": sent["rate"], "seconds": sent["seconds"],
                            "flows_offered": offered, "flows_out": flows, "flows_per_s": flows / sent["seconds"],
                            "lost": flows < peers.PASS_SHARE * offered, "cpu_s": round(peer.cpu_seconds(), 2),
                            "load": load_average()}
                    log(f"  {cls.name} {proto} @{rate} {seconds:g}s: sent {sent['rate']:.0f}/s, {flows}/{offered} flows"
                        f"{' LOSS' if step['lost'] else ''}")
                    return step
                finally:
                    peer.cleanup()

            entry = find_zero_loss(bench, cls.name, proto, probe)
            entry.update({"collector": cls.name, "pass_share": peers.PASS_SHARE})
            bench.record(cls.name, proto, entry)
