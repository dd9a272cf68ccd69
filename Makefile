# Quick start: `make demo` (set up and run the demo), `make test` (set up and run the tests).
# Both create or reuse the virtual environment .venv (override with VENV=...).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# CPU machines: the CPU wheel; with a GPU, install your own torch into $(VENV) first.
TORCH ?= torch==2.13.0
PYTEST_ARGS ?=

.PHONY: demo test setup setup-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed tests/requirements-oracles.txt
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/python -m pip install -q $(TORCH)
	$(BIN)/python -m pip install -q -e ".[test]"
	$(BIN)/python -m pip install -q --no-deps vot-toolkit==0.9.0
	$(BIN)/python -m pip install -q -r tests/requirements-oracles.txt
	touch $@

setup: $(VENV)/.installed

setup-test: $(VENV)/.installed-test

demo: setup
	$(BIN)/sotbench demo

test: setup-test
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info
