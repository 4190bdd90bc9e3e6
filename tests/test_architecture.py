"""The package's shape (docs/architecture.md): the layering rules, no import loop, and every kind in every layer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_layering_rules_hold():
    """import-linter checks the contracts in pyproject.toml ([tool.importlinter]): each broken one is named."""
    run = subprocess.run(
        [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports())"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "BROKEN" not in run.stdout and " KEPT" in run.stdout


def test_mypy_is_clean():
    """mypy finds no type error in workshop_kit/ ([tool.mypy] in pyproject.toml); its cache makes a second run quick."""
    run = subprocess.run([sys.executable, "-m", "mypy", "workshop_kit"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr


def test_no_import_loop():
    """No module imports, directly or through others, a module that imports it (imports for type checkers aside)."""
    import grimp

    graph = grimp.build_graph("workshop_kit", exclude_type_checking_imports=True)
    loops = []
    for module in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            if graph.chain_exists(importer=imported, imported=module):
                loops.append(f"{module} -> {imported} -> … -> {module}")
    assert loops == []


def test_every_layer_handles_every_kind():
    """Adding a kind means one entry in each layer's registry; a layer without one fails here, naming it."""
    from workshop_kit.catalogue import answers
    from workshop_kit.catalogue.model import EXERCISE_CLASSES, KIND_NAMES, KINDS
    from workshop_kit.summaries import cohort, compare
    from workshop_kit.views import charts, plan
    from workshop_kit.widgets import WIDGETS

    registries = {
        "catalogue.model.KIND_NAMES (the views' name for it)": KIND_NAMES,
        "catalogue.model.EXERCISE_CLASSES (its settings)": EXERCISE_CLASSES,
        "catalogue.answers (checking an answer)": answers._CHECKS,
        "summaries.cohort (the cohort table)": cohort._BUILDERS,
        "summaries.compare (the compare line)": compare._BY_KIND,
        "widgets.WIDGETS (asking)": WIDGETS,
        "views.charts (the chart)": charts._DRAWERS,
        "views.plan (the plan's blocks)": plan._RENDERERS,
    }
    missing = {where: sorted(set(KINDS) - set(registry)) for where, registry in registries.items() if set(registry) != set(KINDS)}
    assert missing == {}
