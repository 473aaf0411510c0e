"""Peers for `make bench`: collectors from Debian's packages, run on the same datagrams as sluice.

Each peer writes its own files; what counts is the number of flows that reach its output, read back
from the peer's own accounting (nfcapd/sfcapd print `Flows: N` when they stop; pmacct's print plugin
with `aggregate: none, flows` writes a FLOWS column), because kernel counters alone hide the flows a
collector loses internally (nfacctd does, above its limit: ../shared/bench/README.md).
"""
import csv
import glob
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

# A peer step passes with this share of the offered flows in its output: each peer starts cold per step,
# so the datagrams before the first template are lost to it by design; sluice's steps require all.
PASS_SHARE = 0.99


class Peer:
    name = "?"
    protocols = ()

    def __init__(self, port):
        self.port = port
        self.dir = tempfile.mkdtemp(prefix=f"sluice-bench-{self.name}-")
        self.proc = None

    def start(self):
        raise NotImplementedError

    def stop_and_count(self):
        """Stops the peer and returns the flows it wrote."""
        raise NotImplementedError

    def cpu_seconds(self):
        """CPU seconds of the peer's main process, read just before it was stopped (a reaped process has none)."""
        if getattr(self, "cpu_at_stop", None) is not None:
            return self.cpu_at_stop
        return proc_cpu_seconds(self.proc.pid) if self.proc else 0.0

    def _terminate(self):
        if self.proc and self.proc.poll() is None:
            self.cpu_at_stop = proc_cpu_seconds(self.proc.pid)
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


class Nfcapd(Peer):
    """nfdump's collector: nfcapd for NetFlow/IPFIX, sfcapd for sFlow; one binary file per interval."""
    name = "nfcapd"
    protocols = ("netflow", "ipfix")
    binary = "nfcapd"

    def start(self):
        self.log = open(os.path.join(self.dir, "log.txt"), "w")
        os.makedirs(os.path.join(self.dir, "flows"))
        # -B: a 32 MiB socket buffer, as sluice gets; -t 3600: one file for the whole run.
        self.proc = subprocess.Popen(
            [self.binary, "-b", "127.0.0.1", "-p", str(self.port), "-w", os.path.join(self.dir, "flows"),
             "-B", str(32 << 20), "-t", "3600"], stdout=self.log, stderr=subprocess.STDOUT)
        time.sleep(1.0)

    def stop_and_count(self):
        self._terminate()
        self.log.close()
        text = open(os.path.join(self.dir, "log.txt"), errors="replace").read()
        m = re.findall(r"Flows: (\d+)", text)
        return int(m[-1]) if m else 0


class Sfcapd(Nfcapd):
    name = "sfcapd"
    protocols = ("sflow",)
    binary = "sfcapd"


class Pmacct(Peer):
    """pmacct's nfacctd (NetFlow/IPFIX) or sfacctd (sFlow), print plugin writing CSV files."""
    name = "nfacctd"
    protocols = ("netflow", "ipfix")
    binary = "nfacctd"
    prefix = "nfacctd"

    def start(self):
        conf = os.path.join(self.dir, "pmacct.conf")
        with open(conf, "w") as f:
            f.write(f"""daemonize: false
{self.prefix}_ip: 127.0.0.1
{self.prefix}_port: {self.port}
{self.prefix}_pipe_size: {32 << 20}
plugins: print
aggregate: none, flows
print_output: csv
print_output_file: {self.dir}/out-%s.csv
print_output_file_append: true
print_refresh_time: 1
""")
        self.log = open(os.path.join(self.dir, "log.txt"), "w")
        self.proc = subprocess.Popen([self.binary, "-f", conf], stdout=self.log, stderr=subprocess.STDOUT)
        time.sleep(1.0)

    def stop_and_count(self):
        time.sleep(2.5)  # the print plugin writes its cache every second
        self._terminate()
        self.log.close()
        flows = 0
        for path in glob.glob(os.path.join(self.dir, "out-*.csv")):
            with open(path, newline="") as f:
                for row in csv.DictReader(f):
                    # sfacctd has no FLOWS column: one sample is one "flow" for it, counted as PACKETS
                    # divided by nothing (sampling renormalisation is off by default).
                    flows += int(row.get("FLOWS") or row.get("PACKETS") or 0)
        return flows


class Sfacctd(Pmacct):
    name = "sfacctd"
    protocols = ("sflow",)
    binary = "sfacctd"
    prefix = "sfacctd"


PEERS = (Nfcapd, Sfcapd, Pmacct, Sfacctd)


def install():
    """nfdump and pmacct from Debian, once (the peers phase compares sluice with them)."""
    if shutil.which("nfcapd") and (shutil.which("nfacctd") or os.path.exists("/usr/sbin/nfacctd")):
        return
    print("bench: installing nfdump and pmacct (Debian packages)", file=sys.stderr, flush=True)
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(sudo + ["apt-get", "update", "-qq"], check=False, env=env)
    subprocess.run(sudo + ["apt-get", "install", "-y", "-qq", "nfdump", "pmacct"], check=False, env=env,
                   stdout=subprocess.DEVNULL)
    # pmacct's packaged services would hold the standard ports; the bench runs its own instances.
    for unit in ("nfacctd", "sfacctd", "pmacctd", "uacctd", "nfdump"):
        subprocess.run(sudo + ["systemctl", "disable", "--now", unit], check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def installed():
    return [p for p in PEERS if shutil.which(p.binary)]


def proc_cpu_seconds(pid):
    """utime + stime of a process (and its reaped children) from /proc, in seconds."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        ticks = sum(int(x) for x in fields[11:15])
        return ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0
