"""What the notebooks call: one line per cell, ``kit.exercise("risk.appetite")``.

The composition of the kit: it opens the store, works out who is answering against that
store (:mod:`workshop_kit.session.who`: in a room, the personal code in the page's link),
and hands both to the widgets and pages.  Nothing below it opens a store on its own for a
participant or guesses who they are.
"""

from __future__ import annotations

from typing import Any

from .catalogue.model import default_catalogue
from .errors import IdentityError, StoreError
from .pages import room_panel
from .session import room
from .session.identity import Identity
from .session.who import current_identity as _current_identity
from .store.responses import default_store
from .privacy import MIN_COHORT
from .widgets import ExerciseWidget, widget_for


def current_identity(participant: str | None = None, cohort: str | None = None, *, store: Any = None) -> Identity:
    """Who is answering: explicit names, else (in a room) the personal link checked in ``store``, else JupyterHub,
    the saved profile or the computer login; the cohort likewise (see :mod:`workshop_kit.session.identity`)."""
    return _current_identity(participant, cohort, store=store)


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
    opened the widget still appears, says why, and tries again on Save.  The participant is
    worked out once, now, against that store; in a room page opened without a valid personal
    link, a plain message asking for the link is returned instead.  Building the widget never
    saves anything.
    """
    if store is None:
        try:
            store = default_store()
        except StoreError:
            store = None
    try:
        who = _current_identity(participant, cohort, store=store)
    except IdentityError as exc:
        if isinstance(exc, room.RoomCodeError):  # a room page opened without a valid personal link
            return room_panel.missing_code_widget(str(exc))
        raise
    catalogue = store.catalogue if store is not None else default_catalogue()
    return widget_for(catalogue.exercise(exercise_id), identity=who, store=store, open_store=default_store, min_cohort=min_cohort)
