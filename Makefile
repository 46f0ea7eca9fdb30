# The project's entry points; every target sets up .venv itself when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lint bench bench-crawl bench-archive bench-raw bench-extract eval clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: install
	$(BIN)/python -m tests.demo

test: install
	$(BIN)/ruff check ingest settings migrations tests
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check ingest settings migrations tests
	$(BIN)/ruff format --check ingest settings migrations tests

# The benchmarks: the crawl against plain trafilatura, the query side on 200k articles, and
# the raw page store's size per article and re-extraction speed.
bench: bench-crawl bench-archive bench-raw bench-extract

bench-crawl: install
	$(BIN)/python -m tests.bench
	$(BIN)/python -m tests.bench_workers
	$(BIN)/python -m tests.bench_workers --concurrent-requests 2

bench-archive: install
	$(BIN)/python -m tests.bench_archive

bench-raw: install
	$(BIN)/python -m tests.bench_raw

bench-extract: install
	$(BIN)/python -m tests.bench_extract

eval: install
	$(BIN)/python -m tests.eval

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache data
