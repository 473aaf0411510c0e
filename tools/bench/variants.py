"""Opt-in variants of the `kafka` phase: the same search into Kafka with one setting changed, each named on
the command line (`make bench PHASES=kafka,acks`), left out of a plain `make bench` for its time budget.
Each starts its search at the kafka figure of the same run, so the two compare on one machine state."""
from phases import OPT_IN, phase, sluice_search

OPT_IN.update({"packed", "acks", "share"})


@phase("packed")
def packed(bench):
    """Into Kafka with 32 length-delimited flows per record (`kafka.flows-per-record`); opt-in."""
    for proto in bench.protocols:
        sluice_search(bench, "sluice-kafka-packed", proto, output="kafka", extra=["kafka.flows-per-record=32"],
                      start=bench.zero_loss("sluice-none", proto))


@phase("acks")
def acks(bench):
    """The first protocol into Kafka with acks=all and idempotence (no duplicate on a retry) instead of the
    default acks=1: the price of the stronger delivery (issue 14); opt-in."""
    proto = bench.protocols[0]
    sluice_search(bench, "sluice-kafka-acks-all", proto, output="kafka",
                  extra=["kafka.producer.acks=all", "kafka.producer.enable.idempotence=true"],
                  start=bench.zero_loss("sluice-kafka", proto))


@phase("share")
def share(bench):
    """The first protocol into Kafka with templates.share on (docs/scaling.md): what one node of a fleet
    sustains while it publishes and consumes the shared template topic; opt-in."""
    proto = bench.protocols[0]
    sluice_search(bench, "sluice-kafka-share", proto, output="kafka",
                  extra=["templates.share.enabled=true", f"templates.share.topic=sluice-templates-{proto}",
                         "templates.share.create-topic=true"], start=bench.zero_loss("sluice-kafka", proto))
