"""Load: 40 participant processes saving 200 answers each at once, on SQLite and on PostgreSQL.

Each worker is a separate OS process (like a kernel) with its own ``ResponseStore``,
saving a mix of every exercise kind through the public API with real validation.  All
8000 answers must be in the store afterwards, exactly as saved, and no error may reach a
participant.  Run with ``-s`` to see throughput and p50/p99 save latency.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import time
from typing import Any

import pytest

from hostile_corpus import good_answer

pytestmark = pytest.mark.slow  # starts forty writing processes: left out of `make check`

WORKERS = 40
SAVES = 200
COHORT = "load-test"
# a mix of every kind: scale, paired scale, pick, text, budget, grid, log
EXERCISES = (
    "risk.authority",
    "risk.appetite",
    "goal.aims",
    "brand.attributes",
    "goal.statement",
    "week.time-budget",
    "system.map",
    "relationships.log",
    "iwe.learning-commitment",
    "development.comfort",
)
HANG_GUARD_SECONDS = 120  # how long to wait for the workers before calling it a hang; a guard, not a figure (speed is measured in benchmarks/)


def plan(worker: int) -> list[tuple[str, Any]]:
    """The (exercise id, answer) pairs one worker saves, in order."""
    from workshop_kit.catalogue.model import default_catalogue

    catalogue = default_catalogue()
    return [
        (ex_id, good_answer(catalogue.exercise(ex_id), worker + i))
        for i in range(SAVES)
        for ex_id in (EXERCISES[(worker + i) % len(EXERCISES)],)
    ]


def _worker(url: str, worker: int, go: Any, results: Any) -> None:
    """One participant: wait for the start signal, then save the whole plan as fast as possible."""
    from workshop_kit.store.responses import ResponseStore

    latencies, saved, errors = [], [], []
    store = ResponseStore(url)
    participant = f"Participant {worker:02d}"
    todo = plan(worker)
    go.wait()
    for ex_id, answer in todo:
        start = time.perf_counter()
        try:
            row = store.save(ex_id, answer, participant=participant, cohort=COHORT)
        except Exception as exc:  # noqa: BLE001 - an error here is an error a participant would see
            errors.append(f"{type(exc).__name__}: {exc}")
            continue
        latencies.append(time.perf_counter() - start)
        saved.append(row.uid)
    store.close()
    results.put((worker, latencies, saved, errors))


def run_load(url: str) -> dict[str, Any]:
    """Start the workers together, collect what they report, and return the figures."""
    ctx = mp.get_context("fork")  # quick to start; each child opens its own store after the fork
    go, results = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(url, w, go, results)) for w in range(WORKERS)]
    for p in procs:
        p.start()
    time.sleep(0.5)  # let every child import and open its store before the gun
    started = time.perf_counter()
    go.set()
    reports = [results.get(timeout=HANG_GUARD_SECONDS) for _ in procs]
    elapsed = time.perf_counter() - started
    for p in procs:
        p.join(timeout=10)
    latencies = sorted(x for _, lat, _, _ in reports for x in lat)
    return {
        "elapsed": elapsed,
        "latencies": latencies,
        "uids": {w: uids for w, _, uids, _ in reports},
        "errors": [e for _, _, _, errs in reports for e in errs],
        "exit_codes": [p.exitcode for p in procs],
    }


def check_and_report(store: Any, label: str, figures: dict[str, Any]) -> None:
    """Every planned answer is in the store exactly as saved; print the figures."""
    lat = figures["latencies"]
    total = WORKERS * SAVES
    p50, p99 = lat[len(lat) // 2] if lat else 0, lat[min(len(lat) - 1, int(len(lat) * 0.99))] if lat else 0
    print(
        f"\n  {label}: {WORKERS} processes x {SAVES} saves = {total} in {figures['elapsed']:.2f} s "
        f"({total / figures['elapsed']:.0f} saves/s); save latency p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
        f"max {lat[-1] * 1000:.0f} ms; errors {len(figures['errors'])}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    assert figures["errors"] == [], figures["errors"][:5]
    assert figures["exit_codes"] == [0] * WORKERS
    assert store.count(COHORT) == total
    rows = store.all_responses(COHORT)
    by_uid = {r.uid: r for r in rows}
    for worker, uids in figures["uids"].items():
        expected = plan(worker)
        assert len(uids) == SAVES
        for uid, (ex_id, answer) in zip(uids, expected):
            row = by_uid[uid]
            assert (row.participant, row.exercise_id, row.answer) == (f"Participant {worker:02d}", ex_id, answer)


def test_plan_mixes_every_kind(catalogue):
    """The workers' answers cover every exercise kind, and every planned answer is valid."""
    from workshop_kit.catalogue.answers import validate_answer
    from workshop_kit.catalogue.model import KINDS

    assert {catalogue.exercise(e).kind for e in EXERCISES} == set(KINDS)
    for ex_id, answer in plan(3):
        assert validate_answer(catalogue.exercise(ex_id), answer) == answer


def test_sqlite_40_processes_save_8000_answers_at_once(kit_env):
    """40 processes saving 200 answers each into one fresh SQLite file lose none and see no error."""
    from workshop_kit.store.responses import ResponseStore

    path = kit_env / "load.sqlite"
    figures = run_load(str(path))  # the store file does not exist yet: the workers also race to create it
    with ResponseStore(path) as store:
        check_and_report(store, "SQLite", figures)
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"


@pytest.mark.postgres
def test_postgresql_40_processes_save_8000_answers_at_once(pg_store):
    """40 processes saving 200 answers each into one PostgreSQL database lose none and see no error."""
    pg_store.close()  # no connection of the parent's may cross the fork
    figures = run_load(pg_store.url)
    check_and_report(pg_store, "PostgreSQL", figures)
