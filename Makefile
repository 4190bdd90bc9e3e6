# workshop-kit: two commands do all set-up on a fresh machine with Python 3.10+.
#   make lab   - create .venv on first use, then open JupyterLab on the welcome notebook
#   make test  - install what the tests need, then run the whole suite (unit, notebooks, browser)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: lab test clean

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
