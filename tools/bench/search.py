"""The zero-loss search of `make bench`: the same for sluice and for every peer.

A probe runs the collector at one offered rate for a few seconds and says whether anything was lost.
The search finds the highest rate without loss in three stages:

1. coarse ladder: from a start rate, ×2 up while probes pass (to the ceiling, the kernel limit measured
   in the same run: the sender cannot go faster), ÷2 down while they lose (to a floor); this brackets
   the limit between a passing rate `lo` and a losing rate `hi`;
2. bisection (geometric midpoint) until (hi - lo) ≤ tolerance × hi (5%);
3. confirmation: `lo` again `repeats` times, each for the long duration (20 s), because short probes
   overstate (a socket buffer and a JIT hide a deficit for seconds). A lossy repeat stops that rate and
   the confirmation starts over at `backoff` × the rate that repeat absorbed, a bounded number of times.

Pure functions of the probes, so the self-test (test_search.py, `make test`) drives them with synthetic
loss functions in milliseconds.
"""
import math
import statistics

# A passing probe whose sender reached less than this share of the asked rate is at the sender's ceiling.
SENDER_SHORTFALL = 0.95


def search(probe, ceiling, start=None, floor=None, tolerance=0.05, factor=2.0):
    """probe(rate) -> dict with "lost" (bool) and "sent_per_s"; rates are asked datagrams/s.

    Returns {"probes": [...], "lo": highest passing asked rate or None, "hi": lowest losing asked rate or
    None, "limited_by": "loss" | "ceiling" | "sender" | "floor"}:
    "ceiling"/"sender" = no loss up to the top the sender reached (the limit is at least lo);
    "floor" = even the floor lost (no zero-loss rate).
    """
    ceiling = float(ceiling)
    floor = float(floor if floor is not None else max(ceiling / 64, 1.0))
    rate = min(float(start or ceiling), ceiling)
    probes, lo, hi, limited_by = [], None, None, None

    def run(r):
        step = probe(int(round(r)))
        step["stage"] = "coarse" if limited_by is None and (lo is None or hi is None) else "bisect"
        probes.append(step)
        return step

    while True:
        step = run(rate)
        if step["lost"]:
            hi = rate
            if lo is not None:
                break
            if rate <= floor:
                limited_by = "floor"
                break
            rate = max(rate / factor, floor)
        else:
            lo = rate
            if step["sent_per_s"] < SENDER_SHORTFALL * rate:
                limited_by = "sender"
                break
            if hi is not None:
                break
            if rate >= ceiling:
                limited_by = "ceiling"
                break
            rate = min(rate * factor, ceiling)
    if limited_by is None:
        limited_by = "loss"
        while hi - lo > tolerance * hi:
            mid = math.sqrt(lo * hi)
            if run(mid)["lost"]:
                hi = mid
            else:
                lo = mid
    return {"probes": probes, "lo": None if lo is None else int(round(lo)),
            "hi": None if hi is None else int(round(hi)), "limited_by": limited_by}


def absorbed_rate(step):
    """The rate a lossy step's collector kept up with: the sender's achieved rate times the smallest share
    that came through (datagrams received of sent, flows decoded or output of offered, flows in Kafka of
    offered), whichever of those the step has."""
    shares = []
    for part, whole in (("received", "sent"), ("flows_decoded", "flows_offered"), ("flows_out", "flows_offered"),
                        ("flows_in_kafka", "flows_offered")):
        if step.get(part) is not None and step.get(whole):
            shares.append(min(step[part] / step[whole], 1.0))
    return step["sent_per_s"] * (min(shares) if shares else 1.0)


def confirm(probe_long, rate, repeats=3, backoff=0.9, retries=3):
    """Runs probe_long(rate) `repeats` times; on a loss, starts over at backoff × the lower of the rate and
    what the lossy repeat absorbed (absorbed_rate: a sender starved below the asked rate, or a collector
    that kept up with 80 % of it, says where to go next better than the asked rate), ≤ retries times.

    Returns {"rate": the confirmed asked rate or None, "repeats": the passing repeats of that rate,
    "attempts": every attempt [{"rate", "repeats"}], "confirmed": bool}.
    """
    attempts = []
    for _ in range(retries + 1):
        done = []
        for _ in range(repeats):
            step = probe_long(int(round(rate)))
            done.append(step)
            if step["lost"]:
                break
        attempts.append({"rate": int(round(rate)), "repeats": done})
        if not any(s["lost"] for s in done):
            return {"rate": int(round(rate)), "repeats": done, "attempts": attempts, "confirmed": True}
        rate = backoff * min(rate, absorbed_rate(done[-1]))
    return {"rate": None, "repeats": [], "attempts": attempts, "confirmed": False}


def spread(values):
    """Median, min, max and (max - min) / median of the repeats' figures (None when there are none)."""
    values = [v for v in values if v is not None]
    if not values:
        return {"median": None, "min": None, "max": None, "relative": None}
    med = statistics.median(values)
    return {"median": med, "min": min(values), "max": max(values),
            "relative": (max(values) - min(values)) / med if med else None}
