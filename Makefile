# workshop-kit: two commands do all set-up on a fresh machine with Python 3.10+.
#   make study - create .venv on first use, then open the workshop pages, ready to answer (no code)
#   make test  - install what the tests need, then run the whole suite (unit, notebooks, browser)
#   make lab   - the same notebooks in JupyterLab, for those who want the code
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: study lab test clean

study: $(VENV)/.kit-installed
	$(BIN)/workshop-kit study

lab: $(VENV)/.kit-installed
	$(BIN)/workshop-kit lab

test: $(VENV)/.test-installed
	$(BIN)/python -m pytest --nbval-lax tests notebooks $(PYTEST_ARGS)

$(VENV)/bin/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv

$(VENV)/.kit-installed: pyproject.toml | $(VENV)/bin/uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(VENV)/bin/uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e ".[test]"
	touch $@ $(VENV)/.kit-installed

clean:
	rm -rf $(VENV) build *.egg-info
