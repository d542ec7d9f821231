# Stele's user interface to the build. Each target installs missing Debian
# packages first (scripts/deps.sh), so each works on a fresh machine.
#
#   make            release build: build/stele, build/libstele.{a,so}
#   make run        build, then start the server on ./data (loopback, no tokens)
#   make tour       build, then a tour of the CLI: import sample data into ./data/demo
#   make test       warnings as errors; unit tests under ASan+UBSan, then the
#                   integration tests
#   make bench      the benchmark suite; results into docs/BENCHMARKS.md
#   make bench-full the devops stages at 1,000 hosts x 1 day and at 100,000
#                   hosts x 10 min (bench/run.sh --full), each into its own
#                   docs/BENCHMARKS-N-hosts.md
#   make test-long  make test, then every unit test under ThreadSanitizer, a
#                   multi-threaded import and the server's tests under TSan,
#                   200 crash rounds and 200 server kill rounds
#   make fuzz       every libFuzzer target for FUZZ_SECONDS (60) each, growing
#                   its corpus in tests/fuzz/corpus/
#   make debug      debug build with assertions in build-debug/

GEN    ?= Ninja
CMAKE  := cmake -G $(GEN) -Wno-dev
DATA   ?= ./data

.PHONY: all deps build debug asan tsan fuzz test test-long unit integration run tour bench bench-full clean

all: build

deps:
	@scripts/deps.sh

build: deps
	@$(CMAKE) -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build build

debug: deps
	@$(CMAKE) -S . -B build-debug -DCMAKE_BUILD_TYPE=Debug >/dev/null
	@cmake --build build-debug

asan: deps
	@$(CMAKE) -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DSTELE_SANITIZE=ON >/dev/null
	@cmake --build build-asan

tsan: deps
	@$(CMAKE) -S . -B build-tsan -DCMAKE_BUILD_TYPE=Debug -DSTELE_TSAN=ON >/dev/null
	@cmake --build build-tsan

unit: asan
	@cd build-asan && ctest --output-on-failure -j2

integration: build asan
	@tests/integration/run.sh

test: unit integration
	@echo "make test: all tests passed"

FUZZ_SECONDS ?= 60

fuzz: deps
	@CC=clang $(CMAKE) -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DSTELE_FUZZ=ON >/dev/null
	@cmake --build build-fuzz
	@tests/fuzz/run.sh $(FUZZ_SECONDS)

test-long: test tsan
	@cd build-tsan && ctest --output-on-failure -j2
	@tests/long/tsan_import.sh
	@ROUNDS=200 ROUNDS_NONE=50 tests/integration/run.sh
	@KILL_ROUNDS=200 STELE=$(CURDIR)/build/stele /usr/bin/python3 -m pytest -q -p no:cacheprovider \
		tests/server/test_durability.py
	@TSAN_OPTIONS="exitcode=66 $${TSAN_OPTIONS:-}" STELE=$(CURDIR)/build-tsan/stele \
		/usr/bin/python3 -m pytest -q -p no:cacheprovider tests/server
	@echo "make test-long: all tests passed"

run: build
	@scripts/serve.sh $(DATA)

tour: build
	@scripts/tour.sh $(DATA)

bench: build
	@bench/run.sh

bench-full: build
	@bench/run.sh --full

clean:
	rm -rf build build-debug build-asan build-tsan build-fuzz
