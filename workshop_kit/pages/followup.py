"""The follow-up: the exercises that measure change, asked again some weeks after the workshop.

``follow_up()`` is the follow-up notebook's one cell: for every exercise the catalogue's
``[follow_up]`` table lists, what the participant answered at the workshop (as text) and
the exercise's widget, which saves under the cohort's follow-up wave (``<cohort>@follow-up``,
see :mod:`workshop_kit.catalogue.waves`).  The workshop answer is never changed.
``before_and_after(store, participant, cohort)`` pairs the two answers for the
development plan.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets

from ..catalogue.model import Catalogue, Exercise
from ..errors import IdentityError, KitError
from ..session.identity import current_identity
from ..catalogue.waves import WORKSHOP, follow_up_of, split_wave, wave_cohort


@dataclass(frozen=True)
class BeforeAfter:
    """One re-asked exercise: the participant's workshop answer, their follow-up answer, and the change in words."""

    exercise: Exercise
    before: Any
    after: Any
    change: tuple[str, ...]

    @property
    def both(self) -> bool:
        """True when the participant answered both times."""
        return self.before is not None and self.after is not None


def before_and_after(store: Any, participant: str, cohort: str, *, catalogue: Catalogue | None = None) -> tuple[BeforeAfter, ...]:
    """The participant's workshop and follow-up answers to each re-asked exercise (either may be None).

    ``cohort`` may be the workshop cohort or its follow-up wave.  Empty when the catalogue
    has no follow-up.  Reading never creates a store.
    """
    from ..views.plan import saved_answers

    catalogue = catalogue or store.catalogue
    if catalogue.follow_up is None:
        return ()
    base = split_wave(cohort, catalogue)[0]
    first = saved_answers(store, participant, base)
    later = saved_answers(store, participant, wave_cohort(base, catalogue.follow_up.wave))
    pairs = []
    for exercise_id in catalogue.follow_up.exercises:
        ex = catalogue.exercise(exercise_id)
        a, b = first.get(exercise_id), later.get(exercise_id)
        a, b = (a.answer if a else None), (b.answer if b else None)
        pairs.append(BeforeAfter(ex, a, b, change_words(ex, a, b) if a is not None and b is not None else ()))
    return tuple(pairs)


def change_words(ex: Exercise, before: Any, after: Any) -> tuple[str, ...]:
    """What moved between two answers to the same exercise, one line per part, in plain words."""
    try:
        if ex.kind == "scale":
            if not ex.paired:
                return (_moved(ex.title, int(before), int(after)),)
            return tuple(_moved(moment, int(before[key]), int(after[key])) for moment, key in zip(ex.pair, ("now", "target")))
        if ex.kind == "budget":
            return tuple(_moved(h, int(before[h]), int(after[h]), "%") for h in ex.headings)
        if ex.kind == "pick":
            added = [p for p in after if p not in before]
            dropped = [p for p in before if p not in after]
            lines = [f"Added: {', '.join(added)}"] if added else []
            lines += [f"Dropped: {', '.join(dropped)}"] if dropped else []
            return tuple(lines) or ("The same choices as at the workshop.",)
        if ex.kind == "log":
            lines = [f"Rows: {len(before)} → {len(after)}"]
            for f in (f for f in ex.fields if f.type == "choice"):
                last = f.choices[-1]  # e.g. "Delivered"
                a = sum(1 for row in before if row.get(f.name) == last)
                b = sum(1 for row in after if row.get(f.name) == last)
                lines.append(f"{f.label} {last}: {a} of {len(before)} → {b} of {len(after)}")
            return tuple(lines)
    except (KeyError, TypeError, ValueError):
        pass  # the catalogue changed between the two answers
    return ()


def _moved(label: str, a: int, b: int, unit: str = "") -> str:
    gap = b - a
    how = "no change" if gap == 0 else f"{gap:+d} points" if unit else f"{gap:+d}"
    return f"{label}: {a}{unit} → {b}{unit} ({how})"


def follow_up(store: Any = None, participant: str | None = None, cohort: str | None = None) -> widgets.Widget:
    """The follow-up notebook's cell: each re-asked exercise with the workshop answer above it, saving under the follow-up wave."""
    from ..views.plan import answer_blocks
    from ..store.responses import default_store
    from ..widgets import exercise

    try:
        who = current_identity(participant, cohort)
    except IdentityError as exc:
        from ..session.room import RoomCodeError, missing_code_widget

        if isinstance(exc, RoomCodeError):
            return missing_code_widget(str(exc))
        raise
    store = store if store is not None else default_store()
    catalogue = store.catalogue
    plan = follow_up_of(catalogue)
    base, wave = split_wave(who.cohort, catalogue)
    if wave != WORKSHOP and wave != plan.wave:
        raise KitError(f"The cohort {who.cohort!r} is a {wave} wave; the follow-up belongs to a workshop cohort.")
    later = wave_cohort(base, plan.wave)
    pairs = {p.exercise.id: p for p in before_and_after(store, who.participant, base, catalogue=catalogue)}
    children: list[widgets.Widget] = [
        widgets.HTML(
            f'<p class="wk-follow-up-intro">Answers you save here go into <strong>{html.escape(later)}</strong>, '
            f"beside your workshop answers in <strong>{html.escape(base)}</strong>, which stay as they were.</p>"
        )
    ]
    for exercise_id in plan.exercises:
        ex = catalogue.exercise(exercise_id)
        before = pairs[exercise_id].before
        if before is None:
            said = "<em>You did not answer this at the workshop; your answer now still counts for your own plan.</em>"
        else:
            said = "<br>".join(
                html.escape(b.text or "; ".join(b.items) or "; ".join(" · ".join(r) for r in b.rows)).replace("\n", "<br>") for b in answer_blocks(ex, before)
            )
        box = widgets.HTML(f'<div class="wk-before"><strong>At the workshop:</strong><br>{said}</div>')
        box.add_class("wk-follow-up-before")
        children += [box, exercise(exercise_id, store=store, participant=who.participant, cohort=later)]
    panel = widgets.VBox(children)
    panel.add_class("wk-follow-up")
    return panel
