"""Exercise widgets, one module per kind; ``exercise(id)`` builds the right one from the catalogue.

In a notebook the last line of a cell, ``kit.exercise("risk.appetite")``, shows a complete
widget: the prompt, the controls, Save, and the participant's previous answer if any.
"""

from __future__ import annotations

from typing import Any

from ..catalogue.model import default_catalogue
from ..summaries.compare import MIN_COHORT
from ..errors import IdentityError, StoreError
from ..session.identity import current_identity
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


def exercise(
    exercise_id: str,
    *,
    store: Any = None,
    participant: str | None = None,
    cohort: str | None = None,
    min_cohort: int = MIN_COHORT,
) -> ExerciseWidget | Any:
    """The widget for one exercise of the catalogue, showing the participant's saved answer.

    ``store`` defaults to :func:`workshop_kit.store.responses.default_store`; if that cannot be
    opened the widget still appears, says why, and tries again on Save.  The identity is
    resolved once, now; in a room page opened without a valid personal link, a plain
    message asking for the link is returned instead.  Building the widget never saves anything.
    """
    from ..store.responses import default_store

    try:
        who = current_identity(participant, cohort)
    except IdentityError as exc:
        from ..session.room import RoomCodeError, missing_code_widget

        if isinstance(exc, RoomCodeError):  # a room page opened without a valid personal link
            return missing_code_widget(str(exc))
        raise
    if store is None:
        try:
            store = default_store()
        except StoreError:
            store = None
    catalogue = store.catalogue if store is not None else default_catalogue()
    ex = catalogue.exercise(exercise_id)
    kind = ObjectivesWidget if ex.id == OBJECTIVES_ID and ex.kind == "log" else WIDGETS[ex.kind]
    return kind(ex, identity=who, store=store, open_store=default_store, min_cohort=min_cohort)


OBJECTIVES_ID = "plan.objectives"  # the plan's objectives (the same id as plan.OBJECTIVES_ID)

__all__ = ["WIDGETS", "BudgetWidget", "ExerciseWidget", "GridWidget", "LogWidget", "ObjectivesWidget", "PickWidget", "ScaleWidget", "TextWidget", "exercise"]
