# The newcomer's entry point. `make demo` and `make test` work on a fresh machine:
# they create .venv, install the locked dependencies, then run.
VENV       ?= .venv
BIN        := $(VENV)/bin
UV_VERSION := 0.13.8
DEV_CORPUS ?= ../shared/corpus/dev
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never

.PHONY: install demo test lint eval bench bench-hostile bench-store bench-crawl vendor-htmx train lock clean

$(VENV)/.synced: pyproject.toml uv.lock
	test -x $(BIN)/python || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	# --inexact keeps uv itself, which lives in the same venv but not in the lock
	$(BIN)/uv sync --frozen --inexact --all-extras --quiet
	touch $@

install: $(VENV)/.synced

demo: $(VENV)/.synced  ## mock portals -> crawl -> clean -> extract -> SQLite -> summary
	$(BIN)/thidua demo

test: $(VENV)/.synced  ## the whole test suite
	$(BIN)/pytest

lint: $(VENV)/.synced
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy thidua extract store crawler

eval: $(VENV)/.synced  ## score extraction on the real dev articles
	$(BIN)/thidua eval $(DEV_CORPUS)

bench: $(VENV)/.synced
	$(BIN)/python -m bench.extract_speed

bench-hostile: $(VENV)/.synced  ## time and peak memory on hostile inputs of 10 KB, 100 KB, 1 MB (bench/README.md)
	$(BIN)/python -m bench.hostile --json bench/results/hostile.json

bench-store: $(VENV)/.synced  ## 100,000 records on SQLite and PostgreSQL: writes/s, query p50/p95, overlay, reextract (bench/README.md)
	$(BIN)/python -m bench.store_scale --json bench/results/store_scale.json

bench-crawl: $(VENV)/.synced  ## 5,000 mock pages on loopback: thidua's crawl stage vs bare Scrapy, re-fetch share, memory, 1 and 2 scrapy-redis workers (bench/README.md)
	$(BIN)/python -m bench.crawl_speed --json bench/results/crawl_speed.json

vendor-htmx: $(VENV)/.synced  ## re-fetch htmx from the npm registry, checked against thidua/web/static/vendor/manifest.json
	$(BIN)/python -m thidua.web.vendor

train: $(VENV)/.synced  ## retrain the shipped UNIT model (extract/models/units) from extract/data/train
	$(BIN)/thidua train

lock:
	$(BIN)/uv lock

clean:
	rm -rf $(VENV) var build *.egg-info
