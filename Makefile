# The two commands a newcomer needs (see README.md):
#   make run    set up everything, then start CitySOC on the embedded SQLite store
#   make test   set up everything, then run the whole test suite (what .ci/run calls)
.PHONY: run test setup lint demo bench audit-deps

setup:
	./scripts/setup

run: setup
	.venv/bin/citysoc serve

test: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy
	.venv/bin/pytest

# Into the store `make run` serves; e.g. make demo ARGS=--serve (then start the server on it)
# or ARGS=--reset (replace a store the demo did not write: deletes its data).
demo: setup
	.venv/bin/citysoc demo $(ARGS)

bench: setup
	.venv/bin/python -m benchmarks.run_all

# Published vulnerabilities in the installed versions (needs an advisory service; see the script).
audit-deps: setup
	./scripts/audit-deps
