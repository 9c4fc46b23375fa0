# Lenscale: the two commands a newcomer needs are `make demo` and `make test`.
# Everything they need is installed by `make setup`, which is idempotent and fast when done.

SHELL := /bin/bash
PYTHON := .venv/bin/python
SHARED ?= $(abspath ../shared)
SWIFT_TEST_FLAGS ?=
# Fault tests that kill processes and restart PostgreSQL: they run alone, after the rest, so a
# restart cannot fail other tests' connections and their kill timing is not starved of CPU.
SERIAL_TESTS := WorkerFaultTests|ResumeAfterKillTests|ServeKillTests

.PHONY: setup build release demo fixtures postgres test bench clean

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
	swift test --skip-build --skip '$(SERIAL_TESTS)' $(SWIFT_TEST_FLAGS)
	swift test --skip-build --no-parallel --filter '$(SERIAL_TESTS)' $(SWIFT_TEST_FLAGS)
	$(PYTHON) -m pytest -q tools/tests
	$(PYTHON) -m pytest -q tools/browser

bench: release
	bash bench/classify/run.sh

clean:
	rm -rf .build .fixtures
