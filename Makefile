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

.PHONY: setup build test run stop bench clean

setup:
	@bin/setup

build: setup
	$(MVN) -DskipTests install

test: setup
	python3 -m unittest discover -q -s tools/bench -p 'test_*.py'
	$(MVN_TEST) install
	@bin/test-summary

run: build
	@bin/run-local start

stop:
	@bin/run-local stop

# make bench PHASES=none,kafka PROTOCOLS=ipfix  (a quick look); BENCH_ARGS for any other bin/bench option.
bench: setup
	@bin/bench $(if $(PHASES),--phases $(PHASES)) $(if $(PROTOCOLS),--protocols $(PROTOCOLS)) $(BENCH_ARGS)

clean:
	$(MVN) clean
	rm -rf bpf/build
