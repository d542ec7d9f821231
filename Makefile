# Stele's user interface to the build. Each target installs missing Debian
# packages first (scripts/deps.sh), so each works on a fresh machine.
#
#   make            release build: build/stele, build/libstele.{a,so}
#   make run        build, then a tour: import sample data into ./data/demo
#   make test       warnings as errors; unit tests under ASan+UBSan, then the
#                   integration tests
#   make bench      the benchmark suite; results into docs/BENCHMARKS.md
#   make debug      debug build with assertions in build-debug/

GEN    ?= Ninja
CMAKE  := cmake -G $(GEN) -Wno-dev
DATA   ?= ./data

.PHONY: all deps build debug asan test unit integration run bench clean

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

unit: asan
	@cd build-asan && ctest --output-on-failure -j2

integration: build asan
	@tests/integration/run.sh

test: unit integration
	@echo "make test: all tests passed"

run: build
	@scripts/tour.sh $(DATA)

bench: build
	@bench/run.sh

clean:
	rm -rf build build-debug build-asan
