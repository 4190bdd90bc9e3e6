"""Root pytest hooks: every notebook run by nbval gets its own fresh, empty answer store.

nbval starts one kernel per notebook file, and the kernel inherits ``os.environ`` at the
moment it starts (during the first cell's set-up).  This hook runs first in that set-up and
points ``WORKSHOP_KIT_STORE`` and ``WORKSHOP_KIT_PROFILE`` at files in a new temporary folder
for each notebook, so no run sees another's answers or the user's own store; it also sets
``MPLBACKEND=Agg`` so charts never try to open a window.  The variables are restored once
the kernel has started, so the rest of the test session is unaffected.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

_NOTEBOOK_DIRS: dict[str, Path] = {}
_VARS = ("WORKSHOP_KIT_STORE", "WORKSHOP_KIT_PROFILE", "WORKSHOP_KIT_PLAN_DIR", "MPLBACKEND", "WORKSHOP_KIT_ROOM", "WORKSHOP_KIT_COHORT")


def _notebook_path(item: pytest.Item) -> str | None:
    path = str(getattr(item, "path", None) or item.fspath)
    return path if path.endswith(".ipynb") else None


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_setup(item: pytest.Item):
    notebook = _notebook_path(item)
    if notebook is None:
        yield
        return
    folder = _NOTEBOOK_DIRS.get(notebook)
    if folder is None:
        folder = Path(tempfile.mkdtemp(prefix=f"wk-nb-{Path(notebook).stem}-"))
        _NOTEBOOK_DIRS[notebook] = folder
    saved = {name: os.environ.get(name) for name in _VARS}
    os.environ["WORKSHOP_KIT_STORE"] = str(folder / "answers.sqlite")
    os.environ["WORKSHOP_KIT_PROFILE"] = str(folder / "profile.json")
    os.environ["WORKSHOP_KIT_PLAN_DIR"] = str(folder / "plans")
    os.environ["MPLBACKEND"] = "Agg"
    os.environ.pop("WORKSHOP_KIT_ROOM", None)
    os.environ.pop("WORKSHOP_KIT_COHORT", None)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def pytest_sessionfinish(session: pytest.Session) -> None:
    for folder in _NOTEBOOK_DIRS.values():
        shutil.rmtree(folder, ignore_errors=True)
    _NOTEBOOK_DIRS.clear()
