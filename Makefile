# The README's two commands: `make run` and `make test`. Each sets up what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
WORKERS ?=
SHARED ?= ../shared/corpus

.PHONY: run test bench lint format eval eval-sectors eval-projects train train-vectors train-sectors train-projects idf \
	check-metadata check-gdp clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(STAMP)

run: $(STAMP)
	$(BIN)/zhpolicy run corpus/reports --out outputs $(if $(WORKERS),--workers $(WORKERS))

test: $(DEV_STAMP)
	$(BIN)/python -m pytest

bench: $(DEV_STAMP)
	$(BIN)/python -m pytest benchmarks --benchmark-only --benchmark-columns=mean,stddev,rounds

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(DEV_STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Score the extractors against corpus/gold (the per-table floors CI holds are in the tests).
eval: $(STAMP)
	$(BIN)/zhpolicy eval

# Sector tags scored the honest way: held out by report (ten groups of gold reports), retraining per group
# (needs $(SHARED) for the weak labels).
eval-sectors: $(STAMP)
	$(BIN)/zhpolicy eval --cross-validate sector_tags --shared $(SHARED)

# Train every statistical model shipped in lexicons/models/ (each has its own target; add yours here).
# The sector classifier reads the word vectors, so they come first.
train: train-vectors train-sectors train-projects

TRAIN_STAMP := $(VENV)/.installed-train
$(TRAIN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[train]'
	touch $@ $(STAMP)

# Word vectors for the sector classifier (skip-gram word2vec over $(SHARED), gensim, one thread so the
# result is the same each time; ~15 minutes), written to lexicons/models/word_vectors/.
train-vectors: $(TRAIN_STAMP)
	$(BIN)/python -m pipeline.train_word_vectors $(SHARED) --out lexicons/models/word_vectors

# The sector classifier: weak labels from $(SHARED) + corpus/gold, written to lexicons/models/sectors/.
train-sectors: $(STAMP)
	$(BIN)/python -m pipeline.train_sectors $(SHARED) --out lexicons/models/sectors

# The GDP growth target found in every national and provincial report of the shared corpus.
check-gdp: $(STAMP)
	$(BIN)/python -m pipeline.check_gdp $(SHARED)

# Rebuild the IDF table shipped in lexicons/ from the shared corpus.
idf: $(STAMP)
	$(BIN)/python -m pipeline.build_idf $(SHARED) --out lexicons/idf.tsv

# Metadata accuracy against the shared corpus MANIFEST.
check-metadata: $(STAMP)
	$(BIN)/zhpolicy check-metadata $(SHARED)

# The name model (projects, entities; lexicons/models/projects/): trained on corpus/gold and on
# sentences of $(SHARED) labelled by the rules. Minutes on one core; `make run` does not need it.
train-projects: $(STAMP)
	$(BIN)/python -m pipeline.train_names train --shared $(SHARED)

# Held-out figures for the name model: one model per gold report left out (three trainings).
eval-projects: $(STAMP)
	$(BIN)/zhpolicy eval --cross-validate projects --shared $(SHARED)

clean:
	rm -rf outputs/*/ outputs/.state.parquet outputs/.lock .pytest_cache .benchmarks
