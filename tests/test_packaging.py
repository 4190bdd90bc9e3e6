"""`pip install .` gives a working kit: package, catalogue, command and notebooks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_pip_install_ships_the_kit(tmp_path):
    """A plain (not editable) install has the package, its catalogue, the command and every notebook."""
    source = tmp_path / "source"  # build from a copy, so nothing is written into the checkout
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    for name in ("workshop_kit", "notebooks"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    env_dir = tmp_path / "env"  # a bare environment: pip must never touch the one running the tests
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], check=True)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", str(source)],
        check=True,
        cwd=tmp_path,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )
    notebooks = sorted(p.name for p in (env_dir / "share" / "workshop-kit" / "notebooks").glob("*.ipynb"))
    assert notebooks == sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert (env_dir / "bin" / "workshop-kit").exists()
    shipped = {p.name for p in env_dir.glob("lib/python*/site-packages/workshop_kit/templates/*")}
    assert shipped == {p.name for p in (ROOT / "workshop_kit" / "templates").iterdir()}  # the IG pack's templates
    check = (
        "import workshop_kit, pathlib; from workshop_kit.commands.serve import default_notebooks; c = workshop_kit.load_catalogue(); "
        "print(pathlib.Path(workshop_kit.__file__).parent, default_notebooks(), len(c.sections), len(c.exercises))"
    )
    clean = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # import the installed copy, not a checkout
    out = subprocess.run([str(python), "-c", check], check=True, capture_output=True, text=True, cwd=tmp_path, env=clean).stdout.split()
    assert Path(out[0]).is_relative_to(env_dir) and Path(out[1]) == env_dir / "share" / "workshop-kit" / "notebooks"
    assert out[2] == "11" and int(out[3]) > 30
    assert (Path(out[0]) / "templates" / "join.html").is_file() and (Path(out[0]) / "templates" / "grid.svg").is_file()  # the room's pages


def test_the_slider_s_widget_library_waits_for_a_busy_browser():
    """anywidget from 0.9.17 rejects a widget whose start-up takes over 2 s ('[anywidget] Failed to initialize model.')
    and then drops every update the kernel sends it, as ten room pages opening at once showed; the kit pins below it."""
    import anywidget

    scripts = list((Path(anywidget.__file__).parent / "labextension" / "static").glob("*.js"))
    assert scripts
    assert not [p.name for p in scripts if "Failed to initialize model" in p.read_text(encoding="utf-8")]
