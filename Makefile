# Two commands on a fresh machine: `make demo` and `make test`. Each builds the venv it needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO   ?= demo-company

.PHONY: demo test bench clean

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

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache
