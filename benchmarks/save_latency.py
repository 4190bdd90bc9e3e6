"""1. Save latency: one answer, with 1, 10 and 40 participants saving at the same moment.

Each participant is a separate process (as each kernel is), with its own ResponseStore
opened and warmed up (one unmeasured save) before the clock starts.  Then, round after
round, every process waits at a barrier and saves one answer the moment it is released,
timing ``ResponseStore.save`` (validation, identity, the write transaction and commit).
The figures are percentiles over all saves of all rounds.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import tempfile
from pathlib import Path

from .common import Figure, fmt_seconds, percentile

COHORT = "bench-save"


def _answer(exercise):
    middle = (exercise.min + exercise.max) // 2
    return {"now": middle, "target": exercise.max} if exercise.paired else middle


def _worker(url: str, index: int, rounds: int, barrier, results) -> None:
    import time

    from workshop_kit.store.responses import ResponseStore

    os.environ.pop("WORKSHOP_KIT_PROFILE", None)
    store = ResponseStore(url)
    scales = [ex for ex in store.catalogue.exercises if ex.kind == "scale"]
    participant = f"participant-{index:03d}"
    store.save(scales[0].id, _answer(scales[0]), participant=participant, cohort=COHORT)  # warm-up, unmeasured
    times = []
    try:
        for r in range(rounds):
            exercise = scales[r % len(scales)]
            answer = _answer(exercise)
            barrier.wait()
            start = time.perf_counter()
            store.save(exercise.id, answer, participant=participant, cohort=COHORT)
            times.append(time.perf_counter() - start)
    finally:
        store.close()
        results.put((index, times))


def measure(url: str, writers: int, rounds: int) -> list[float]:
    """Latencies (seconds) of every save by ``writers`` processes saving together for ``rounds`` rounds."""
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(writers, timeout=120)
    results = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(url, i, rounds, barrier, results)) for i in range(writers)]
    for p in procs:
        p.start()
    times: list[float] = []
    for _ in procs:
        _, got = results.get(timeout=600)
        times.extend(got)
    for p in procs:
        p.join(timeout=60)
    if len(times) != writers * rounds:
        raise RuntimeError(f"expected {writers * rounds} saves, got {len(times)}")
    return times


def run(quick: bool, postgres: bool = True) -> list[Figure]:
    figures: list[Figure] = []
    counts = (1, 10, 40)
    rounds = 10 if quick else 40
    backends: list[tuple[str, str]] = []
    tmp = tempfile.TemporaryDirectory(prefix="wk-bench-save-")
    backends.append(("SQLite", f"sqlite:///{Path(tmp.name) / 'answers.sqlite'}"))
    server = None
    if postgres:
        import sys

        from .common import ROOT

        sys.path.insert(0, str(ROOT))
        from tests.pg_server import PostgresServer, unavailable_reason

        reason = unavailable_reason()
        if reason:
            figures.append(Figure("save", "PostgreSQL", "skipped", note=reason))
        else:
            server = PostgresServer().start()
            backends.append(("PostgreSQL", server.url))
    try:
        for name, url in backends:
            for n in counts:
                times = measure(url, n, rounds)
                p50, p99 = percentile(times, 50), percentile(times, 99)
                target, met = "", None
                if name == "SQLite" and n == 40:
                    target, met = "p99 < 50 ms", p99 < 0.050
                figures.append(
                    Figure(
                        "save",
                        f"{name}, {n} saving at once: p50 / p99 / max",
                        f"{fmt_seconds(p50)} / {fmt_seconds(p99)} / {fmt_seconds(max(times))}",
                        target,
                        met,
                        f"{len(times)} saves",
                    )
                )
    finally:
        if server is not None:
            server.stop()
        tmp.cleanup()
    return figures
