# Set-up and the main jobs; every target works on a fresh machine with Python 3.11 and PyPI.
VENV ?= .venv
PY := $(VENV)/bin/python
KYODO := $(VENV)/bin/kyodo
export HF_HUB_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

# llama.cpp's default build detects AMX on this CPU, which the VM does not allow: it crashes on every prompt.
LLM_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON \
	-DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF

.PHONY: setup models llm index run test

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	python3.11 -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

models: setup
	$(KYODO) models fetch

# The optional 'llm' extra (llama-cpp-python builds from source, ~4 min; skipped once it imports) and the GGUF.
llm: setup
	@$(PY) -c "import llama_cpp, llama_index.llms.openai_like" 2>/dev/null || \
		CMAKE_ARGS="$(LLM_CMAKE_ARGS)" $(PY) -m pip install --quiet --no-cache-dir -e '.[llm]'
	$(KYODO) models fetch --llm

index: models
	$(KYODO) index

run: index
	$(KYODO) ask "Bago ทำปุ๋ยหมักจากขยะตลาดวันละเท่าไร"

test: models llm
	$(KYODO) validate
	$(PY) -m pytest -q kb indexer tests
