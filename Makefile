# sluice: the two commands an operator needs are `make run` and `make test`.
# Every target finds a JDK 25 itself; `setup` installs what the build needs (idempotent).

JAVA_HOME ?= $(shell bin/find-jdk)
export JAVA_HOME
export PATH := $(JAVA_HOME)/bin:$(PATH)
MVN ?= mvn -B -q -Dstyle.color=never
# Tests print Surefire's summary lines (CI reads them), so no -q there.
MVN_TEST ?= mvn -B -ntp -Dstyle.color=never
# Where `make run` keeps its broker's data: outside target/ so `mvn clean` cannot pull it from under a live broker.
SLUICE_STATE ?= $(HOME)/.local/state/sluice

.PHONY: setup build dist deb test run stop bench soak clean fuzz

setup:
	@bin/setup

build: setup
	$(MVN) -DskipTests -Dsluice.skipDist=true install

# The release: target/dist/sluice-VERSION-linux-ARCH.tar.gz (bundled Java runtime) and the .deb made from it.
dist: setup
	$(MVN) -DskipTests install

deb: dist
	@bin/deb

test: setup
	python3 -m unittest discover -q -s tools/bench -p 'test_*.py'
	$(MVN_TEST) install
	@bin/test-summary

run: build
	@bin/run-local start

stop:
	@bin/run-local stop

# make bench: the side-by-side table (kernel, decode, none, kafka, peers); PHASES=full adds every phase the
# docs quote; PHASES=none,kafka PROTOCOLS=ipfix for a quick look; BENCH_ARGS for any other bin/bench option.
bench: setup
	@bin/bench $(if $(PHASES),--phases $(PHASES)) $(if $(PROTOCOLS),--protocols $(PROTOCOLS)) $(BENCH_ARGS)

# 5 minutes into Kafka at the zero-loss rate the kafka phase finds first (issue 14): zero loss, RSS flat.
# SLUICE_SOAK_SECONDS sets the length; PROTOCOLS the capture (the first one).
soak: setup
	@bin/bench --phases kafka,soak --protocols $(or $(PROTOCOLS),ipfix) $(BENCH_ARGS)

# Coverage-guided fuzzing (Jazzer, docs/fuzzing.md): each target in turn for FUZZ_SECONDS. A finding stops
# here with its input saved under collector/src/test/resources/io/sluice/fuzz/<Target>Inputs/, which
# `make test` then replays for good. The corpus Jazzer grows is kept in collector/.cifuzz-corpus (not in git).
FUZZ_SECONDS ?= 600
FUZZ_TARGETS ?= SflowDecoderFuzzTest NetflowV5DecoderFuzzTest NetflowV9DecoderFuzzTest IpfixDecoderFuzzTest \
	PacketHeaderFuzzTest CaptureReaderFuzzTest
fuzz:
	$(MVN) -DskipTests install
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p collector/src/test/resources/io/sluice/fuzz/$${t}Inputs; \
	  echo "== fuzzing $$t for $(FUZZ_SECONDS) s"; \
	  JAZZER_FUZZ=1 $(MVN_TEST) -pl collector surefire:test -Dtest=$$t -Dsurefire.failIfNoSpecifiedTests=false \
	    -Djazzer.hooks=true -Djazzer.instrument='io.sluice.**' -Djazzer.max_duration=$(FUZZ_SECONDS)s || exit 1; \
	done

clean:
	$(MVN) clean
	rm -rf bpf/build target/dist
