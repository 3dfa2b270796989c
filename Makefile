# Two commands on a fresh machine: `make run` and `make test`. Both create .venv first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run console test check format bench bench-questions clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/visatalks

console: $(STAMP)
	$(BIN)/visatalks console

test: $(STAMP)
	$(BIN)/python -m pytest -q

check: $(STAMP)
	$(BIN)/ruff check bot handlers storage tests bench
	$(BIN)/ruff format --check bot handlers storage tests bench
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format bot handlers storage tests bench
	$(BIN)/ruff check --fix bot handlers storage tests bench

bench: $(STAMP)
	$(BIN)/python -m bench.commands
	$(BIN)/python -m bench.feeds

bench-questions: $(STAMP)
	$(BIN)/python -m bench.questions

clean:
	rm -rf $(VENV) build dist *.egg-info
