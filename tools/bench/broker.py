"""The Kafka broker the bench runs sluice into: a real single-node KRaft broker in its own JVM."""
import os
import shutil
import socket
import subprocess
import tempfile

from env import JAVA, JVM_FLAGS, OUT, log
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
        self.bootstrap = f"127.0.0.1:{self.port}"

    def start(self):
        props = os.path.join(self.dir, "server.properties")
        with open(props, "w") as f:
            f.write(f"""process.roles=broker,controller
node.id=1
listeners=PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller}
advertised.listeners=PLAINTEXT://127.0.0.1:{self.port}
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.quorum.bootstrap.servers=127.0.0.1:{self.controller}
log.dirs={self.dir}/data
num.partitions=4
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.cleaner.dedupe.buffer.size=2097152
""")
        java = [JAVA] + JVM_FLAGS + ["-cp", self.cp]
        uuid = subprocess.run(java + ["kafka.tools.StorageTool", "random-uuid"], capture_output=True, text=True,
                              check=True).stdout.strip().splitlines()[-1]
        subprocess.run(java + ["kafka.tools.StorageTool", "format", "--standalone", "-t", uuid, "-c", props],
                       capture_output=True, check=True)
        self.log = open(os.path.join(self.dir, "broker.log"), "w")
        self.proc = subprocess.Popen([JAVA] + JVM_FLAGS + ["-Xms512m", "-Xmx512m", "-cp", self.cp, "kafka.Kafka", props],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        log(f"broker: starting on {self.bootstrap} (pid {self.proc.pid})")

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
        return int(self.kafka("count", topic).splitlines()[-1])

    def cpu(self):
        return proc_cpu_seconds(self.proc.pid) if self.proc else 0.0

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)
