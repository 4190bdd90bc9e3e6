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
    "Catalogue": "catalogue.model",
    "CatalogueError": "catalogue.model",
    "Dashboard": "views.dashboard",
    "Exercise": "catalogue.model",
    "IdentifierError": "catalogue.identifiers",
    "Identity": "session.identity",
    "IdentityError": "errors",
    "ImportFileError": "errors",
    "ImportResult": "store.transfer",
    "KitError": "errors",
    "Plan": "views.plan",
    "ProgrammeFiles": "views.programme",
    "ReportFiles": "views.report",
    "Response": "store.responses",
    "ResponseStore": "store.responses",
    "Section": "catalogue.model",
    "StoreError": "errors",
    "Summary": "summaries.cohort",
    "before_and_after": "pages.followup",
    "build_plan": "views.plan",
    "build_programme": "summaries.programme",
    "cohort_report": "views.report",
    "cohort_summaries": "summaries.cohort",
    "compare_cohorts": "summaries.cohort",
    "compare_over_time": "summaries.cohort",
    "current_identity": "session.identity",
    "default_catalogue": "catalogue.model",
    "default_store": "store.responses",
    "development_plan": "views.plan",
    "exercise": "widgets",
    "export_answers": "store.transfer",
    "export_plan": "views.plan",
    "facilitator_dashboard": "views.dashboard",
    "find_identifiers": "catalogue.identifiers",
    "follow_up": "pages.followup",
    "import_answers": "store.transfer",
    "load_catalogue": "catalogue.model",
    "make_demo_cohort": "store.demo",
    "programme": "views.programme",
    "programme_report": "views.programme",
    "progress": "pages.welcome",
    "save_profile": "session.identity",
    "split_wave": "catalogue.waves",
    "summarise": "summaries.cohort",
    "validate_answer": "catalogue.answers",
    "wave_cohort": "catalogue.waves",
    "welcome": "pages.welcome",
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
