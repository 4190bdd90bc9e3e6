"""Cohort views read grouped current answers from the store; they must say exactly what the answers say.

The oracle is the plain route: every saved row, sifted in Python (``latest_only``) and
summarised one exercise at a time.  The fast route (``cohort_summaries``: current rows
flagged by the store, identical answers grouped by the database) must give the same
summaries, byte for byte, on SQLite and on PostgreSQL, for rows that arrived in any order.
"""

from __future__ import annotations

import random

import pytest

from workshop_kit.views.dashboard import collect
from workshop_kit.store.demo import demo_rows
from workshop_kit.store.responses import ResponseStore
from workshop_kit.summaries.cohort import cohort_summaries, latest_only, summarise
from workshop_kit.privacy import MIN_GROUP

COHORT = "Leeds 2026"


def _fill(store: ResponseStore) -> None:
    """A demo cohort (with earlier versions of answers) arriving out of order, in two imports, plus live saves."""
    rows = demo_rows(40, COHORT, seed=11)
    random.Random(3).shuffle(rows)  # saving order no longer follows saved_at
    store.add_responses(rows[:700])
    store.add_responses(rows[600:])  # overlaps: the repeated rows are skipped
    store.add_responses(demo_rows(5, "another cohort", seed=2))
    for who, value in (("late-comer", 9), ("late-comer", 4), (rows[0].participant, 1)):
        store.save("brand.value", value, participant=who, cohort=COHORT)
    store.forget(rows[1].participant, COHORT)


def _plain_route(store: ResponseStore, *, names: bool, min_group: int) -> dict[str, str]:
    current = latest_only(store.all_responses(COHORT))
    return {ex.id: summarise(ex, [r for r in current if r.exercise_id == ex.id], names=names, min_group=min_group, latest=True).fingerprint() for ex in store.catalogue.exercises}


def _check_same_summaries(store: ResponseStore) -> None:
    _fill(store)
    for names, min_group in ((False, MIN_GROUP), (True, MIN_GROUP), (False, 45)):
        fast = {ex_id: s.fingerprint() for ex_id, s in cohort_summaries(store, COHORT, names=names, min_group=min_group).items()}
        assert fast == _plain_route(store, names=names, min_group=min_group), (names, min_group)
    total, summaries = collect(store, COHORT)
    assert total == len({r.participant for r in store.all_responses(COHORT)}) == 40
    assert summaries["brand.value"].n == len({r.participant for r in store.all_responses(COHORT) if r.exercise_id == "brand.value"})


def test_same_summaries_sqlite(store: ResponseStore) -> None:
    """On SQLite, the grouped current answers summarise exactly as every row sifted in Python."""
    _check_same_summaries(store)


@pytest.mark.postgres
def test_same_summaries_postgres(pg_store: ResponseStore) -> None:
    """On PostgreSQL, the same."""
    _check_same_summaries(pg_store)
