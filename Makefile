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

.PHONY: setup build dist deb test run stop bench clean

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
	$(MVN_TEST) install
	@bin/test-summary

run: build
	@bin/run-local start

stop:
	@bin/run-local stop

bench: setup
	@bin/bench

clean:
	$(MVN) clean
	rm -rf bpf/build target/dist
