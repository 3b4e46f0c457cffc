# schemac: the everyday targets. `make test` is what CI runs.
CARGO ?= cargo

.PHONY: build test lint acceptance bench example services

build:
	$(CARGO) build --release

# Unit, CLI, snapshot and real-engine tests, then formatting and lints.
test: services
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

bench: build
	bench/run --readme README.md
	bench/rebuild.py

# Starts PostgreSQL and MariaDB when they are installed but not running.
services:
	@.ci/services
