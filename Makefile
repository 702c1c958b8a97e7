# Compass: `make report` renders the demo pack, `make test` runs the tests. Both set up first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PERIOD ?=
ARGS   ?=

.PHONY: setup report test lab lint bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	touch $(STAMP)

report: setup
	$(BIN)/compass-nb run --backfill 12 $(if $(PERIOD),--period $(PERIOD)) $(ARGS)

test: setup
	$(BIN)/python -m pytest -n 2 -q $(ARGS)

lab: setup
	$(BIN)/jupyter lab notebooks/

lint: setup
	$(BIN)/ruff check compass_nb tests benchmarks
	$(BIN)/ruff format --check compass_nb tests benchmarks

bench: setup
	$(BIN)/python benchmarks/pack.py
	$(BIN)/python benchmarks/forecast_m3.py
	$(BIN)/python benchmarks/forecast_scale.py
	$(BIN)/python benchmarks/ingest.py

clean:
	rm -rf reports/.staging reports/.trash
