# Set-up and the main jobs; every target works on a fresh machine with Python 3.11 and PyPI.
VENV ?= .venv
PY := $(VENV)/bin/python
KYODO := $(VENV)/bin/kyodo
export HF_HUB_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: setup models index run test

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	python3.11 -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

models: setup
	$(KYODO) models fetch

index: models
	$(KYODO) index

run: index
	$(KYODO) ask "Bago ทำปุ๋ยหมักจากขยะตลาดวันละเท่าไร"

test: models
	$(KYODO) validate
	$(PY) -m pytest -q kb indexer tests
