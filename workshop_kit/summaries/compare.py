"""Compare one participant's answer with the anonymous aggregate of their cohort.

Plain functions, no widgets.  :func:`cohort_comparison` reads the *other* participants'
answers to one exercise and returns a few sentences saying where this participant sits.
Nothing another person wrote is ever shown: only counts, averages and shares, and only
once at least ``min_cohort`` others have answered.

No differencing (docs/privacy.md): the comparison is never drawn from the live answers,
which would move with each single save, but from the cohort's answers as they stood at
its last *release*.  :func:`released` walks the exercise's saved rows in the order they
reached the store; a new release happens only once at least ``min_cohort + 1`` people's
answers differ from the previous release (new answers and changed ones; a re-save of
the same answer does not count).  Whoever reads two successive releases, at most one of
those people is the reader, so every change they can see mixes at least ``min_cohort``
other people's answers.  The walk needs no stored state: every reader, in every kernel,
computes the same releases from the same rows.

Hide until reveal: in a room a facilitator leads, the comparison waits for the facilitator
to reveal the exercise (:func:`comparison_for`); only the count of answers shows until then.

On JupyterHub a participant's login may read only their own rows, so there the database
does the same walk and hands back only the release's answers of the others, with no
names (``ResponseStore.database_release``, see :mod:`workshop_kit.commands.hub`).
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass
from typing import Any, Callable

from ..catalogue.answers import validate_answer
from ..catalogue.model import BudgetExercise, Exercise, GridExercise, LogExercise, PickExercise, ScaleExercise, TextExercise
from ..errors import AnswerError
from ..privacy import MIN_COHORT, release_step
from ..session.identity import Identity

@dataclass(frozen=True)
class Comparison:
    """What to show under a saved answer: ready once enough others answered; sentences either way."""

    ready: bool
    others: int
    lines: tuple[str, ...]
    note: str = ""  # what the figures are drawn from and when they move; not drawn from anyone's answer


# --- reading the cohort ------------------------------------------------------------------


@dataclass(frozen=True)
class Release:
    """The cohort's answers to one exercise as of its last release, and what has moved since."""

    answers: dict[str, str]  # participant -> answer (stored JSON text) at the last release; empty before the first
    pending: int  # people whose current answer differs from the release (the next one needs ``step``)
    answerers: frozenset[str]  # people with an answer now
    step: int


def released(store: Any, cohort: str, exercise_id: str, step: int) -> Release:
    """The answers as of the last release: the last moment ``step`` or more people's answers had changed since the one before.

    A row arriving late with an older ``saved_at`` (an import) does not replace a newer
    answer, as in the store's own rule for the current answer.  On a JupyterHub
    participant's store the database does this walk, with the kit's own step.
    """
    return ReleaseWalk(cohort, exercise_id, step).read(store)


class ReleaseWalk:
    """The walk behind :func:`released`, kept between readings, so each reading walks only the rows saved since the last.

    For a reader that asks again and again (the projector, every half second).  The store is
    append-only, so a walk that has seen rows up to one id goes on from there; a forgotten or
    purged participant leaves fewer rows than were walked, and the walk starts again.
    """

    def __init__(self, cohort: str, exercise_id: str, step: int):
        self.cohort, self.exercise_id, self.step = cohort, exercise_id, step
        self._restart()

    def _restart(self) -> None:
        self.current: dict[str, str] = {}
        self.stamps: dict[str, Any] = {}
        self.release: dict[str, str] = {}
        self.moved: set[str] = set()
        self.last_id, self.walked = 0, 0

    def read(self, store: Any) -> Release:
        """The release as of now, reading only the rows saved since the last reading."""
        from_database = getattr(store, "database_release", None)
        found = from_database(self.cohort, self.exercise_id) if from_database is not None else None
        if found is not None:
            return _from_database(*found)
        rows, total = store.answer_history_since(self.cohort, self.exercise_id, self.last_id)
        if total != self.walked + len(rows):  # rows were deleted (forget, purge): walk them all again
            self._restart()
            rows, _ = store.answer_history_since(self.cohort, self.exercise_id, 0)
        for row_id, participant, saved_at, answer in rows:
            self._step(participant, saved_at, answer)
            self.last_id, self.walked = row_id, self.walked + 1
        return Release(dict(self.release), len(self.moved), frozenset(self.current), self.step)

    def _step(self, participant: str, saved_at: Any, answer: str) -> None:
        if participant in self.stamps and saved_at < self.stamps[participant]:
            return
        self.stamps[participant], self.current[participant] = saved_at, answer
        if self.release.get(participant) == answer:
            self.moved.discard(participant)  # changed back to what was released: nothing of theirs would move
        else:
            self.moved.add(participant)
        if len(self.moved) >= self.step:
            self.release, self.moved = dict(self.current), set()


_OTHER = "\x00other-"  # keys for the nameless answers the database returns; no participant key can start so


def _from_database(answers: list[str], others_released: int, others_now: int, pending: int, step: int, answered: bool) -> Release:
    """A :class:`Release` from the database's walk: the others' answers and answerers under made-up keys (the reader is left out of both)."""
    return Release(
        {f"{_OTHER}{i}": a for i, a in enumerate(answers)},
        pending,
        frozenset(f"{_OTHER}now-{i}" for i in range(others_now)),
        step,
    )


def others_answers(store: Any, exercise: Exercise, identity: Identity, min_cohort: int = MIN_COHORT) -> list[Any]:
    """Everyone else's answers as of the cohort's last release, in stored form; ones that no longer fit are skipped."""
    return _others(released(store, identity.cohort, exercise.id, release_step(min_cohort)), exercise, identity)


def _others(release: Release, exercise: Exercise, identity: Identity) -> list[Any]:
    texts = [text for participant, text in release.answers.items() if participant != identity.participant]
    answers = []
    for answer in json.loads("[" + ",".join(texts) + "]"):
        try:
            answers.append(validate_answer(exercise, answer))
        except AnswerError:  # saved under an older catalogue; leave it out of the aggregate
            continue
    return answers


def cohort_comparison(store: Any, exercise: Exercise, identity: Identity, mine: Any, min_cohort: int = MIN_COHORT) -> Comparison:
    """Where ``mine`` sits against the cohort's last release, or how many more answers are needed before it can be shown."""
    release = released(store, identity.cohort, exercise.id, release_step(min_cohort))
    others = _others(release, exercise, identity)
    if not release.answers or len(others) < min_cohort:
        waiting = len(release.answerers - {identity.participant})
        needed = max(release.step - len(release.answerers | {identity.participant}), min_cohort - waiting, 1)
        return Comparison(False, waiting, (not_ready_message(waiting, min_cohort, needed),))
    return Comparison(True, len(others), compare_answer(exercise, mine, others), release_note(release))


HIDDEN_MESSAGE = "Results appear when the facilitator reveals them."


def led_room() -> bool:
    """Whether a facilitator leads this page's room, so results wait for their reveal.

    That is the served room (``workshop-kit serve`` sets ``WORKSHOP_KIT_ROOM``): the
    facilitator runs it, with the presenter view to reveal each exercise.  Self-study
    (``jupyter lab``, ``workshop-kit study``) and a programme's own notebooks have no one
    to press reveal, so there the comparison shows as soon as enough others have
    answered, as before; a programme that wants a led session serves it as a room.
    """
    from ..session.room import in_room

    return in_room()


def awaiting_reveal(store: Any, cohort: str, exercise_id: str, *, led: bool | None = None) -> bool:
    """True while a led room's facilitator has neither revealed this exercise nor set it to show results as they come in.

    ``led`` defaults to :func:`led_room`; outside a led room nothing is read and the answer is False.
    """
    if not (led_room() if led is None else led):
        return False
    from ..store.live import read_state, result_visible

    return not result_visible(read_state(store, cohort), exercise_id)


def hidden_comparison(others: int) -> Comparison:
    """What a participant sees before the reveal: that results wait for it, and how many others have answered so far."""
    so_far = "Nobody else in your cohort has" if others == 0 else f"So far {_people(others)} in your cohort {'has' if others == 1 else 'have'}"
    return Comparison(False, others, (HIDDEN_MESSAGE, f"{so_far} saved this exercise."))


def comparison_for(store: Any, exercise: Exercise, identity: Identity, mine: Any, min_cohort: int = MIN_COHORT, *, led: bool | None = None) -> Comparison:
    """The comparison a participant sees: :func:`cohort_comparison`, or in a led room before the reveal only the count."""
    if awaiting_reveal(store, identity.cohort, exercise.id, led=led):
        answered = store.answered(identity.cohort, [exercise.id]).get(exercise.id, 0)
        return hidden_comparison(max(answered - (mine is not None), 0))
    return cohort_comparison(store, exercise, identity, mine, min_cohort)


def release_note(release: Release) -> str:
    """What the figures are drawn from, and when they will move."""
    since = "" if not release.pending else f" ({_count(release.pending)} so far)"
    return (
        f"These figures are the cohort's answers as they stood at the last update. They move only once {release.step} people's "
        f"answers have changed{since}, so that no one's answer can be worked out by comparing two readings."
    )


def not_ready_message(others: int, min_cohort: int, needed: int | None = None) -> str:
    """Why there is no comparison yet, and how many more answers it needs (by default ``min_cohort - others``)."""
    so_far = "Nobody else in your cohort has" if others == 0 else f"So far {_people(others)} in your cohort {'has' if others == 1 else 'have'}"
    needed = min_cohort - others if needed is None else needed
    return (
        f"{so_far} saved this exercise. The comparison appears once {min_cohort} others have, "
        f"so that no one's answer can be picked out ({needed} more needed)."
    )


def compare_answer(exercise: Exercise, mine: Any, others: list[Any]) -> tuple[str, ...]:
    """Sentences comparing one stored answer with the others' stored answers (no size check here)."""
    return tuple(_BY_KIND[exercise.kind](exercise, mine, others))


# --- per kind ------------------------------------------------------------------------------


def compare_scale(ex: ScaleExercise, mine: Any, others: list[Any]) -> list[str]:
    """Mean, median and your position; for a now/target pair, each moment and the shift wanted."""
    n = len(others)
    if not ex.paired:
        return [f"{n} others in your cohort: {_centre(others)}. You chose {mine}: {position(mine, others)}."]
    lines = []
    for key, name in zip(("now", "target"), ex.pair):
        values = [o[key] for o in others]
        lines.append(f"{name}: {n} others {_centre(values)}. You chose {mine[key]}: {position(mine[key], values)}.")
    shift = statistics.fmean(o["target"] - o["now"] for o in others)
    lines.append(f"Others want to move {_signed(shift)} on average; you want to move {_signed(mine['target'] - mine['now'])}.")
    return lines


def compare_pick(ex: PickExercise, mine: list[str], others: list[list[str]]) -> list[str]:
    """How many others picked each of your choices, and the options they chose most."""
    n = len(others)
    folded = [{p.casefold() for p in picks} for picks in others]
    lines = []
    for choice in mine:
        k = sum(choice.casefold() in picks for picks in folded)
        lines.append(f"{choice}: also chosen by {_count(k)} of the {n} others.")
    if not mine:
        lines.append(f"You chose none; the {n} others chose {statistics.fmean(len(p) for p in others):.1f} on average.")
    counts = {o: sum(o.casefold() in picks for picks in folded) for o in ex.options}
    top = max(counts.values())
    if top:
        names = [o for o, k in counts.items() if k == top][:3]
        lines.append(f"Chosen most often by others: {', '.join(names)} ({top} of {n}).")
    return lines


def compare_text(ex: TextExercise, mine: str, others: list[str]) -> list[str]:
    """Only how many others answered: free text is never shared."""
    return [f"{len(others)} others in your cohort have answered this too. Written answers stay private to each person."]


def compare_budget(ex: BudgetExercise, mine: dict[str, int], others: list[dict[str, int]]) -> list[str]:
    """The cohort's mean share per heading against yours."""
    unit = "%" if ex.total == 100 else f" of {ex.total}"
    lines = [f"Average of {len(others)} others in your cohort, against yours:"]
    for h in ex.headings:
        mean = statistics.fmean(o[h] for o in others)
        lines.append(f"{h}: you {mine[h]}{unit}, others {mean:.0f}{unit} on average.")
    return lines


def compare_grid(ex: GridExercise, mine: list[dict[str, Any]], others: list[list[dict[str, Any]]]) -> list[str]:
    """Average number of items, and items per quadrant: yours against the cohort's average."""
    lines = [f"You placed {_count(len(mine), 'item')}; the {len(others)} others placed {_mean_len(others):.1f} on average."]
    yours = quadrant_counts(ex, mine)
    theirs = [quadrant_counts(ex, items) for items in others]
    for name, k in yours.items():
        lines.append(f"{name}: you {k}, others {statistics.fmean(t[name] for t in theirs):.1f} on average.")
    return lines


def compare_log(ex: LogExercise, mine: list[dict[str, Any]], others: list[list[dict[str, Any]]]) -> list[str]:
    """Average number of rows, and for each choice field the share of rows per choice."""
    lines = [f"You have {_count(len(mine), 'row')}; the {len(others)} others have {_mean_len(others):.1f} on average."]
    all_rows = [row for rows in others for row in rows]
    for f in ex.fields:
        if f.type != "choice" or not all_rows:
            continue
        for choice in f.choices:
            yours = sum(row.get(f.name) == choice for row in mine)
            share = 100 * sum(row.get(f.name) == choice for row in all_rows) / len(all_rows)
            lines.append(f"{f.label} {choice}: you {yours} of {len(mine)}, others {share:.0f}% of their rows.")
    return lines


# Each takes its own kind's exercise; compare_answer picks the one for the exercise's kind.
_BY_KIND: dict[str, Callable[..., list[str]]] = {
    "scale": compare_scale,
    "pick": compare_pick,
    "text": compare_text,
    "budget": compare_budget,
    "grid": compare_grid,
    "log": compare_log,
}


# --- grid quadrants ------------------------------------------------------------------------


def quadrant_counts(ex: GridExercise, items: list[dict[str, Any]]) -> dict[str, int]:
    """Items per quadrant, in the order top right, top left, bottom right, bottom left."""
    counts = {name: 0 for name in ex.quadrants.names()}
    for item in items:
        counts[ex.quadrant_of(item["x"], item["y"])] += 1
    return counts


# --- wording ---------------------------------------------------------------------------------


def position(mine: float, values: list[float]) -> str:
    """'higher than 4 of them, the same as 1, lower than 1'."""
    parts = []
    for word, k in (("higher than", sum(v < mine for v in values)), ("the same as", sum(v == mine for v in values)), ("lower than", sum(v > mine for v in values))):
        if k:
            parts.append(f"{word} {k}")
    return ", ".join(parts) + (" of them" if parts else "")


def _centre(values: list[float]) -> str:
    return f"average {statistics.fmean(values):.1f}, median {statistics.median(values):g}"


def _signed(value: float) -> str:
    text = f"{value:+.1f}" if isinstance(value, float) else f"{value:+d}"
    return "not at all" if value == 0 else f"by {text} points"


def _people(n: int) -> str:
    return "1 other person" if n == 1 else f"{n} others"


def _count(n: int, noun: str = "") -> str:
    word = "none" if n == 0 else str(n)
    return f"{word} {noun}{'' if n == 1 else 's'}" if noun else word


def _mean_len(groups: list[list[Any]]) -> float:
    return statistics.fmean(len(g) for g in groups)
