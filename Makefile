# workshop-kit: two commands do all set-up on a fresh machine with Python 3.10+.
#   make study - create .venv on first use, then open the workshop pages, ready to answer (no code)
#   make test  - install what the tests need, then run the whole suite (unit, notebooks, browser)
#   make lab   - the same notebooks in JupyterLab, for those who want the code
#   make check - the quick tests while you work: no browser, PostgreSQL, JupyterHub or slow test (under a minute)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PYTEST_ARGS ?=
# Python compiles a module every time it is imported where PYTHONDONTWRITEBYTECODE is set (as on some
# build machines): each kernel and server the kit starts then spends seconds compiling Jupyter. The
# installs below compile the environment once, and the test commands may cache what they compile.
NO_PYC_BAN := env -u PYTHONDONTWRITEBYTECODE
COMPILE    = $(NO_PYC_BAN) $(BIN)/python -m compileall -q -j 0 $(VENV)/lib > /dev/null || true

.PHONY: study lab test check clean

study: $(VENV)/.kit-installed
	$(BIN)/workshop-kit study

lab: $(VENV)/.kit-installed
	$(BIN)/workshop-kit lab

test: $(VENV)/.test-installed
	$(NO_PYC_BAN) $(BIN)/python -m pytest --nbval-lax tests notebooks $(PYTEST_ARGS)

check: $(VENV)/.test-installed
	$(NO_PYC_BAN) $(BIN)/python -m pytest -q -m "not browser and not postgres and not hub and not slow" tests $(PYTEST_ARGS)

$(VENV)/bin/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv

$(VENV)/.kit-installed: pyproject.toml | $(VENV)/bin/uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e .
	$(COMPILE)
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(VENV)/bin/uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e ".[test]"
	$(COMPILE)
	touch $@ $(VENV)/.kit-installed

clean:
	rm -rf $(VENV) build *.egg-info
