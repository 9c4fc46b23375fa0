# Lenscale: the two commands a newcomer needs are `make demo` and `make test`.
# Everything they need is installed by `make setup`, which is idempotent and fast when done.

SHELL := /bin/bash
PYTHON := .venv/bin/python
SHARED ?= $(abspath ../shared)
SWIFT_TEST_FLAGS ?=
# Fault tests that kill processes and restart PostgreSQL: they run alone, after the rest, so a
# restart cannot fail other tests' connections and their kill timing is not starved of CPU.
SERIAL_TESTS := WorkerFaultTests|ResumeAfterKillTests|ServeKillTests
# Every phase runs under the watchdog: past its bound it prints the tests still running, stops
# the runner and fails, so a hang is a named failure instead of a stalled CI run. The bounds are
# about three times the phases' measured wall time on a 2-core machine.
WATCHDOG := python3 tools/test_watchdog.py
PARALLEL_LIMIT ?= 1200
SERIAL_LIMIT ?= 1500
PYTEST_LIMIT ?= 900
CONTRACT_LIMIT ?= 900
# The fuzz harness (bench/fuzz) in CI: this many seconds per format, nine formats.
FUZZ_SECONDS ?= 12
FUZZ_LIMIT ?= 900
# How many tests Swift Testing runs at once in the parallel phase (see README, "Tests").
TEST_WIDTH ?= 4

.PHONY: setup build release demo fixtures postgres test test-parallel test-stress test-contract bench clean

## setup: Debian packages, the Python venv with pinned wheels, the ONNX models, the demo photos.
setup:
	@bash tools/setup.sh

build: setup
	swift build

release: setup
	swift build -c release

## demo: build, create a key, ingest the demo photos and serve them on http://127.0.0.1:8080.
demo: release
	@bash tools/demo.sh

## fixtures: image variants (CMYK, palette, 16-bit, EXIF-rotated...) made from the shared photos.
fixtures: setup
	@$(PYTHON) tools/make_fixtures.py --shared $(SHARED) --out .fixtures

## postgres: a local PostgreSQL server for the catalog tests (127.0.0.1:5432, role lenscale).
postgres: setup
	@bash tools/postgres.sh start

## test: the whole suite, Swift and Python, on real photos, real models and real servers.
test: fixtures postgres
	swift build --build-tests
	@$(MAKE) --no-print-directory test-parallel
	$(WATCHDOG) --limit $(SERIAL_LIMIT) --name "serial phase" -- \
		swift test --skip-build --no-parallel --filter '$(SERIAL_TESTS)' $(SWIFT_TEST_FLAGS)
	$(WATCHDOG) --limit $(CONTRACT_LIMIT) --name "API contract" -- bash tools/schemathesis.sh
	$(WATCHDOG) --limit $(FUZZ_LIMIT) --name "fuzzing" -- bash bench/fuzz/run.sh $(FUZZ_SECONDS)
	$(WATCHDOG) --limit $(PYTEST_LIMIT) --name "python tests" -- $(PYTHON) -m pytest -q tools/tests
	$(WATCHDOG) --limit $(PYTEST_LIMIT) --name "browser tests" -- $(PYTHON) -m pytest -q tools/browser

## test-parallel: the Swift tests that may share the machine (all but the fault tests), built already.
test-parallel:
	SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH=$(TEST_WIDTH) $(WATCHDOG) --limit $(PARALLEL_LIMIT) --name "parallel phase" -- \
		swift test --skip-build --skip '$(SERIAL_TESTS)' $(SWIFT_TEST_FLAGS)

## test-contract: Schemathesis against a live server on SQLite and PostgreSQL (tools/schemathesis.toml).
test-contract: postgres
	swift build
	$(WATCHDOG) --limit $(CONTRACT_LIMIT) --name "API contract" -- bash tools/schemathesis.sh

## test-stress: the parallel phase beside a CPU hog on every core, to flush out timing-dependent tests.
test-stress: fixtures postgres
	swift build --build-tests
	@bash tools/test-stress.sh

bench: release
	bash bench/classify/run.sh

clean:
	rm -rf .build .fixtures
