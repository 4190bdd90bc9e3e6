"""The facilitated room's live state: where the room is, what is revealed, the timer, done / help.

Kept in the response store (tables ``room_live`` and ``room_signals``) so every
participant's kernel and the facilitator's presenter view read the same state::

    state = read_state(store, "north-2026")
    update_state(store, "north-2026", section="02-risk", exercise="risk.appetite", self_paced=False)
    reveal(store, "north-2026", "risk.appetite")
    set_signal(store, "north-2026", "room-ab12…", "risk.appetite", "done")
    signal_counts(store, "north-2026", "risk.appetite")  # {"done": 1, "help": 0}

A cohort result is hidden until revealed (``result_visible``), unless the facilitator set
the exercise to show results as they come in.  Nothing here holds a name or an answer.
"""

from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass
from typing import Any

from ..errors import AnswerError
from ..catalogue.names import validate_name
from .responses import ResponseStore

SIGNALS = ("done", "help")


@dataclass(frozen=True)
class LiveState:
    """Where a cohort's room is and what it may see.  Times are Unix seconds."""

    section: str | None = None  # notebook stem the room is on, e.g. "02-risk"
    exercise: str | None = None  # exercise id
    self_paced: bool = True  # until the facilitator takes the lead
    revealed: frozenset[str] = frozenset()  # exercise ids whose cohort result is revealed
    show_live: frozenset[str] = frozenset()  # exercise ids showing results as they come in
    timer_ends: float | None = None  # the running activity timer ends then
    timer_paused_left: float | None = None  # or, paused, this many seconds are left
    updated: float = 0.0
    day_started: float | None = None  # when the facilitator started the day (ahead / behind the plan)

    def as_json(self) -> str:
        """The stored form."""
        fields = dataclasses.asdict(self)
        fields["revealed"], fields["show_live"] = sorted(self.revealed), sorted(self.show_live)
        return json.dumps(fields, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> LiveState:
        """The state from its stored form (defaults for nothing stored, or for fields an older kit did not write)."""
        if not text:
            return cls()
        raw = json.loads(text)
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in raw.items() if k in known}
        for name in ("revealed", "show_live"):
            values[name] = frozenset(values.get(name) or ())
        return cls(**values)


_TYPES: dict[str, tuple[type[Any], ...]] = {
    "section": (str, type(None)),
    "exercise": (str, type(None)),
    "self_paced": (bool,),
    "revealed": (frozenset, set, list, tuple),
    "show_live": (frozenset, set, list, tuple),
    "timer_ends": (int, float, type(None)),
    "timer_paused_left": (int, float, type(None)),
    "day_started": (int, float, type(None)),
}


def _checked(changes: dict[str, Any]) -> dict[str, Any]:
    """The changes with sets made frozen; a plain-English error for an unknown field or a wrong kind of value."""
    clean = {}
    for name, value in changes.items():
        if name not in _TYPES:
            raise AnswerError(f"The room's live state has no setting called {name!r} (it has {', '.join(_TYPES)}).")
        if not isinstance(value, _TYPES[name]) or (isinstance(value, bool) and bool not in _TYPES[name]):
            raise AnswerError(f"The room's {name.replace('_', ' ')} cannot be set to {value!r}.")
        if name in ("revealed", "show_live"):
            value = frozenset(str(v) for v in value)
        elif isinstance(value, int) and not isinstance(value, bool) and name != "self_paced":
            value = float(value)
        clean[name] = value
    return clean


def _cohort(cohort: str) -> str:
    return validate_name(cohort, "cohort name")


def read_state(store: ResponseStore, cohort: str) -> LiveState:
    """The cohort's live state (the defaults if nothing was ever set)."""
    return LiveState.from_json(store.live_state_text(_cohort(cohort)))


def update_state(store: ResponseStore, cohort: str, **changes: Any) -> LiveState:
    """Change some fields of the cohort's live state in one transaction; returns the new state."""
    clean = _checked(changes)

    def change(old: str | None) -> str:
        return dataclasses.replace(LiveState.from_json(old), **clean, updated=time.time()).as_json()

    return LiveState.from_json(store.change_live_state(_cohort(cohort), change))


def _toggle(store: ResponseStore, cohort: str, field: str, exercise_id: str, on: bool) -> LiveState:
    """Add (or remove) one exercise id in a set-valued field, read and written in one transaction."""
    store.catalogue.exercise(exercise_id)  # a CatalogueError for an unknown id

    def change(old: str | None) -> str:
        state = LiveState.from_json(old)
        ids = getattr(state, field)
        ids = ids | {exercise_id} if on else ids - {exercise_id}
        return dataclasses.replace(state, **{field: ids}, updated=time.time()).as_json()

    return LiveState.from_json(store.change_live_state(_cohort(cohort), change))


def result_visible(state: LiveState, exercise_id: str) -> bool:
    """True when the cohort result of this exercise may be shown: revealed, or set to show live."""
    return exercise_id in state.revealed or exercise_id in state.show_live


def reveal(store: ResponseStore, cohort: str, exercise_id: str, shown: bool = True) -> LiveState:
    """Reveal an exercise's cohort result (or, ``shown=False``, hide it again)."""
    return _toggle(store, cohort, "revealed", exercise_id, shown)


def set_show_live(store: ResponseStore, cohort: str, exercise_id: str, on: bool) -> LiveState:
    """Set an exercise to show its cohort result as answers come in (or back to hidden until revealed)."""
    return _toggle(store, cohort, "show_live", exercise_id, on)


def set_signal(store: ResponseStore, cohort: str, participant: str, exercise_id: str, signal: str | None) -> None:
    """Record a participant's "done" or "help" on an exercise, or clear it with None."""
    if signal is not None and signal not in SIGNALS:
        raise AnswerError(f"A signal is 'done', 'help' or None (got {signal!r}).")
    store.catalogue.exercise(exercise_id)
    store.set_signal(_cohort(cohort), participant, exercise_id, signal)


def signal_of(store: ResponseStore, cohort: str, participant: str, exercise_id: str) -> str | None:
    """A participant's current signal on an exercise, or None."""
    return store.signal_of(_cohort(cohort), participant, exercise_id)


def signal_counts(store: ResponseStore, cohort: str, exercise_id: str) -> dict[str, int]:
    """How many of the cohort said "done" and "help" on an exercise: ``{"done": n, "help": n}`` (never who)."""
    counts = store.signal_counts(_cohort(cohort), exercise_id)
    return {signal: counts.get(signal, 0) for signal in SIGNALS}
