#!/usr/bin/env python3
"""make bench: how many flows per second sluice takes from ONE busy exporter without losing any, found by
search (coarse ladder, bisection to 5%, the result confirmed 3× 20 s) for sluice and for every peer, each
figure also as a ratio to the kernel limit measured in the same run.

Phases (phases.py; in this order, written to target/bench/results.json and results.md):
  kernel    the kernel's delivery limit: a minimal C receiver (recvmmsg) draining one socket while
            udp-blast sends at full speed (also the sender's own ceiling); every search's ceiling
  decode    sluice's decoders alone (JMH): ns per datagram, flows/s per core, per protocol
  none      sluice end to end, `--output none`
  kafka     sluice into a real Kafka broker started by the bench (flows counted in the topic)
  packed    (opt-in, by name) into Kafka with kafka.flows-per-record 32
  acks      (opt-in, by name) the first protocol into Kafka with acks=all + idempotence
  share     (opt-in, by name) the first protocol into Kafka with templates.share on
  steering  into Kafka with steering `hash` instead of `random`, on the first protocol
  peers     nfcapd (nfdump) and nfacctd/sfacctd (pmacct) from Debian's packages, on the same datagrams
  handover  (lifecycle.py) a second sluice takes the port over from a running one at the kafka phase's
            zero-loss rate, with and without its warm-up, 3 times each: flows sent = in Kafka
  soak      (opt-in, `make soak`) 5 minutes into Kafka at that rate: zero loss, RSS sampled, flat
  (`sluice` = none + kafka; a phase that needs the kernel limit brings `kernel` along)

Usage: bin/bench [--phases kernel,decode,...] [--protocols ipfix,netflow_v9,...] [--max-rate N]
                 [--probe-seconds S] [--confirm-seconds S] [--repeats N] [--workers N] [--set KEY=VALUE]...
                 [--quick] [--no-build] [--self-test]
docs/bench.md explains the method and the JSON schema.
Environment: SLUICE_SHARED (default ../shared), SLUICE_BENCH_JAVA_OPTS (extra JVM flags for sluice).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

from env import HERE, OUT, build, load_average, log
from phases import PHASES, Bench, default_phases, selected_phases
import variants  # noqa: F401 (registers the opt-in packed, acks and share phases)
import lifecycle  # noqa: F401 (registers the handover and soak phases)
from report import report
from traffic import CAPTURES, FlowCounts, build_native

SCHEMA_VERSION = 2
SEARCH_DEFAULTS = {"probe_seconds": 3.0, "confirm_seconds": 20.0, "repeats": 3, "tolerance": 0.05}
QUICK = {"probe_seconds": 2.0, "confirm_seconds": 4.0, "repeats": 1, "tolerance": 0.2}


def parse_args(argv):
    ap = argparse.ArgumentParser(prog="bin/bench", description=__doc__.split("\n")[0])
    ap.add_argument("--phases", default=default_phases())
    ap.add_argument("--protocols", default=",".join(CAPTURES))
    ap.add_argument("--probe-seconds", type=float, help="each search step (default 3)")
    ap.add_argument("--confirm-seconds", type=float, help="each confirmation repeat (default 20)")
    ap.add_argument("--repeats", type=int, help="confirmation repeats (default 3)")
    ap.add_argument("--tolerance", type=float, help="bisection stops at (hi-lo)/hi <= this (default 0.05)")
    ap.add_argument("--max-rate", type=int, default=None, help="cap on every rate, datagrams/s (smoke runs)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--all-peer-protocols", action="store_true",
                    help="search nfacctd on every NetFlow/IPFIX capture, not only the headline one")
    ap.add_argument("--quick", action="store_true",
                    help="a smoke run: 2 s probes, 20%% tolerance, one 4 s confirmation")
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--self-test", action="store_true", help="the bench's own unit tests (search, phases), then exit")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="passed to every `sluice run` (e.g. kafka.producer.linger.ms=5); repeatable")
    args = ap.parse_args(argv)
    # Options given explicitly win over --quick's.
    for name, value in (QUICK if args.quick else SEARCH_DEFAULTS).items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    unknown = [p for p in args.protocols.split(",") if p not in CAPTURES]
    if unknown:
        ap.error(f"unknown protocol(s) {unknown} (known: {', '.join(CAPTURES)})")
    return args


def write(results):
    with open(os.path.join(OUT, "results.json"), "w") as f:
        json.dump(results, f, indent=1)


def main(argv):
    args = parse_args(argv)
    if args.self_test:
        return subprocess.run([sys.executable, "-m", "unittest", "discover", "-q", "-s", HERE, "-p", "test_*.py"],
                              cwd=HERE).returncode
    phases = selected_phases(args.phases)
    protocols = args.protocols.split(",")
    os.makedirs(OUT, exist_ok=True)
    for old in os.listdir(OUT):  # the previous run's sluice configs/logs and broker data
        if old.startswith(("sluice-", "kafka-")):
            shutil.rmtree(os.path.join(OUT, old), ignore_errors=True)
    t0 = time.time()
    results = {"schema_version": SCHEMA_VERSION,
               "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
               "machine": {"cores": os.cpu_count(), "kernel": os.uname().release},
               "load_start": load_average(),
               "settings": {"phases": phases, "protocols": protocols, "probe_seconds": args.probe_seconds,
                            "confirm_seconds": args.confirm_seconds, "repeats": args.repeats,
                            "tolerance": args.tolerance, "max_rate": args.max_rate, "workers": args.workers,
                            "set": args.set},
               "phase_seconds": {}, "kernel": {}, "decode": {}, "runs": {}}
    cp = build(args.no_build)
    build_native()
    bench = Bench(args, cp, FlowCounts(cp), results)
    try:
        for name in phases:
            t = time.time()
            log(f"bench: phase {name}")
            PHASES[name][0](bench)
            results["phase_seconds"][name] = round(time.time() - t, 1)
            write(results)  # a phase that fails later leaves the earlier ones on disk
    finally:
        bench.close()
    results["load_end"] = load_average()
    results["duration_s"] = round(time.time() - t0, 1)
    write(results)
    md = report(results)
    with open(os.path.join(OUT, "results.md"), "w") as f:
        f.write(md + "\n")
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
