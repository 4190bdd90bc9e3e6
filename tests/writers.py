"""Many processes saving answers into one store at the same moment (store tests and benchmarks).

``run_writers(url, processes, saves)`` starts a fresh Python process (``python writers.py``)
that imports the kit once and then starts the writers with multiprocessing: each writer
is a separate OS process with its own database connection (forked from that clean
process, which never opened the store; spawned where fork is unavailable), so 30 writers
do not each pay the SQLAlchemy import on a small machine.  All writers open the store,
wait for one start signal, then save as fast as they can.  The kit's environment
variables (``WORKSHOP_KIT_*``) pass through unchanged.

From a shell: ``python tests/writers.py URL PROCESSES SAVES [PEOPLE]`` prints the result as JSON.
"""

from __future__ import annotations

import json
import multiprocessing
import queue
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

TIMEOUT = 180


def _writer(url: str, who: int, saves: int, people: int, ready: Any, go: Any, results: Any) -> None:
    from workshop_kit.store.responses import ResponseStore

    errors: list[str] = []
    store = ResponseStore(url)
    try:
        store.count()  # open it (and create the schema, racing the others) before the start signal
    except Exception as exc:  # counted, not hidden
        errors.append(f"open: {type(exc).__name__}: {exc}")
    ready.put(who)
    go.wait()
    for i in range(saves):
        try:
            store.save("brand.value", i % 10 + 1, participant=f"p{who % people}", cohort="load")
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
    store.close()
    results.put((who, errors))


def _start_writers(url: str, processes: int, saves: int, people: int) -> dict[str, Any]:
    """Run the writers from this process; returns {"errors": [...], "seconds": float}."""
    import workshop_kit.store.responses  # noqa: F401  (imported once, before the writers start)

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    ctx = multiprocessing.get_context(method)
    ready, results, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    workers = [ctx.Process(target=_writer, args=(url, i, saves, people, ready, go, results)) for i in range(processes)]
    for worker in workers:
        worker.start()
    errors: list[str] = []
    start = time.perf_counter()
    try:
        for _ in workers:
            ready.get(timeout=TIMEOUT)
        go.set()
        start = time.perf_counter()
        for _ in workers:
            try:
                _who, worker_errors = results.get(timeout=TIMEOUT)
            except queue.Empty:
                errors.append("a writer did not finish in time")
                break
            errors.extend(worker_errors)
        seconds = time.perf_counter() - start
        for worker in workers:
            worker.join(timeout=TIMEOUT)
            if worker.exitcode != 0:
                errors.append(f"a writer exited with code {worker.exitcode}")
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.terminate()
    return {"errors": errors, "seconds": seconds, "method": method}


def run_writers(url: str, processes: int, saves: int, people: int | None = None) -> tuple[list[str], float]:
    """Start `processes` writers that each save `saves` answers at once, as participants p0, p1, … in cohort 'load'.

    With ``people`` fewer than ``processes``, writers share participants (writer i saves as
    p{i % people}): the same answer saved from several places at the same moment.

    Returns every error any writer met (an empty list when none), and the seconds from the
    start signal until the last writer finished.
    """
    result = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), url, str(processes), str(saves), str(people or processes)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT * 2,
    )
    if result.returncode != 0:
        raise RuntimeError(f"the writers' driver failed:\n{result.stderr}")
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    return outcome["errors"], outcome["seconds"]


if __name__ == "__main__":
    url, processes, saves = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    people = int(sys.argv[4]) if len(sys.argv) > 4 else processes
    print(json.dumps(_start_writers(url, processes, saves, people)))
