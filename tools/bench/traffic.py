"""The load: real exporters' datagrams replayed by udp-blast from one socket, the C sink that measures the
kernel's delivery limit, and exactly how many flows the first N datagrams of a replay carry."""
import json
import os
import socket
import subprocess
import time

from env import BENCH_CAPTURES, BIN, JAVA, JVM_FLAGS, ROOT

# The headline capture first; protocol -> file in ../shared/bench.
CAPTURES = {
    "ipfix": "pmacctd-ipfix.pcap",
    "netflow_v9": "softflowd-nfv9.pcap",
    "netflow_v5": "softflowd-nfv5.pcap",
    "sflow": "pmacctd-sflow.pcap",
}
FULL_SPEED = 10_000_000  # udp-blast's rate for "as fast as it can"


def build_native():
    os.makedirs(BIN, exist_ok=True)
    for tool in ("udp-blast", "udp-sink"):
        src = os.path.join(ROOT, "tools", "bench", tool + ".c")
        dst = os.path.join(BIN, tool)
        if not os.path.exists(dst) or os.path.getmtime(dst) < os.path.getmtime(src):
            subprocess.run(["cc", "-O2", "-Wall", "-o", dst, src], check=True)


def free_port(kind=socket.SOCK_DGRAM):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def blast(port, rate, seconds, capture, source=None):
    """Sends `capture` in a loop to 127.0.0.1:port at `rate` datagrams/s for `seconds`; what udp-blast sent.
    `source`: another loopback address to send from (udp-blast --from)."""
    cmd = [os.path.join(BIN, "udp-blast"), "--to", f"127.0.0.1:{port}", "--rate", str(rate), "--seconds", str(seconds)]
    if source:
        cmd += ["--from", source]
    out = subprocess.run(cmd + [os.path.join(BENCH_CAPTURES, capture)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def sink_run(rate, seconds, capture):
    """udp-blast against udp-sink (recvmmsg on one socket): the kernel's delivery limit for one exporter."""
    port = free_port()
    sink = subprocess.Popen([os.path.join(BIN, "udp-sink"), "--port", str(port), "--seconds", str(seconds + 1.5)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    time.sleep(0.3)
    sent = blast(port, rate, seconds, capture)
    got = json.loads(sink.communicate()[0])
    return sent, got


class FlowCounts:
    """Flows per datagram of each capture as sluice's decoders count them with warm templates
    (io.sluice.bench.CaptureFlowCount), so every step knows exactly the flows it offered."""

    def __init__(self, cp):
        self.cp = cp
        self._prefix = {}  # capture -> flows carried by the first k datagrams of the file, k = 0..n

    def _flow_prefix(self, capture):
        if not self._prefix:
            files = [os.path.join(BENCH_CAPTURES, c) for c in CAPTURES.values()]
            out = subprocess.run([JAVA] + JVM_FLAGS + ["-cp", self.cp, "io.sluice.bench.CaptureFlowCount"] + files,
                                 capture_output=True, text=True, check=True)
            for line in out.stdout.splitlines():
                info = json.loads(line)
                prefix = [0]
                for f in info["per_datagram"]:
                    prefix.append(prefix[-1] + f)
                self._prefix[info["file"]] = prefix
        return self._prefix[capture]

    def per_datagram(self, capture):
        """Flows per datagram of a capture replayed in a loop."""
        prefix = self._flow_prefix(capture)
        return prefix[-1] / max(len(prefix) - 1, 1)

    def in_first(self, capture, sent):
        """Exactly the flows in the first `sent` datagrams udp-blast sends (it loops the file from its start)."""
        prefix = self._flow_prefix(capture)
        n = len(prefix) - 1
        return (sent // n) * prefix[-1] + prefix[sent % n]
