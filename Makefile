# Developer entry points.  `make test` is what CI runs.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CORE := src/dirsync/_model.py,src/dirsync/_events.py,src/dirsync/_policy.py,src/dirsync/_standing.py,src/dirsync/_actions.py,src/dirsync/_rules.py,src/dirsync/_decision.py,src/dirsync/_decide.py,src/dirsync/_schedule.py,src/dirsync/_state.py,src/dirsync/_simulate.py,src/dirsync/scim/_bodies.py,src/dirsync/scim/_directory.py,src/dirsync/scim/_endpoint.py,src/dirsync/scim/_errors.py,src/dirsync/scim/_json.py,src/dirsync/scim/_match.py,src/dirsync/scim/_names.py,src/dirsync/scim/_query.py,src/dirsync/scim/_wire.py,src/dirsync/scim/_patch.py,src/dirsync/scim/_path.py,src/dirsync/scim/_resources.py,src/dirsync/scim/_schema.py

.PHONY: test lint typecheck unit demo bench docs clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

test: lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check src tests examples benchmarks
	$(BIN)/ruff format --check src tests examples benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy --strict src tests benchmarks examples

unit: $(STAMP)
	$(BIN)/coverage erase
	$(BIN)/coverage run -m pytest
	$(BIN)/coverage report --fail-under=95
	$(BIN)/coverage report --include='$(CORE)' --fail-under=100

demo: $(STAMP)
	$(BIN)/python -m dirsync demo

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_decide.py
	$(BIN)/python benchmarks/bench_shell.py
	$(BIN)/python benchmarks/bench_scim.py

docs: $(STAMP)
	$(BIN)/python -m dirsync._rulesdoc > docs/rules.md

clean:
	rm -rf $(VENV) .coverage .mypy_cache .pytest_cache .ruff_cache
