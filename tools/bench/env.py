"""Where the bench finds things: the repository, the captures, its output folder, the JDK."""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SHARED = os.environ.get("SLUICE_SHARED", os.path.join(os.path.dirname(ROOT), "shared"))
BENCH_CAPTURES = os.path.join(SHARED, "bench")
OUT = os.path.join(ROOT, "target", "bench")
BIN = os.path.join(OUT, "bin")
JAVA_HOME = subprocess.run([os.path.join(ROOT, "bin", "find-jdk")], capture_output=True, text=True,
                           check=True).stdout.strip()
JAVA = os.path.join(JAVA_HOME, "bin", "java")
# bin/jvm-flags: the one list of the flags every sluice JVM needs (comments and blank lines skipped)
with open(os.path.join(ROOT, "bin", "jvm-flags")) as _f:
    JVM_FLAGS = [line.strip() for line in _f if line.strip() and not line.lstrip().startswith("#")]


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def load_average():
    return os.getloadavg()[0]


def mvn(*args):
    """Offline first (the shared ~/.m2 usually has everything), online if something is missing."""
    base = ["mvn", "-B", "-q", "-Dstyle.color=never"]
    env = dict(os.environ, JAVA_HOME=JAVA_HOME)
    # Maven's output to stderr: stdout carries only the report.
    if subprocess.run(base + ["-o"] + list(args), cwd=ROOT, env=env, stdout=sys.stderr).returncode != 0:
        subprocess.run(base + list(args), cwd=ROOT, env=env, check=True, stdout=sys.stderr)


def build(skip):
    """sluice.jar + lib (bin/sluice), the test classes (JMH, bench helpers) and their classpath. No install."""
    cp_file = os.path.join(OUT, "test-classpath.txt")
    if not skip:
        log("bench: building sluice (mvn package -DskipTests)")
        # One reactor build: the sibling module resolves from the reactor (never from ~/.m2, nothing is
        # installed); every module writes the classpath file in turn, collector (built last) wins.
        os.makedirs(OUT, exist_ok=True)
        mvn("package", "-DskipTests", "-pl", "collector", "-am", "dependency:build-classpath",
            "-Dmdep.includeScope=test", f"-Dmdep.outputFile={cp_file}")
    # The reactor's own module from its target/ (not a possibly stale copy in ~/.m2).
    entries = [e for e in open(cp_file).read().strip().split(":")
               if e and "/io/sluice/" not in e and "jextract-bindings" not in e]
    return ":".join([os.path.join(ROOT, "collector/target/test-classes"), os.path.join(ROOT, "collector/target/classes"),
                     os.path.join(ROOT, "jextract-bindings/target/classes")] + entries)
