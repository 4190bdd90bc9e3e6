"""The follow-up: the exercises that measure change, asked again some weeks after the workshop.

``follow_up()`` is the follow-up notebook's one cell: for every exercise the catalogue's
``[follow_up]`` table lists, what the participant answered at the workshop (as text) and
the exercise's widget, which saves under the cohort's follow-up wave (``<cohort>@follow-up``,
see :mod:`workshop_kit.catalogue.waves`).  The workshop answer is never changed.
The pairing of the two answers, for this page and the development plan, is
:func:`workshop_kit.summaries.followup.before_and_after`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets

from .. import templating
from ..catalogue.model import Exercise
from ..session.identity import Identity
from ..summaries.followup import BeforeAfter, before_and_after, change_words
from ..errors import IdentityError, KitError
from ..session.who import current_identity
from ..catalogue.waves import WORKSHOP, follow_up_of, split_wave, wave_cohort


def follow_up(store: Any = None, participant: str | None = None, cohort: str | None = None) -> widgets.Widget:
    """The follow-up notebook's cell: each re-asked exercise with the workshop answer above it, saving under the follow-up wave."""
    from ..views.plan import answer_blocks
    from ..store.responses import default_store
    from ..widgets import widget_for

    store = store if store is not None else default_store()
    try:
        who = current_identity(participant, cohort, store=store)
    except IdentityError as exc:
        from ..session.room import RoomCodeError
        from .room_panel import missing_code_widget

        if isinstance(exc, RoomCodeError):
            return missing_code_widget(str(exc))
        raise
    catalogue = store.catalogue
    plan = follow_up_of(catalogue)
    base, wave = split_wave(who.cohort, catalogue)
    if wave != WORKSHOP and wave != plan.wave:
        raise KitError(f"The cohort {who.cohort!r} is a {wave} wave; the follow-up belongs to a workshop cohort.")
    later = wave_cohort(base, plan.wave)
    pairs = {p.exercise.id: p for p in before_and_after(store, who.participant, base, catalogue=catalogue)}
    page = templating.macros("follow_up.html")
    children: list[widgets.Widget] = [widgets.HTML(str(page.intro(later, base)))]
    for exercise_id in plan.exercises:
        ex = catalogue.exercise(exercise_id)
        before = pairs[exercise_id].before
        said = None
        if before is not None:
            said = [b.text or "; ".join(b.items) or "; ".join(" · ".join(r) for r in b.rows) for b in answer_blocks(ex, before)]
        box = widgets.HTML(str(page.before(said)))
        box.add_class("wk-follow-up-before")
        children += [box, widget_for(ex, identity=Identity(who.participant, later, who.participant_source), store=store, open_store=default_store)]
    panel = widgets.VBox(children)
    panel.add_class("wk-follow-up")
    return panel
