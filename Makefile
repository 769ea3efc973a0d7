# The two commands a newcomer needs (see README.md):
#   make run    set up what it needs (offline once installed), then start CitySOC on the embedded SQLite store
#   make test   set up everything (with the Elasticsearch test node), then run the whole test suite (what .ci/run calls)
# `citysoc` itself is .venv/bin/citysoc: README writes it so; `. .venv/bin/activate` puts it on PATH.
.PHONY: run test setup setup-test lint demo bench audit-deps

# What `make run` needs; offline once .venv is installed (no Elasticsearch download).
setup:
	./scripts/setup

# Also the tests' browser, Java and the Elasticsearch node (fetched once, then cached).
setup-test:
	./scripts/setup --for-tests

run: setup
	.venv/bin/citysoc serve

test: setup-test
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy
	.venv/bin/pytest

# Into the store `make run` serves; e.g. make demo ARGS=--serve (then start the server on it)
# or ARGS=--reset (replace a store the demo did not write: deletes its data).
demo: setup
	.venv/bin/citysoc demo $(ARGS)

bench: setup-test
	.venv/bin/python -m benchmarks.run_all

# Published vulnerabilities in the installed versions (needs an advisory service; see the script).
audit-deps: setup
	./scripts/audit-deps
