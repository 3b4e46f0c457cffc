# schemac: the everyday targets. `make test` is what CI runs.
CARGO ?= cargo

.PHONY: build test lint acceptance bench bench-scale example services conformance outputs squawk locktime

build:
	$(CARGO) build --release

# Unit, CLI, snapshot and real-engine tests, then formatting and lints.
test: services squawk
	$(CARGO) test --all-targets
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets -- -D warnings

lint:
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets -- -D warnings

# The black-box acceptance suite beside the project, on a release build.
acceptance: build services
	../shared/acceptance/run

# The main job on the example project: SQLite, no server needed.
example:
	$(CARGO) run --release -- upgrade base:head --sql

# The full differential harness (issue 5): 480 random chains, so that at least
# 300 are applied on each engine (a chain with schemas or sequences runs on the
# servers, one with a partial index or expression element on PostgreSQL and
# SQLite, one with include/method/opclass on PostgreSQL; the others must refuse
# it), 10,000 fuzz cases, the hostile corpus, 50 chains through import (SPEC 12). `make test` runs a short version.
CHAINS ?= 480
FUZZ ?= 10000
IMPORT_CHAINS ?= 50
conformance: services
	SCHEMAC_FUZZ_CASES=$(FUZZ) SCHEMAC_IMPORT_CHAINS=$(IMPORT_CHAINS) $(CARGO) test --release --test conformance -- --exact --skip conformance
	SCHEMAC_CONFORMANCE_CHAINS=$(CHAINS) $(CARGO) test --release --test conformance -- --exact conformance --nocapture

bench: build
	bench/run --readme README.md
	bench/rebuild.py
	bench/scale --no-build

# SPEC 13: the three inputs that used to take quadratic time, at N, 2N, 4N.
SCALE_N ?= 2000
bench-scale: build
	bench/scale --no-build --n $(SCALE_N)

# squawk (the pip package squawk-cli), which tests/safety.rs runs on the
# PostgreSQL online scripts; installed for the user when it is missing.
squawk:
	@command -v squawk >/dev/null || [ -x "$$HOME/.local/bin/squawk" ] || python3 -m pip install --user --quiet squawk-cli

# SPEC 11: the time a concurrent writer waits, default plan against online
# plan, on a table of 1,000,000 rows (PostgreSQL and MariaDB).
locktime: build services
	bench/locktime

# Starts PostgreSQL and MariaDB when they are installed but not running.
services:
	@.ci/services

# The outputs of every project, fixture and the conformance chains for
# every dialect and command, from the release binary, into OUT: run it
# before and after a change of structure and compare with `diff -r`.
OUT ?= target/outputs
outputs: build
	rm -rf target/chains && SCHEMAC_CONFORMANCE_DUMP=$(CURDIR)/target/chains SCHEMAC_CONFORMANCE_CHAINS=$(CHAINS) $(CARGO) test --release --test conformance -- --exact conformance
	scripts/outputs target/release/schemac $(OUT) target/chains
