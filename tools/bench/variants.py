"""Opt-in variants of the `kafka` phase: the same search into Kafka with one setting changed, each named on
the command line (`make bench PHASES=kafka,acks`), left out of a plain `make bench` for its time budget.
Each starts its search at the kafka figure of the same run, so the two compare on one machine state."""
import json
import os
import subprocess

from env import JAVA, JVM_FLAGS, OUT, ROOT, log
from phases import OPT_IN, phase, sluice_search

OPT_IN.update({"packed", "acks", "share", "producer"})


@phase("packed")
def packed(bench):
    """Into Kafka with 32 length-delimited flows per record (`kafka.flows-per-record`); opt-in."""
    for proto in bench.protocols:
        sluice_search(bench, "sluice-kafka-packed", proto, output="kafka", extra=["kafka.flows-per-record=32"],
                      start=bench.zero_loss("sluice-none", proto))


@phase("acks")
def acks(bench):
    """The first protocol into Kafka with acks=1 and no idempotence, the producer's lighter delivery that
    was sluice's default until acks=all + idempotence (no duplicate on a retry, issue 14): what the stronger
    default costs; opt-in."""
    proto = bench.protocols[0]
    sluice_search(bench, "sluice-kafka-acks-1", proto, output="kafka",
                  extra=["kafka.producer.acks=1", "kafka.producer.enable.idempotence=false"],
                  start=bench.zero_loss("sluice-kafka", proto))


@phase("share")
def share(bench):
    """The first protocol into Kafka with templates.share on (docs/scaling.md): what one node of a fleet
    sustains while it publishes and consumes the shared template topic; opt-in."""
    proto = bench.protocols[0]
    sluice_search(bench, "sluice-kafka-share", proto, output="kafka",
                  extra=["templates.share.enabled=true", f"templates.share.topic=sluice-templates-{proto}",
                         "templates.share.create-topic=true"], start=bench.zero_loss("sluice-kafka", proto))


@phase("producer", needs_kernel=False)
def producer(bench):
    """The producer path alone (io.sluice.bench.KafkaSendAB): one worker's 64-flow batches into a real
    broker in one JVM, the producer variants interleaved round after round, so the old and the new setting
    compare on one machine state (issue 13: one change at a time); opt-in, ~4 min."""
    json_out = os.path.join(OUT, "kafka-send-ab.json")
    variants = os.environ.get("SLUICE_PRODUCER_VARIANTS", "defaults,batch-1MiB-linger-20ms,compression-none,"
                                                          "acks-1-no-idempotence,flows-per-record-32")
    cmd = [JAVA] + JVM_FLAGS + ["-cp", bench.cp, "io.sluice.bench.KafkaSendAB", "8", "5", json_out, variants]
    log(f"producer: KafkaSendAB, {variants} x (1 warm-up + 5) rounds of 8 s")
    subprocess.run(cmd, check=True, stdout=open(os.path.join(OUT, "kafka-send-ab.log"), "w"), stderr=subprocess.STDOUT,
                   cwd=os.path.join(ROOT, "collector"))  # the test broker finds tools/kafka-broker from there
    result = json.load(open(json_out))
    bench.results["producer"] = result
    for v in result["variants"]:
        log(f"producer {v['name']}: {v['flows_per_s_median']:,.0f} flows/s "
            f"({v['flows_per_s_min']:,.0f}-{v['flows_per_s_max']:,.0f}), "
            f"{v['worker_cpu_ns_per_flow_median']:.0f} ns worker CPU per flow")
