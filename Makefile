# ivb-analysis: `make report` regenerates every output on the shipped demo data,
# `make test` runs the whole suite. Both set up .venv themselves (python3 >= 3.11 and make only).
.DEFAULT_GOAL := help
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
KERNEL := ivb-analysis
DATA_DIR ?= data/raw/demo
JOBS ?=

.PHONY: help install report prepare run verify test lint notebooks lab demo lock benchmark \
	bench-notebooks clean r-reference

help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-10s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Python >= 3.11 is nodig (gevonden: $$($(PYTHON) --version))"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip==26.0.1"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (ivb-analysis)"
	mkdir -p data/processed outputs
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP) ## Create .venv, install the locked dependencies and the ivb-analysis kernel

prepare: install ## Validate and clean the raw inputs into data/processed (parquet)
	$(BIN)/ivb prepare --data-dir $(DATA_DIR)

report: prepare ## Set up and regenerate every year's outputs (notebooks, HTML, annex, PDF) into outputs/<delivery>/
	$(BIN)/ivb run --data-dir $(DATA_DIR) $(if $(JOBS),--jobs $(JOBS)) --pdf

verify: install ## Regenerate everything in a temp dir and compare byte for byte with outputs/<delivery>/
	$(BIN)/ivb verify --data-dir $(DATA_DIR) $(if $(JOBS),--jobs $(JOBS))

test: install ## Set up and run the whole test suite (ruff + pytest, notebooks included)
	$(BIN)/ruff check src tests benchmarks notebooks
	$(BIN)/python -m pytest --nbval-lax --nbval-kernel-name $(KERNEL) tests notebooks

lint: install ## Only the linter
	$(BIN)/ruff check src tests benchmarks notebooks

notebooks: install ## Regenerate notebooks/*.ipynb from their py:percent sources (the truth)
	$(BIN)/jupytext --quiet --to ipynb --update notebooks/*.py

lab: install ## Open JupyterLab with the project kernel
	$(BIN)/jupyter lab notebooks/

demo: install ## Regenerate the synthetic demo (data/raw/demo) and mini fixture (data/raw/mini)
	$(BIN)/python -m ivb_analysis.demo --out data/raw/demo
	$(BIN)/python -m ivb_analysis.demo --out data/raw/mini --waves 2013 2015 --scale 0.2

lock: ## Re-resolve the dependencies of pyproject.toml into constraints.txt (fresh venv)
	rm -rf build/lock && $(PYTHON) -m venv build/lock
	build/lock/bin/python -m pip install --quiet "pip==26.0.1" && build/lock/bin/python -m pip install --quiet -e '.[dev]'
	{ echo "# Lock file: exact versions installed by 'pip install -c constraints.txt -e .[dev]'."; \
	  echo "# Regenerate with 'make lock'."; \
	  build/lock/bin/python -m pip freeze --exclude-editable; } > constraints.txt

benchmark: install ## Time the estimates at national scale (not part of make test)
	$(BIN)/python benchmarks/bench_estimates.py

bench-notebooks: install ## Time one notebook: kernel start-up, imports, computation, rendering
	$(BIN)/python benchmarks/bench_notebooks.py --data-dir $(DATA_DIR)

clean: ## Remove generated data and outputs (never data/raw)
	rm -rf data/processed outputs
	mkdir -p data/processed outputs

r-reference: ## Regenerate tests/reference/*_reference.csv (mini, clustered) with R survey (needs R, survey, haven, yaml)
	Rscript tests/reference/r_reference.R
	Rscript tests/reference/clustered_reference.R
