"""A programme of cohorts side by side, and each cohort's shift at its follow-up.

``build_programme(store, cohorts)`` walks the catalogue once and returns a :class:`Programme`:
for every exercise, one tidy table with a row per cohort and category (moment, option,
heading, quadrant, status choice) holding counts, means and shares with their spread
(standard deviation; for shares a 95% Wilson interval), and for every exercise the
catalogue's ``[follow_up]`` re-asks, each cohort's change between the workshop and its
follow-up wave, counted only over the people who answered both.

Privacy follows the cohort report: nobody is listed, private text is only counted, and a
cohort with fewer than ``min_group`` answers (or, for a shift, fewer than ``min_group``
people who answered both times) keeps its count but shows no figures: its row is marked
suppressed, never filled with zeros.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..catalogue.model import BudgetExercise, Catalogue, Exercise, GridExercise, LogExercise, PickExercise, ScaleExercise, TextExercise
from ..errors import KitError
from ..store.responses import Response, ResponseStore, paused_gc
from .cohort import OWN_ENTRY, SINGLE, compare_over_time, reads_answers
from ..privacy import MIN_GROUP
from ..catalogue.waves import split_wave, wave_cohort

Z95 = 1.959964  # the normal quantile of a two-sided 95% interval
NO_ANSWERS = "no answers"


def suppressed_status(min_group: int) -> str:
    """The status of a cohort too small to show: what a reader sees instead of figures."""
    return f"suppressed: fewer than {min_group} answers"


def suppressed_shift_status(min_group: int) -> str:
    """The status of a follow-up overlap too small to show."""
    return f"suppressed: fewer than {min_group} answered both times"


@dataclass(frozen=True)
class ExerciseView:
    """One exercise across the programme's cohorts: the side-by-side table and any extra tables."""

    exercise: Exercise
    table: pd.DataFrame
    answered: dict[str, int]
    suppressed: tuple[str, ...]
    extras: dict[str, pd.DataFrame] = field(default_factory=dict)


@dataclass(frozen=True)
class ShiftView:
    """One follow-up exercise: each cohort's change between the workshop and the follow-up, over the people who answered both."""

    exercise: Exercise
    table: pd.DataFrame
    matched: dict[str, int]
    suppressed: tuple[str, ...]


@dataclass(frozen=True)
class Programme:
    """Cohorts side by side for every exercise, and their follow-up shifts."""

    cohorts: tuple[str, ...]
    participants: dict[str, int]
    follow_up_participants: dict[str, int]
    views: dict[str, ExerciseView]
    shifts: dict[str, ShiftView]
    min_group: int
    wave: str = ""

    def overview(self) -> pd.DataFrame:
        """One row per cohort: participants at the workshop and at the follow-up."""
        return pd.DataFrame(
            {
                "cohort": list(self.cohorts),
                "participants": pd.Series([self.participants.get(c, 0) for c in self.cohorts], dtype="int64"),
                "follow_up": pd.Series([self.follow_up_participants.get(c, 0) for c in self.cohorts], dtype="int64"),
            }
        )


# --- building -------------------------------------------------------------------------------


def programme_cohorts(store: ResponseStore, cohorts: Iterable[str] | None = None) -> tuple[str, ...]:
    """The workshop cohorts to compare: those named (a follow-up wave's name stands for its cohort), or every one in the store."""
    catalogue = store.catalogue
    known = store.cohorts()
    bases = sorted({split_wave(c, catalogue)[0] for c in known})
    if cohorts is None:
        return tuple(bases)
    chosen: list[str] = []
    for name in cohorts:
        base = split_wave(name, catalogue)[0]
        if base not in bases:
            listed = ", ".join(bases) or "none yet"
            raise KitError(f"The cohort {name!r} has no answers in {store.location} (cohorts with answers: {listed}).")
        if base not in chosen:
            chosen.append(base)
    return tuple(chosen)


def build_programme(
    store: ResponseStore, cohorts: Iterable[str] | None = None, *, min_group: int = MIN_GROUP, exercises: Iterable[Exercise] | None = None
) -> Programme:
    """Every exercise (or those given) across the cohorts (default: every cohort in the store), and the follow-up shifts."""
    catalogue = store.catalogue
    chosen = programme_cohorts(store, cohorts)
    wanted = tuple(catalogue.exercises if exercises is None else exercises)
    follow_up = catalogue.follow_up
    waves = {c: wave_cohort(c, follow_up.wave) for c in chosen} if follow_up else {}
    with paused_gc():
        tallies = store.programme_tallies(chosen, [ex.id for ex in wanted if reads_answers(ex)]) if chosen else {}
        counted = store.answered_in(chosen, [ex.id for ex in wanted if not reads_answers(ex)]) if chosen else {}
        participants = store.participant_counts(chosen) if chosen else {}
        later = store.participant_counts(list(waves.values())) if waves else {}
        views = {ex.id: exercise_view(ex, chosen, _for(ex, tallies, counted), min_group) for ex in wanted}
        shifts: dict[str, ShiftView] = {}
        if follow_up:
            ids = [i for i in follow_up.exercises if any(ex.id == i for ex in wanted)]
            rows = store.current_answers_in([*chosen, *waves.values()], ids) if ids and chosen else []
            for exercise_id in ids:
                shifts[exercise_id] = shift_view(catalogue.exercise(exercise_id), chosen, waves, rows, min_group)
    return Programme(
        cohorts=chosen,
        participants=participants,
        follow_up_participants={c: later.get(waves[c], 0) for c in chosen} if waves else {},
        views=views,
        shifts=shifts,
        min_group=min_group,
        wave=follow_up.wave if follow_up else "",
    )


def _for(ex: Exercise, tallies: dict[str, dict[str, list[Any]]], counted: dict[str, dict[str, int]]) -> dict[str, list[tuple[Any, int]]]:
    """cohort → this exercise's tallies (private text: one tally of unread answers)."""
    if reads_answers(ex):
        return {c: t.get(ex.id, []) for c, t in tallies.items()}
    return {c: [(None, n[ex.id])] for c, n in counted.items() if ex.id in n}


# --- one exercise, cohorts side by side --------------------------------------------------------


def exercise_view(ex: Exercise, cohorts: Iterable[str], tallies: dict[str, list[tuple[Any, int]]], min_group: int = MIN_GROUP) -> ExerciseView:
    """The side-by-side table of one exercise from each cohort's tallies (distinct answer, how many gave it)."""
    cohorts = list(cohorts)
    columns, build, extra = _SIDE_BY_SIDE[ex.kind]
    if ex.kind == "scale" and ex.paired:
        extra = ("Shift " + " → ".join(ex.pair), _scale_shift_rows, ["mean_shift", "sd_shift", "want_more", "want_less", "no_change"])
    records: list[dict[str, Any]] = []
    extra_records: list[dict[str, Any]] = []
    answered: dict[str, int] = {}
    hidden: list[str] = []
    for cohort in cohorts:
        mine = tallies.get(cohort, [])
        n = sum(k for _, k in mine)
        answered[cohort] = n
        status = NO_ANSWERS if n == 0 else suppressed_status(min_group) if n < min_group else ""
        if status:
            if n:
                hidden.append(cohort)
            records.append({"cohort": cohort, "n": n, "status": status})
            if extra:
                extra_records.append({"cohort": cohort, "n": n, "status": status})
            continue
        # one row even when the kind has no categories here (a log with no choice field), so the cohort is never dropped
        records += [{"cohort": cohort, "n": n, **row, "status": ""} for row in build(ex, mine, n) or [{}]]
        if extra:
            extra_records += [{"cohort": cohort, "n": n, **row, "status": ""} for row in extra[1](ex, mine, n)]
    table = _frame(records, ["cohort", *columns[:1], "n", *columns[1:], "status"])
    extras = {extra[0]: _frame(extra_records, ["cohort", "n", *extra[2], "status"])} if extra else {}
    return ExerciseView(ex, table, answered, tuple(hidden), extras)


def _frame(records: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(records, columns=columns)
    frame["n"] = frame["n"].astype("int64")
    return frame


def weighted_stats(tallies: Iterable[tuple[float, int]]) -> dict[str, float]:
    """n, mean, sd (sample; NaN for one answer), median and quartiles of values counted by how often each was given."""
    pairs = [(float(v), int(k)) for v, k in tallies if k]
    values = np.repeat([v for v, _ in pairs], [k for _, k in pairs]) if pairs else np.array([])
    n = len(values)
    if n == 0:
        return {"mean": math.nan, "sd": math.nan, "median": math.nan, "q1": math.nan, "q3": math.nan}
    q1, median, q3 = np.percentile(values, [25, 50, 75])
    return {"mean": float(values.mean()), "sd": float(values.std(ddof=1)) if n > 1 else math.nan, "median": float(median), "q1": float(q1), "q3": float(q3)}


def wilson(count: float, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a share ``count / n`` (95% by default)."""
    if n == 0:
        return math.nan, math.nan
    p = count / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def _scale_rows(ex: ScaleExercise, tallies: list[tuple[Any, int]], n: int) -> list[dict[str, Any]]:
    if not ex.paired:
        return [{"moment": SINGLE, **weighted_stats(tallies)}]
    return [{"moment": moment, **weighted_stats((a[key], k) for a, k in tallies)} for moment, key in zip(ex.pair, ("now", "target"))]


def _scale_shift_rows(ex: ScaleExercise, tallies: list[tuple[Any, int]], n: int) -> list[dict[str, Any]]:
    gaps = [(a["target"] - a["now"], k) for a, k in tallies]
    stats = weighted_stats(gaps)
    return [
        {
            "mean_shift": stats["mean"],
            "sd_shift": stats["sd"],
            "want_more": sum(k for d, k in gaps if d > 0) / n,
            "want_less": sum(k for d, k in gaps if d < 0) / n,
            "no_change": sum(k for d, k in gaps if d == 0) / n,
        }
    ]


def _pick_rows(ex: PickExercise, tallies: list[tuple[Any, int]], n: int) -> list[dict[str, Any]]:
    known = set(ex.options)
    counts = {o: 0 for o in ex.options}
    counts[OWN_ENTRY] = 0
    for answer, k in tallies:
        for option in {p if p in known else OWN_ENTRY for p in answer}:
            counts[option] += k
    options = list(ex.options) + ([OWN_ENTRY] if ex.allow_custom else [])
    rows = []
    for option in options:
        low, high = wilson(counts[option], n)
        rows.append({"option": option, "count": float(counts[option]), "share": counts[option] / n, "share_low": low, "share_high": high})
    return rows


def _budget_rows(ex: BudgetExercise, tallies: list[tuple[Any, int]], n: int) -> list[dict[str, Any]]:
    rows = []
    for heading in ex.headings:
        stats = weighted_stats((a[heading], k) for a, k in tallies)
        rows.append({"heading": heading, "mean": stats["mean"], "sd": stats["sd"]})
    return rows


def _grid_rows(ex: GridExercise, tallies: list[tuple[Any, int]], n: int) -> list[dict[str, Any]]:
    quadrants = ex.quadrants.names()
    items = {q: 0 for q in quadrants}
    for answer, k in tallies:
        for item in answer:
            items[ex.quadrant_of(item["x"], item["y"])] += k
    total = sum(items.values())
    return [{"quadrant": q, "items": float(items[q]), "share": items[q] / total if total else math.nan} for q in quadrants]


def _log_rows(ex: LogExercise, tallies: list[tuple[Any, int]], n: int) -> list[dict[str, Any]]:
    rows = []
    for f in (f for f in ex.fields if f.type == "choice"):
        seen = {c: 0 for c in f.choices}
        for answer, k in tallies:
            for row in answer:
                if row.get(f.name) in seen:
                    seen[row[f.name]] += k
        filled = sum(seen.values())
        rows += [{"choice": f"{f.label}: {c}", "rows": float(seen[c]), "share": seen[c] / filled if filled else math.nan} for c in f.choices]
    return rows


def _log_per_person(ex: LogExercise, tallies: list[tuple[Any, int]], n: int) -> list[dict[str, Any]]:
    stats = weighted_stats((len(a), k) for a, k in tallies)
    return [{"mean_rows": stats["mean"], "sd_rows": stats["sd"], "median_rows": stats["median"]}]


def _text_rows(ex: TextExercise, tallies: list[tuple[Any, int]], n: int) -> list[dict[str, Any]]:
    return [{}]  # text is only counted across cohorts; the cohort report has each cohort's words


# kind -> (category column then figure columns, row builder, extra table (title, builder, columns) or None)
_SIDE_BY_SIDE: dict[str, tuple[list[str], Any, Any]] = {
    "scale": (["moment", "mean", "sd", "median", "q1", "q3"], _scale_rows, None),
    "pick": (["option", "count", "share", "share_low", "share_high"], _pick_rows, None),
    "budget": (["heading", "mean", "sd"], _budget_rows, None),
    "grid": (["quadrant", "items", "share"], _grid_rows, None),
    "log": (["choice", "rows", "share"], _log_rows, ("Rows per person", _log_per_person, ["mean_rows", "sd_rows", "median_rows"])),
    "text": ([], _text_rows, None),
}


# --- the follow-up ------------------------------------------------------------------------------


def shift_view(ex: Exercise, cohorts: Iterable[str], waves: dict[str, str], rows: list[Response], min_group: int = MIN_GROUP) -> ShiftView:
    """Each cohort's change on one exercise between the workshop and its follow-up wave (people who answered both only)."""
    by_cohort: dict[str, list[Response]] = {}
    for r in rows:
        if r.exercise_id == ex.id:
            by_cohort.setdefault(r.cohort, []).append(r)
    frames = []
    matched: dict[str, int] = {}
    hidden: list[str] = []
    for cohort in cohorts:
        frame = compare_over_time(ex, by_cohort.get(cohort, []), by_cohort.get(waves[cohort], []), min_group=min_group)
        n = int(frame["matched"].iloc[0]) if len(frame) else 0
        matched[cohort] = n
        if n == 0:
            status = "no one has answered both times yet"
        elif n < min_group:
            status = suppressed_shift_status(min_group)
            hidden.append(cohort)
        else:
            status = ""
        if status:  # one row saying why, with no figures (never zeros)
            frame = frame.iloc[:1].copy()
            split = list(frame.columns).index("matched")
            for column in frame.columns[:split]:
                frame[column] = None
            for column in frame.columns[split + 1 :]:
                frame[column] = math.nan
        frame.insert(0, "cohort", cohort)
        frame["status"] = status
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["cohort", "matched", "status"])
    return ShiftView(ex, table, matched, tuple(hidden))
