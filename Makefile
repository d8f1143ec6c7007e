# Two commands on a fresh machine: `make demo` and `make test`. Each builds the venv it needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO   ?= demo-company

.PHONY: demo test bench clean lint lint-all

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/backoffice demo $(DEMO)

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_read_validate.py
	$(BIN)/python benchmarks/bench_payroll.py
	$(BIN)/python benchmarks/bench_invoices.py
	$(BIN)/python benchmarks/bench_documents.py
	$(BIN)/python benchmarks/bench_stock.py
	$(BIN)/python benchmarks/bench_udfs.py
	$(BIN)/python benchmarks/bench_nightly.py

# ruff (lint only: no formatter runs over the tree) and mypy ([tool.mypy] in pyproject.toml) on the typed core;
# clean, and kept clean. `make lint-all` counts what the rest of the tree still has (not yet part of `make test`).
LINT_STAMP := $(VENV)/.lint-installed
LINTED := addin/money addin/rulebook addin/model addin/dates addin/validate addin/tax \
          tests/test_typed_rules.py tests/test_company_paths.py tests/demo_oracle.py tests/test_rulebook.py \
          tests/test_validation_rules.py

$(LINT_STAMP): $(STAMP)
	$(BIN)/python -m pip install -q 'ruff>=0.6' 'mypy>=1.10' types-PyYAML
	touch $(LINT_STAMP)

lint: $(LINT_STAMP)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/mypy

lint-all: $(LINT_STAMP)
	-$(BIN)/ruff check --statistics .
	-$(BIN)/mypy addin

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache
