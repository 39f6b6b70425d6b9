# Set-up and the main jobs; every target works on a fresh machine with Python 3.11 and PyPI.
VENV ?= .venv
PY := $(VENV)/bin/python
KYODO := $(VENV)/bin/kyodo
export HF_HUB_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

# llama.cpp's default build detects AMX on this CPU, which the VM does not allow: it crashes on every prompt.
LLM_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON \
	-DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF

.PHONY: setup models llm index run browser pdf-deps test

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

# A Thai question on the command line, then the web UI on http://127.0.0.1:7860 (Ctrl-C stops it).
run: index pdf-deps
	$(KYODO) ask "Bago ทำปุ๋ยหมักจากขยะตลาดวันละเท่าไร"
	$(KYODO) serve

# Headless Chromium for tests/test_browser.py (Debian packages), and fonts so Thai and Japanese render.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null && fc-list :lang=th | grep -q . && \
		fc-list :lang=ja | grep -q . || { $(SUDO) apt-get update -qq && \
		$(SUDO) apt-get install -y --no-install-recommends chromium chromium-driver fonts-noto-cjk fonts-thai-tlwg; }

# Session packs as PDF (WeasyPrint): Debian's Pango lays them out, with fonts that cover Thai and Japanese.
PDF_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk fonts-thai-tlwg
pdf-deps:
	@missing=$$(for p in $(PDF_DEBS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
		[ -z "$$missing" ] || { $(SUDO) apt-get update -qq && \
		$(SUDO) apt-get install -y --no-install-recommends $$missing; }

# The quality gate: the gold questions on the shipped corpus, failing below evals/thresholds.yaml.
test: index llm browser pdf-deps
	$(KYODO) validate
	$(PY) -m pytest -q --durations=25 kb indexer evals ui trainer app.py tests
	$(KYODO) eval --half test --gate evals/thresholds.yaml
