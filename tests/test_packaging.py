"""`pip install .` gives a working kit: package, catalogue, command and notebooks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_pip_install_ships_the_kit(tmp_path):
    """A plain (not editable) install has the package, its catalogue, the command and every notebook."""
    source = tmp_path / "source"  # build from a copy, so nothing is written into the checkout
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    for name in ("workshop_kit", "notebooks"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    prefix = tmp_path / "prefix"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--prefix", str(prefix), str(source)],
        check=True,
        cwd=tmp_path,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )
    site = Path(sysconfig.get_path("purelib", vars={"base": str(prefix), "platbase": str(prefix)}))
    notebooks = sorted(p.name for p in (prefix / "share" / "workshop-kit" / "notebooks").glob("*.ipynb"))
    assert notebooks == sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert (prefix / "bin" / "workshop-kit").exists()
    check = (
        "import workshop_kit, pathlib; c = workshop_kit.load_catalogue(); "
        "print(pathlib.Path(workshop_kit.__file__).parent.parent, len(c.sections), len(c.exercises))"
    )
    out = subprocess.run(
        [sys.executable, "-c", check], check=True, capture_output=True, text=True, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(site)}
    ).stdout.split()
    assert Path(out[0]) == site and out[1] == "10" and int(out[2]) > 30
