# Compass: `make report` renders the demo pack, `make test` runs the tests. Both set up first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PERIOD ?=
ARGS   ?=
# JupyterLab, set up by `make setup` inside the venv only (nothing in ~/.jupyter, nothing in
# git's config): notebooks are saved without outputs (a pre-save hook using nbstripout) and
# the paired .py files open as notebooks (Jupytext Notebook is the default viewer).
LAB_CONFIG   := $(VENV)/etc/jupyter/jupyter_server_config.json
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json
# Jupyter refuses to start as root (containers, CI) unless told it may.
AS_ROOT      := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: setup report test lab lint bench clean

# Byte-compiled once here: a machine with PYTHONDONTWRITEBYTECODE set would otherwise
# compile the package anew in each of a run's processes (about 0.3 s of CPU each).
setup: $(STAMP) $(LAB_CONFIG) $(LAB_SETTINGS)
	$(BIN)/python -m compileall -q compass_nb

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	touch $(STAMP)

$(LAB_CONFIG): $(STAMP) Makefile
	mkdir -p $(dir $@)
	echo '{"ContentsManager": {"pre_save_hook": "compass_nb.widgets.save_without_outputs"}}' > $@

$(LAB_SETTINGS): $(STAMP) Makefile
	mkdir -p $(dir $@)
	echo '{"@jupyterlab/docmanager-extension:plugin": {"defaultViewers": {"python": "Jupytext Notebook"}}}' > $@

report: setup
	$(BIN)/compass-nb run --backfill 12 $(if $(PERIOD),--period $(PERIOD)) $(ARGS)

# The tests, then every notebook run top to bottom outside a run on demo:small, each alone
# in a fresh folder with an empty store (nbval; tests/nbval_plugin.py sets each up). One
# file's tests stay on one worker, so that a notebook's cells run in order in one kernel.
# PYTHONDONTWRITEBYTECODE emptied: pytest keeps its rewritten test modules in __pycache__
# only when it may write bytecode (with the variable set, each worker rewrote all of them
# again: 5 s of each worker's start). Three workers on two cores: the end-to-end tests wait
# on browsers, servers and timeouts for a sixth of the time, which a third worker fills
# (8 min 09 s against 8 min 27 s to 8 min 50 s with two, measured on one machine).
test: setup
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n 3 --dist loadfile -q $(ARGS)

lab: setup
	$(BIN)/jupyter lab $(AS_ROOT) $(ARGS) notebooks/

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
