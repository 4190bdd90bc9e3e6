"""Exercise widgets, one module per kind; :data:`WIDGETS` says which module draws which kind.

In a notebook the last line of a cell, ``kit.exercise("risk.appetite")``, shows a complete
widget: the prompt, the controls, Save, and the participant's previous answer if any.
"""

from __future__ import annotations

from typing import Any

from collections.abc import Callable

from ..catalogue.model import Exercise
from ..session.identity import Identity
from ..privacy import MIN_COHORT
from .base import ExerciseWidget
from .budget import BudgetWidget
from .grid import GridWidget
from .log import LogWidget, ObjectivesWidget
from .pick import PickWidget
from .scale import ScaleWidget
from .text import TextWidget

WIDGETS: dict[str, type[ExerciseWidget]] = {
    "scale": ScaleWidget,
    "pick": PickWidget,
    "text": TextWidget,
    "budget": BudgetWidget,
    "grid": GridWidget,
    "log": LogWidget,
}


def widget_for(ex: Exercise, *, identity: Identity, store: Any, open_store: Callable[[], Any], min_cohort: int = MIN_COHORT) -> ExerciseWidget:
    """The widget of the exercise's kind, for a participant already worked out (see :func:`workshop_kit.kit.exercise`)."""
    kind = ObjectivesWidget if ex.plan == "objectives" else WIDGETS[ex.kind]
    return kind(ex, identity=identity, store=store, open_store=open_store, min_cohort=min_cohort)



__all__ = ["WIDGETS", "BudgetWidget", "ExerciseWidget", "GridWidget", "LogWidget", "ObjectivesWidget", "PickWidget", "ScaleWidget", "TextWidget", "widget_for"]
