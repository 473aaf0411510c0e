"""sluice as the bench runs it: `bin/sluice run` with one listener on a free port, its counters read
from /metrics, its CPU per thread group and its memory read from /proc."""
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

from env import OUT, ROOT
from peers import proc_cpu_seconds
from traffic import free_port

ALLOCATED = "sluice_jvm_heap_allocated_bytes_total"
# The searches give every collector (sluice and the peers) the same 32 MiB socket buffer, so the table
# compares programs, not buffers; the lifecycle phases run sluice's own default (rcvbuf=None).
SEARCH_RCVBUF = 32 << 20
METRICS = ("sluice_packets_received_total", "sluice_socket_drops_total", "sluice_flows_decoded_total",
           "sluice_kafka_records_sent_total", "sluice_flows_dropped_total", "sluice_decode_errors_total",
           "sluice_receive_errors_total", "sluice_pending_template_sets", ALLOCATED)


class Sluice:
    def __init__(self, output, steering, workers, broker=None, topic=None, extra=(), metrics=(), listener_keys="",
                 port=None, rcvbuf=SEARCH_RCVBUF):
        self.names = METRICS + tuple(metrics)  # what metrics() reads: METRICS and a phase's own
        self.port = port or free_port()  # a given port: a successor taking over a running sluice's (handover)
        self.metrics_port = free_port(socket.SOCK_STREAM)
        self.output, self.broker, self.topic = output, broker, topic
        self.scrapes = 0  # every /metrics read; their own heap allocation is subtracted (scrape_cost)
        self.dir = tempfile.mkdtemp(prefix="sluice-", dir=OUT)
        conf = os.path.join(self.dir, "sluice.yaml")
        rcvbuf_key = "" if rcvbuf is None else f", rcvbuf: {rcvbuf}"
        with open(conf, "w") as f:
            f.write(f"""listeners:
  - {{address: "127.0.0.1:{self.port}", protocol: auto, steering: {steering}, workers: {workers}{rcvbuf_key}{listener_keys}}}
output: {{type: {output}}}
metrics: {{listen: "127.0.0.1:{self.metrics_port}"}}
""")
            if broker:
                f.write(f"""kafka: {{bootstrap-servers: "{broker.bootstrap}", topic: {topic}, counters-topic: {topic}-counters, drops-topic: {topic}-counters}}
""")
        self.cmd = [os.path.join(ROOT, "bin", "sluice"), "run", "--config", conf]
        for kv in extra:
            self.cmd += ["--set", kv]

    def start(self):
        self.log = open(os.path.join(self.dir, "sluice.log"), "w")
        env = dict(os.environ, SLUICE_JAVA_OPTS=os.environ.get("SLUICE_BENCH_JAVA_OPTS", ""))
        self.proc = subprocess.Popen(self.cmd, stdout=self.log, stderr=subprocess.STDOUT, env=env)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("sluice exited at start: " + open(self.log.name).read()[-3000:])
            try:
                self.metrics()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("sluice: /metrics did not answer within 60 s")

    def metrics(self):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=5) as r:
            text = r.read().decode()
        self.scrapes += 1
        totals = dict.fromkeys(self.names, 0.0)
        totals[ALLOCATED] = None  # absent from a sluice without the counter
        for line in text.splitlines():
            if line.startswith("#"):
                continue
            name = line.split("{", 1)[0].split(" ", 1)[0]
            if name in totals:
                totals[name] = (totals[name] or 0.0) + float(line.rsplit(" ", 1)[1])
        return totals

    def scrape_cost(self, n=2):
        """Heap bytes one /metrics scrape allocates in sluice now (n back-to-back scrapes, idle).
        Measured after every step, not once: the scrape path allocates less once the JIT has compiled it."""
        first = self.metrics()[ALLOCATED]
        for _ in range(n - 1):
            last = self.metrics()[ALLOCATED]
        return None if first is None else (last - first) / (n - 1)

    def cpu(self):
        return proc_cpu_seconds(self.proc.pid)

    def thread_cpu(self):
        """CPU seconds per thread group (workers, Kafka's sender thread, GC, JIT, other), from /proc."""
        groups = {}
        tick = os.sysconf("SC_CLK_TCK")
        for tid in os.listdir(f"/proc/{self.proc.pid}/task"):
            try:
                with open(f"/proc/{self.proc.pid}/task/{tid}/stat") as f:
                    raw = f.read()
            except OSError:
                continue
            name = raw[raw.index("(") + 1:raw.rindex(")")]
            fields = raw.rsplit(")", 1)[1].split()
            group = ("workers" if name.startswith("sluice-worker") else
                     "kafka-sender" if name.startswith("kafka-produc") else
                     "gc" if name.startswith(("GC Thr", "G1 ")) else
                     "jit" if "Compiler" in name else "other")
            groups[group] = groups.get(group, 0.0) + (int(fields[11]) + int(fields[12])) / tick
            if group == "workers":  # of which in the kernel (recvmmsg copies, poll wake-ups)
                groups["workers-sys"] = groups.get("workers-sys", 0.0) + int(fields[12]) / tick
        return groups

    def memory(self):
        """Resident set now and its peak since the last reset_peak(), bytes (/proc/<pid>/status)."""
        found = {}
        try:
            with open(f"/proc/{self.proc.pid}/status") as f:
                for line in f:
                    key, _, value = line.partition(":")
                    if key in ("VmRSS", "VmHWM"):
                        found[key] = int(value.split()[0]) * 1024
        except OSError:
            pass
        return {"rss_bytes": found.get("VmRSS"), "rss_peak_bytes": found.get("VmHWM")}

    def reset_peak(self):
        """Resets the kernel's peak-RSS mark (clear_refs 5), so the peak covers what follows only."""
        try:
            with open(f"/proc/{self.proc.pid}/clear_refs", "w") as f:
                f.write("5")
            return True
        except OSError:
            return False

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def settle(self, sent_total, timeout=15.0, also_arrived=()):
        """Waits until every datagram sent is received or dropped, and the output is idle
        (decoded = delivered + dropped), and the counters stop moving. `also_arrived`: counters of datagrams
        that end elsewhere (e.g. dropped by a guard in the kernel)."""
        deadline, last, stable_since = time.time() + timeout, None, None
        moving = [k for k in self.names if k != ALLOCATED]  # the allocation counter moves with every scrape
        while True:
            m = self.metrics()
            arrived = m["sluice_packets_received_total"] + m["sluice_socket_drops_total"] + sum(m[k] for k in also_arrived)
            idle = m["sluice_flows_decoded_total"] == m["sluice_kafka_records_sent_total"] + m["sluice_flows_dropped_total"]
            if last and all(m[k] == last[k] for k in moving) and arrived >= sent_total and idle:
                if stable_since and time.time() - stable_since >= 0.3:
                    return m
                stable_since = stable_since or time.time()
            else:
                stable_since = None
            if time.time() > deadline:
                return m
            last = m
            time.sleep(0.1)
