"""workshop-kit: notebooks, widgets and cohort views for leadership workshops for NHS digital leaders.

Based on *Becoming a successful leader* (Health CIO Handbook, chapter 4) by Owen Powell
and Gareth Baxendale.  The public API is listed in ``__all__``; heavy parts (SQLAlchemy,
pandas, ipywidgets) load only when first used, so ``import workshop_kit`` stays quick.
"""

from __future__ import annotations

import importlib
from typing import Any

from ._version import __version__

# public name -> module that defines it
_EXPORTS = {
    "AnswerError": "errors",
    "Catalogue": "catalogue",
    "CatalogueError": "catalogue",
    "Dashboard": "dashboard",
    "Exercise": "catalogue",
    "IdentifierError": "identifiers",
    "Identity": "identity",
    "IdentityError": "errors",
    "ImportFileError": "errors",
    "ImportResult": "transfer",
    "KitError": "errors",
    "Plan": "plan",
    "ProgrammeFiles": "programme_views",
    "ReportFiles": "report",
    "Response": "store",
    "ResponseStore": "store",
    "Section": "catalogue",
    "StoreError": "errors",
    "Summary": "summaries",
    "before_and_after": "followup",
    "build_plan": "plan",
    "build_programme": "programme_data",
    "cohort_report": "report",
    "cohort_summaries": "summaries",
    "compare_cohorts": "summaries",
    "compare_over_time": "summaries",
    "current_identity": "identity",
    "default_catalogue": "catalogue",
    "default_store": "store",
    "development_plan": "plan",
    "exercise": "widgets",
    "export_answers": "transfer",
    "export_plan": "plan",
    "facilitator_dashboard": "dashboard",
    "find_identifiers": "identifiers",
    "follow_up": "followup",
    "import_answers": "transfer",
    "load_catalogue": "catalogue",
    "make_demo_cohort": "demo",
    "programme": "programme_views",
    "programme_report": "programme_views",
    "progress": "welcome_page",
    "save_profile": "identity",
    "split_wave": "waves",
    "summarise": "summaries",
    "validate_answer": "answers",
    "wave_cohort": "waves",
    "welcome": "welcome_page",
}

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'workshop_kit' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
