"""Cohort answers → tidy pandas DataFrames, one summary per exercise.

:func:`summarise` turns the answers to one exercise into a :class:`Summary`: a main tidy
table (the breakdown in design.md's table for the exercise's kind), a few headline
figures, and extra tables where the kind has them.  :func:`cohort_summaries` does the
same for every exercise of a cohort, straight from a store.  :func:`compare_cohorts` and
:func:`compare_over_time` put cohorts, or the same people at two moments, side by side
for scale and pick exercises.

Privacy is built in: no summary lists anyone (answers are counted, averaged, or for
shared free text listed with no one attached) unless ``names=True`` puts names beside
shared free-text answers; with fewer than ``min_group`` answers there is no breakdown at
all, only the count; the content of sensitive free text (text answers, grid item names,
log entries) never appears in a summary.

Summaries are built from *tallies*: each distinct answer once, with how many gave it.
Saved rows become tallies of one; a store groups a cohort's identical answers itself
(``ResponseStore.answer_tallies``), which is what keeps a 30,000-person cohort cheap.
"""

from __future__ import annotations

import hashlib
import re
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..catalogue.model import BudgetExercise, Exercise, GridExercise, LogExercise, PickExercise, ScaleExercise, TextExercise
from ..privacy import MIN_GROUP
from ..store.responses import Response, ResponseStore, paused_gc

TOP_WORDS = 12
SINGLE = "Answer"  # the "moment" of a scale asked once
OWN_ENTRY = "Own entry"

SUPPRESSED_NOTE = "Fewer than {k} answers: no breakdown is shown, to keep answers anonymous."
PRIVATE_NOTE = "Private answers: participants were told these stay private, so only counts are shown, never what they wrote."
EMPTY_NOTE = "No answers yet."

_STOPWORDS = frozenset(
    """a about above after again all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers him his how i if in into is it its itself just me more
    most my myself no nor not now of off on once only or other our ours out over own same she
    should so some such than that the their theirs them then there these they this those through
    to too under until up very was we were what when where which while who whom why will with
    would you your yours get got make made one two three want wants like well really much many
    every across within next year years month months week weeks i'll i'm we'll we're it's don't
    can't won't""".split()
)
_WORD = re.compile(r"[a-z][a-z'’-]*[a-z]")


@dataclass(frozen=True, eq=False)
class Summary:
    """One exercise's answers in a cohort, ready to chart, tabulate or export.

    ``table`` is the main tidy breakdown (empty, with its columns, when there are no
    answers or too few); ``figures`` are headline numbers by label; ``extras`` holds
    further tables by title; ``note`` says what was held back and why.
    """

    exercise: Exercise
    n: int
    table: pd.DataFrame
    figures: dict[str, Any] = field(default_factory=dict)
    extras: dict[str, pd.DataFrame] = field(default_factory=dict)
    note: str = ""
    suppressed: bool = False
    private: bool = False

    def fingerprint(self) -> str:
        """A short hash of everything shown, to tell whether a view needs redrawing."""
        parts = [self.exercise.id, str(self.n), repr(sorted(self.figures.items())), self.note, self.table.to_json()]
        parts += [f"{k}:{v.to_json()}" for k, v in self.extras.items()]
        return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()


# --- latest answers --------------------------------------------------------------------

Tally = tuple[Any, int]  # one distinct answer, and how many participants gave it


def latest_only(rows: Iterable[Response]) -> list[Response]:
    """The latest row per (cohort, participant, exercise), in first-answer order."""
    latest: dict[tuple[str, str, str], Response] = {}
    for r in rows:
        key = (r.cohort, r.participant, r.exercise_id)
        if key not in latest or r.saved_at >= latest[key].saved_at:
            latest[key] = r
    return list(latest.values())


_Built = tuple[pd.DataFrame, dict[str, Any], dict[str, pd.DataFrame]]  # table, figures, extras


# --- one exercise ------------------------------------------------------------------------


def summarise(
    exercise: Exercise,
    rows: Iterable[Response],
    *,
    names: bool = False,
    min_group: int = MIN_GROUP,
    display: Mapping[str, str] | None = None,
    latest: bool = False,
) -> Summary:
    """Summarise the answers to one exercise from saved rows (rows of other exercises are ignored).

    ``names=True`` lists free-text answers with who gave them, for the facilitator's eyes
    only: ``display`` maps a participant key to the name to show (a room's display
    names), else the key is shown.  ``latest=True`` says the rows already are this
    exercise's latest answers, one per participant, so they are not sifted again.
    """
    mine = list(rows) if latest else latest_only(r for r in rows if r.exercise_id == exercise.id)
    named = None
    if names and exercise.kind == "text" and reads_answers(exercise) and not exercise.feedback:
        shown = display or {}
        named = [(shown.get(r.participant, r.participant), r.answer) for r in mine]
    min_group = max(min_group, MIN_GROUP) if exercise.feedback else min_group  # feedback on the day: see cohort_summaries
    return summarise_tallies(exercise, [(r.answer, 1) for r in mine], named=named, min_group=min_group)


def summarise_tallies(exercise: Exercise, tallies: list[Tally], *, named: list[tuple[str, Any]] | None = None, min_group: int = MIN_GROUP) -> Summary:
    """Summarise one exercise from its distinct answers and how many gave each (``ResponseStore.answer_tallies``).

    ``named``: (name, answer) pairs of a free-text exercise, to list answers with names.
    """
    n = sum(count for _, count in tallies)
    builder = _BUILDERS[exercise.kind]
    if n == 0 or n < min_group:
        table, figures, extras = builder(exercise, [], None)
        note = EMPTY_NOTE if n == 0 else SUPPRESSED_NOTE.format(k=min_group)
        empty = {k: v.iloc[0:0] for k, v in extras.items()}
        return Summary(exercise, n, table.iloc[0:0], {"Answered": n}, empty, note, suppressed=n > 0)
    table, figures, extras = builder(exercise, tallies, named)
    private = _is_private(exercise)
    return Summary(exercise, n, table, {"Answered": n, **figures}, extras, PRIVATE_NOTE if private else "", private=private)


def _is_private(exercise: Exercise) -> bool:
    return exercise.sensitive and exercise.kind in ("text", "grid", "log")


def reads_answers(exercise: Exercise) -> bool:
    """False when a summary only counts who answered (private text): its answers need not be read at all."""
    return not (exercise.kind == "text" and exercise.sensitive)


def _median(counts: Counter) -> float:
    """The median of values counted by how often each was given."""
    return float(statistics.median(counts.elements()))


def _scale(ex: ScaleExercise, tallies: list[Tally], named: Any) -> _Built:
    points = list(range(ex.min, ex.max + 1))
    n = sum(k for _, k in tallies)
    if ex.paired:
        moments = list(ex.pair)
        columns = [[(a["now"], k) for a, k in tallies], [(a["target"], k) for a, k in tallies]]
    else:
        moments, columns = [SINGLE], [tallies]
    moment_col: list[str] = []
    count_col: list[int] = []
    figures: dict[str, Any] = {}
    for moment, values in zip(moments, columns):
        counts = _counted(values)
        moment_col += [moment] * len(points)
        count_col += [counts.get(p, 0) for p in points]
        if n:
            suffix = f" ({moment})" if ex.paired else ""
            figures[f"Mean{suffix}"] = sum(v * k for v, k in counts.items()) / n
            figures[f"Median{suffix}"] = _median(counts)
    table = pd.DataFrame(
        {
            "moment": moment_col,
            "value": pd.Series(points * len(moments), dtype="int64"),
            "count": pd.Series(count_col, dtype="int64"),
            "share": pd.Series([c / n if n else 0.0 for c in count_col], dtype="float64"),
        }
    )
    if ex.paired and n:
        shift = _counted((a["target"] - a["now"], k) for a, k in tallies)
        figures.update(
            {
                "Mean shift": sum(d * k for d, k in shift.items()) / n,
                "Median shift": _median(shift),
                "Want more": sum(k for d, k in shift.items() if d > 0),
                "Want less": sum(k for d, k in shift.items() if d < 0),
                "No change": shift.get(0, 0),
            }
        )
    return table, figures, {}


def _counted(tallies: Iterable[Tally]) -> Counter:
    """value -> how many gave it, from (value, count) pairs in which a value may repeat."""
    counts: Counter = Counter()
    for value, k in tallies:
        counts[value] += k
    return counts


def _pick(ex: PickExercise, tallies: list[Tally], named: Any) -> _Built:
    n = sum(k for _, k in tallies)
    picked = _counted((option, k) for answer, k in tallies for option in answer)
    known = set(ex.options)
    own = {entry: count for entry, count in picked.items() if entry not in known}
    counts = {o: picked.get(o, 0) for o in ex.options}
    counts[OWN_ENTRY] = sum(own.values())
    options = list(ex.options) + ([OWN_ENTRY] if ex.allow_custom else [])
    values = [counts[o] for o in options]
    table = pd.DataFrame({"option": options, "count": pd.Series(values, dtype="int64"), "share": [v / n if n else 0.0 for v in values]})
    figures = {"Mean picks": sum(picked.values()) / n} if n else {}
    extras = {}
    if ex.allow_custom:
        ranked = sorted(own.items(), key=lambda kv: (-kv[1], kv[0].casefold(), kv[0]))
        extras["Own entries"] = pd.DataFrame({"entry": [k for k, _ in ranked], "count": pd.Series([v for _, v in ranked], dtype="int64")})
    return table, figures, extras


def _text(ex: TextExercise, tallies: list[Tally], named: list[tuple[str, Any]] | None) -> _Built:
    columns = ["participant", "answer"] if named is not None else ["answer"]
    words = pd.DataFrame({"word": pd.Series([], dtype=str), "people": pd.Series([], dtype="int64")})
    if ex.sensitive or not tallies:
        return pd.DataFrame({c: pd.Series([], dtype=str) for c in columns}), {}, {} if ex.sensitive else {"Most frequent words": words}
    if named is not None:
        table = pd.DataFrame(sorted(named, key=lambda p: (p[0].casefold(), p[0], p[1])), columns=columns)
    else:
        answers = sorted(_counted(tallies).elements(), key=lambda a: (a.casefold(), a))
        table = pd.DataFrame({"answer": answers})
    n = sum(k for _, k in tallies)
    figures = {"Mean words": sum(len(a.split()) * k for a, k in tallies) / n}
    return table, figures, {"Most frequent words": _frequent_words(tallies)}


class _Words(dict):
    """raw word → the word counted ('' when left out), worked out once per distinct word."""

    def __missing__(self, raw: str) -> str:
        word = raw.replace("’", "'").removesuffix("'s")
        word = word if len(word) > 2 and word not in _STOPWORDS else ""
        self[raw] = word
        return word


def frequent_words(texts: Iterable[str], top: int = TOP_WORDS, min_people: int = 2) -> pd.DataFrame:
    """The words most answers use (each answer counts a word once), common words left out.

    A word used by fewer than ``min_people`` answers is left out, so no one's unusual
    wording singles them out.
    """
    return _frequent_words(((text, 1) for text in texts), top, min_people)


def _frequent_words(tallies: Iterable[Tally], top: int = TOP_WORDS, min_people: int = 2) -> pd.DataFrame:
    people: Counter[str] = Counter()
    normal = _Words()
    findall = _WORD.findall
    for text, k in tallies:
        for word in {normal[w] for w in findall(text.casefold())}:
            people[word] += k
    people.pop("", None)
    ranked = sorted(((w, c) for w, c in people.items() if c >= min_people), key=lambda wc: (-wc[1], wc[0]))[:top]
    return pd.DataFrame({"word": pd.Series([w for w, _ in ranked], dtype=str), "people": pd.Series([c for _, c in ranked], dtype="int64")})


def _budget(ex: BudgetExercise, tallies: list[Tally], named: Any) -> _Built:
    n = sum(k for _, k in tallies)
    by_heading = {h: _counted((answer[h], k) for answer, k in tallies) for h in ex.headings}
    table = pd.DataFrame(
        {
            "heading": list(ex.headings),
            "mean": [sum(v * k for v, k in by_heading[h].items()) / n if n else float("nan") for h in ex.headings],
            "median": [_median(by_heading[h]) if n else float("nan") for h in ex.headings],
        }
    )
    return table, {}, {}


def _grid(ex: GridExercise, tallies: list[Tally], named: Any) -> _Built:
    quadrants = list(ex.quadrants.names())  # as the catalogue names them: top right, top left, bottom right, bottom left
    items: Counter[str] = Counter()
    people: Counter[str] = Counter()
    tag_items: Counter[str] = Counter()
    tag_people: Counter[str] = Counter()
    for answer, k in tallies:
        placed = [ex.quadrant_of(item["x"], item["y"]) for item in answer]
        tagged = [item["tag"] for item in answer]
        for counter, found in ((items, placed), (people, set(placed)), (tag_items, tagged), (tag_people, set(tagged))):
            for key in found:
                counter[key] += k
    total = sum(items.values())
    n = sum(k for _, k in tallies)
    table = pd.DataFrame(
        {
            "quadrant": quadrants,
            "items": pd.Series([items[q] for q in quadrants], dtype="int64"),
            "share": [items[q] / total if total else 0.0 for q in quadrants],
            "people": pd.Series([people[q] for q in quadrants], dtype="int64"),
        }
    )
    tags = pd.DataFrame(
        {
            "tag": list(ex.tags),
            "items": pd.Series([tag_items[t] for t in ex.tags], dtype="int64"),
            "people": pd.Series([tag_people[t] for t in ex.tags], dtype="int64"),
        }
    )
    figures = {"Items": total, "Mean items per person": total / n} if n else {}
    return table, figures, {f"{ex.tag_label} counts": tags}


def _log(ex: LogExercise, tallies: list[Tally], named: Any) -> _Built:
    records = []
    for f in (f for f in ex.fields if f.type == "choice"):
        seen = _counted((row.get(f.name), k) for answer, k in tallies for row in answer if row.get(f.name))
        filled = sum(seen.values())
        records += [{"field": f.label, "choice": c, "rows": seen[c], "share": seen[c] / filled if filled else 0.0} for c in f.choices]
    table = pd.DataFrame(records, columns=["field", "choice", "rows", "share"]).astype({"rows": "int64", "share": "float64"})
    per_person = _counted((len(answer), k) for answer, k in tallies)  # rows logged -> how many people logged that many
    extras = {
        "Rows per person": pd.DataFrame(
            {"rows": pd.Series(sorted(per_person), dtype="int64"), "people": pd.Series([per_person[r] for r in sorted(per_person)], dtype="int64")}
        )
    }
    n = sum(per_person.values())
    total = sum(rows * k for rows, k in per_person.items())
    figures = {"Rows": total, "Mean rows per person": total / n, "Median rows per person": _median(per_person)} if n else {}
    return table, figures, extras


# Each builder and each over-time table takes its own kind's exercise; the callers pick by kind.
_BUILDERS: dict[str, Callable[..., _Built]] = {"scale": _scale, "pick": _pick, "text": _text, "budget": _budget, "grid": _grid, "log": _log}


# --- a whole cohort ------------------------------------------------------------------------


def shown_names(store: ResponseStore, cohort: str) -> dict[str, str]:
    """Participant key → the name to show with names on: a room participant's typed display name.

    Participants outside a room (JupyterHub user, profile name) have no entry: their key is
    their name.  Read only when names are switched on.
    """
    from ..session.room import display_names

    return display_names(cohort, store=store)


def cohort_summaries(
    store: ResponseStore, cohort: str, *, names: bool = False, min_group: int = MIN_GROUP, exercises: Iterable[Exercise] | None = None
) -> dict[str, Summary]:
    """Every exercise of the catalogue (or those given) summarised for one cohort, in catalogue order.

    The store hands over each distinct current answer once, with how many gave it, so a
    cohort of 30,000 costs thousands of rows rather than a million; private text is only
    counted.  With ``names`` on, free-text answers are read per participant, to list them
    with the name each participant is shown by.  The closing feedback (``feedback``
    exercises) is about the day, not a person: never named, and never broken down below
    :data:`MIN_GROUP`, whatever ``names`` and ``min_group`` say.
    """
    chosen = tuple(store.catalogue.exercises if exercises is None else exercises)
    feedback_min = max(min_group, MIN_GROUP)
    with paused_gc():
        tallies = store.answer_tallies(cohort, [ex.id for ex in chosen if reads_answers(ex)])
        counted = store.answered(cohort, [ex.id for ex in chosen if not reads_answers(ex)])
        tallies.update({exercise_id: [(None, n)] for exercise_id, n in counted.items()})
        named: dict[str, list[tuple[str, Any]]] = {}
        texts = [ex.id for ex in chosen if ex.kind == "text" and reads_answers(ex) and not ex.feedback]
        if names and texts:
            shown = shown_names(store, cohort)
            for exercise_id, rows in store.current_answers(cohort, texts).items():
                named[exercise_id] = [(shown.get(r.participant, r.participant), r.answer) for r in rows]
        return {
            ex.id: summarise_tallies(
                ex,
                tallies.get(ex.id, []),
                named=named.get(ex.id, []) if ex.id in texts and names else None,
                min_group=feedback_min if ex.feedback else min_group,
            )
            for ex in chosen
        }


# --- comparisons ------------------------------------------------------------------------------


def _moments(ex: ScaleExercise) -> list[tuple[str, str | None]]:
    return list(zip(ex.pair, ("now", "target"))) if ex.paired else [(SINGLE, None)]


def _picked(ex: PickExercise, answer: list[str]) -> set[str]:
    return {p if p in ex.options else OWN_ENTRY for p in answer}


def _pick_options(ex: PickExercise) -> list[str]:
    return list(ex.options) + ([OWN_ENTRY] if ex.allow_custom else [])


def _comparable(ex: Exercise) -> ScaleExercise | PickExercise:
    if ex.kind not in ("scale", "pick"):
        raise ValueError(f"{ex.id}: comparisons are made for scale and pick exercises only (this one is {ex.kind}).")
    return ex


def compare_cohorts(exercise: Exercise, rows: Iterable[Response], *, min_group: int = MIN_GROUP) -> pd.DataFrame:
    """Cohorts side by side for one scale or pick exercise; rows may come from any cohorts.

    Scale: cohort, moment, n, mean, median.  Pick: cohort, option, n, count, share.
    A cohort with fewer than ``min_group`` answers keeps its n but no figures (NaN).
    """
    exercise = _comparable(exercise)
    groups: dict[str, list[Response]] = {}
    for r in latest_only(r for r in rows if r.exercise_id == exercise.id):
        groups.setdefault(r.cohort, []).append(r)
    records = []
    for cohort in sorted(groups):
        answers = [r.answer for r in groups[cohort]]
        n, hidden = len(answers), len(answers) < min_group
        if exercise.kind == "scale":
            for moment, key in _moments(exercise):
                values = pd.Series([a[key] if key else a for a in answers], dtype="float64")
                records.append(
                    {"cohort": cohort, "moment": moment, "n": n, "mean": float("nan") if hidden else values.mean(), "median": float("nan") if hidden else values.median()}
                )
        else:
            picked = [_picked(exercise, a) for a in answers]
            for option in _pick_options(exercise):
                count = sum(option in p for p in picked)
                records.append(
                    {"cohort": cohort, "option": option, "n": n, "count": float("nan") if hidden else float(count), "share": float("nan") if hidden else count / n}
                )
    columns = ["cohort", "moment", "n", "mean", "median"] if exercise.kind == "scale" else ["cohort", "option", "n", "count", "share"]
    return pd.DataFrame(records, columns=columns).astype({"n": "int64"})


def compare_over_time(
    exercise: Exercise, before: Iterable[Response], after: Iterable[Response], *, min_group: int = MIN_GROUP
) -> pd.DataFrame:
    """The same people at two moments (e.g. cohort "leeds" and its follow-up "leeds@follow-up"), matched by participant.

    Scale: moment, matched, mean_before, mean_after, mean_change, up, down, same.
    Pick: option, matched, share_before, share_after, change.
    Budget: heading, matched, mean_before, mean_after, mean_change.
    Log: field, choice, matched, share_before, share_after, change (shares of the rows
    with that field filled in: e.g. how many commitments are marked Delivered).
    Only participants who answered both times count; with fewer than ``min_group``
    matched the figures are NaN.
    """
    if exercise.kind not in ("scale", "pick", "budget", "log"):
        raise ValueError(f"{exercise.id}: changes over time are measured for scale, pick, budget and log exercises only (this one is {exercise.kind}).")
    first = {r.participant: r.answer for r in latest_only(r for r in before if r.exercise_id == exercise.id)}
    second = {r.participant: r.answer for r in latest_only(r for r in after if r.exercise_id == exercise.id)}
    people = sorted(set(first) & set(second))
    return _OVER_TIME[exercise.kind](exercise, [first[p] for p in people], [second[p] for p in people], len(people) < min_group)


_NAN = float("nan")


def _scale_over_time(exercise: ScaleExercise, first: list[Any], second: list[Any], hidden: bool) -> pd.DataFrame:
    n = len(first)
    records = []
    for moment, key in _moments(exercise):
        a = pd.Series([v[key] if key else v for v in first], dtype="float64")
        b = pd.Series([v[key] if key else v for v in second], dtype="float64")
        change = b - a
        records.append(
            {
                "moment": moment,
                "matched": n,
                "mean_before": _NAN if hidden else a.mean(),
                "mean_after": _NAN if hidden else b.mean(),
                "mean_change": _NAN if hidden else change.mean(),
                "up": _NAN if hidden else float((change > 0).sum()),
                "down": _NAN if hidden else float((change < 0).sum()),
                "same": _NAN if hidden else float((change == 0).sum()),
            }
        )
    columns = ["moment", "matched", "mean_before", "mean_after", "mean_change", "up", "down", "same"]
    return pd.DataFrame(records, columns=columns).astype({"matched": "int64"})


def _pick_over_time(exercise: PickExercise, first: list[Any], second: list[Any], hidden: bool) -> pd.DataFrame:
    n = len(first)
    picked_a = [_picked(exercise, a) for a in first]
    picked_b = [_picked(exercise, b) for b in second]
    records = []
    for option in _pick_options(exercise):
        sa = sum(option in p for p in picked_a) / n if n else _NAN
        sb = sum(option in p for p in picked_b) / n if n else _NAN
        records.append({"option": option, "matched": n, "share_before": _NAN if hidden else sa, "share_after": _NAN if hidden else sb, "change": _NAN if hidden else sb - sa})
    return pd.DataFrame(records, columns=["option", "matched", "share_before", "share_after", "change"]).astype({"matched": "int64"})


def _budget_over_time(exercise: BudgetExercise, first: list[Any], second: list[Any], hidden: bool) -> pd.DataFrame:
    n = len(first)
    records = []
    for heading in exercise.headings:
        a = pd.Series([v[heading] for v in first], dtype="float64")
        b = pd.Series([v[heading] for v in second], dtype="float64")
        records.append(
            {
                "heading": heading,
                "matched": n,
                "mean_before": _NAN if hidden else a.mean(),
                "mean_after": _NAN if hidden else b.mean(),
                "mean_change": _NAN if hidden else (b - a).mean(),
            }
        )
    return pd.DataFrame(records, columns=["heading", "matched", "mean_before", "mean_after", "mean_change"]).astype({"matched": "int64"})


def _log_over_time(exercise: LogExercise, first: list[Any], second: list[Any], hidden: bool) -> pd.DataFrame:
    n = len(first)
    records = []
    for f in (f for f in exercise.fields if f.type == "choice"):
        before = Counter(row.get(f.name) for answer in first for row in answer if row.get(f.name))
        after = Counter(row.get(f.name) for answer in second for row in answer if row.get(f.name))
        filled_a, filled_b = sum(before.values()), sum(after.values())
        for choice in f.choices:
            sa = before[choice] / filled_a if filled_a else _NAN
            sb = after[choice] / filled_b if filled_b else _NAN
            records.append(
                {"field": f.label, "choice": choice, "matched": n, "share_before": _NAN if hidden else sa, "share_after": _NAN if hidden else sb, "change": _NAN if hidden else sb - sa}
            )
    return pd.DataFrame(records, columns=["field", "choice", "matched", "share_before", "share_after", "change"]).astype({"matched": "int64"})


_OVER_TIME: dict[str, Callable[..., pd.DataFrame]] = {"scale": _scale_over_time, "pick": _pick_over_time, "budget": _budget_over_time, "log": _log_over_time}
