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

# format, lint and types first (seconds), then the tests
test: lint
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_read_validate.py
	$(BIN)/python benchmarks/bench_read_validate.py --shared-strings
	$(BIN)/python benchmarks/bench_payroll.py
	$(BIN)/python benchmarks/bench_invoices.py
	$(BIN)/python benchmarks/bench_documents.py
	$(BIN)/python benchmarks/bench_stock.py
	$(BIN)/python benchmarks/bench_udfs.py
	$(BIN)/python benchmarks/bench_nightly.py

# ruff (format and lint: pycodestyle, pyflakes, bugbear; lines up to 120) over the package and the tests, and mypy
# ([tool.mypy] in pyproject.toml) over the typed core and the pure engines; both pinned in the test extras.
LINTED := addin tests macros.py setup.py

lint: $(STAMP)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/mypy

# what the rest of the tree (services, outputs, excel, cli) still has for mypy
lint-all: $(STAMP)
	-$(BIN)/mypy addin

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache
