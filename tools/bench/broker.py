"""The Kafka broker the bench runs sluice into: a real single-node KRaft broker in its own JVM."""
import os
import shutil
import socket
import subprocess
import tempfile
import time

from env import JAVA, JVM_FLAGS, OUT, ROOT, log
from peers import proc_cpu_seconds
from traffic import free_port


class Broker:
    """A real single-node Kafka broker (KRaft) in its own JVM, on free ports, data under target/bench."""

    def __init__(self, cp):
        self.cp = cp
        self.port = free_port(socket.SOCK_STREAM)
        self.controller = free_port(socket.SOCK_STREAM)
        self.dir = tempfile.mkdtemp(prefix="kafka-", dir=OUT)
        self.proc = None
        self.counter = None  # BenchKafka serve, started at the first count
        self.bootstrap = f"127.0.0.1:{self.port}"

    def start(self):
        props = os.path.join(self.dir, "server.properties")
        with open(props, "w") as f:
            # tools/kafka-broker/server.properties: the one broker configuration (run-local, bench, tests)
            with open(os.path.join(ROOT, "tools", "kafka-broker", "server.properties")) as t:
                f.write(t.read().replace("@PORT@", str(self.port)).replace("@CONTROLLER_PORT@", str(self.controller))
                        .replace("@DATA_DIR@", os.path.join(self.dir, "data")))
        java = [JAVA] + JVM_FLAGS + ["-cp", self.cp]
        uuid = subprocess.run(java + ["kafka.tools.StorageTool", "random-uuid"], capture_output=True, text=True,
                              check=True).stdout.strip().splitlines()[-1]
        subprocess.run(java + ["kafka.tools.StorageTool", "format", "--standalone", "-t", uuid, "-c", props],
                       capture_output=True, check=True)
        self.log = open(os.path.join(self.dir, "broker.log"), "w")
        self.proc = subprocess.Popen([JAVA] + JVM_FLAGS + ["-Xms512m", "-Xmx512m", "-cp", self.cp, "kafka.Kafka", props],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        log(f"broker: starting on {self.bootstrap} (pid {self.proc.pid})")
        self.wait_listening()

    def wait_listening(self, timeout=180.0):
        """Until the broker accepts connections: on a loaded machine its start takes longer than an admin
        client's timeouts; a broker that exits is reported with its log."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                self.log.flush()
                raise RuntimeError("broker exited at start: " + open(self.log.name).read()[-3000:])
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1.0):
                    return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(f"broker: no connection on {self.bootstrap} within {timeout:.0f} s")

    def kafka(self, *args):
        out = subprocess.run([JAVA] + JVM_FLAGS + ["-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", self.cp,
                              "io.sluice.bench.BenchKafka", args[0], self.bootstrap] + list(args[1:]),
                             capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(f"BenchKafka {args}: {out.stderr[-2000:]}")
        return out.stdout.strip()

    def create_topics(self, *topics):
        self.kafka("create", *topics)

    def count(self, topic):
        """Records in the topic, asked of one long-lived `BenchKafka serve` (a JVM per count cost seconds)."""
        if self.counter is None or self.counter.poll() is not None:
            self.counter = subprocess.Popen(
                [JAVA] + JVM_FLAGS + ["-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", self.cp,
                                      "io.sluice.bench.BenchKafka", "serve", self.bootstrap],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=open(os.path.join(self.dir, "count.log"), "w"),
                text=True, bufsize=1)
        self.counter.stdin.write(f"count {topic}\n")
        self.counter.stdin.flush()
        while True:
            line = self.counter.stdout.readline()
            if not line or line.startswith("error"):
                raise RuntimeError(f"BenchKafka serve: {line.strip() or 'exited'} ({self.dir}/count.log)")
            if line.strip().isdigit():  # anything else is the JVM talking
                return int(line)

    def cpu(self):
        return proc_cpu_seconds(self.proc.pid) if self.proc else 0.0

    def stop(self):
        if self.counter and self.counter.poll() is None:
            self.counter.stdin.close()
            try:
                self.counter.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.counter.kill()
                self.counter.wait()
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)
