"""A participant's workshop answers beside their follow-up answers, and what moved between them, in words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..catalogue.model import Catalogue, Exercise
from ..catalogue.waves import split_wave, wave_cohort
from .personal import saved_answers


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
