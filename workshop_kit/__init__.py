"""workshop-kit: notebooks, widgets and cohort views for leadership workshops for NHS digital leaders.

Based on *Becoming a successful leader* (Health CIO Handbook, chapter 4) by Owen Powell
and Gareth Baxendale.  The public API is listed in ``__all__``; heavy parts (SQLAlchemy,
pandas, ipywidgets) load only when first used, so ``import workshop_kit`` stays quick.
"""

from __future__ import annotations

import importlib
import typing as _typing
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
    "before_and_after": "summaries.followup",
    "build_plan": "views.plan",
    "build_programme": "summaries.programme",
    "cohort_report": "views.report",
    "cohort_summaries": "summaries.cohort",
    "compare_cohorts": "summaries.cohort",
    "compare_over_time": "summaries.cohort",
    "current_identity": "kit",
    "default_catalogue": "catalogue.model",
    "default_store": "store.responses",
    "development_plan": "views.plan",
    "exercise": "kit",
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

__all__ = [
    "AnswerError",
    "Catalogue",
    "CatalogueError",
    "Dashboard",
    "Exercise",
    "IdentifierError",
    "Identity",
    "IdentityError",
    "ImportFileError",
    "ImportResult",
    "KitError",
    "Plan",
    "ProgrammeFiles",
    "ReportFiles",
    "Response",
    "ResponseStore",
    "Section",
    "StoreError",
    "Summary",
    "__version__",
    "before_and_after",
    "build_plan",
    "build_programme",
    "cohort_report",
    "cohort_summaries",
    "compare_cohorts",
    "compare_over_time",
    "current_identity",
    "default_catalogue",
    "default_store",
    "development_plan",
    "exercise",
    "export_answers",
    "export_plan",
    "facilitator_dashboard",
    "find_identifiers",
    "follow_up",
    "import_answers",
    "load_catalogue",
    "make_demo_cohort",
    "programme",
    "programme_report",
    "progress",
    "save_profile",
    "split_wave",
    "summarise",
    "validate_answer",
    "wave_cohort",
    "welcome",
]

if _typing.TYPE_CHECKING:  # what type checkers and editors read; at run time each name loads on first use
    from .catalogue.answers import validate_answer
    from .catalogue.identifiers import IdentifierError, find_identifiers
    from .catalogue.model import Catalogue, CatalogueError, Exercise, Section, default_catalogue, load_catalogue
    from .catalogue.waves import split_wave, wave_cohort
    from .errors import AnswerError, IdentityError, ImportFileError, KitError, StoreError
    from .kit import current_identity, exercise
    from .pages.followup import follow_up
    from .pages.welcome import progress, welcome
    from .session.identity import Identity, save_profile
    from .store.demo import make_demo_cohort
    from .store.responses import Response, ResponseStore, default_store
    from .store.transfer import ImportResult, export_answers, import_answers
    from .summaries.cohort import Summary, cohort_summaries, compare_cohorts, compare_over_time, summarise
    from .summaries.followup import before_and_after
    from .summaries.programme import build_programme
    from .views.dashboard import Dashboard, facilitator_dashboard
    from .views.plan import Plan, build_plan, development_plan, export_plan
    from .views.programme import ProgrammeFiles, programme, programme_report
    from .views.report import ReportFiles, cohort_report


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'workshop_kit' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
