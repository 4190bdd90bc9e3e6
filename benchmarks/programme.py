"""5. The programme report at programme scale: 50 cohorts × 30 participants, two waves.

The demo generator (``workshop_kit.store.demo``) fills one store with 50 cohorts of 30 made-up
participants (``make_demo_cohort``, seed = cohort number) and each cohort's follow-up wave
(``make_demo_follow_up``: 80% of the same people answer the re-asked exercises again).
Then, each in a fresh ``ResponseStore`` so nothing is warm:

* tables: ``build_programme`` — every exercise side by side for 50 cohorts, and every
  follow-up shift (the store's grouped reads, then pandas);
* report: ``programme_report`` — the tables again, plus a chart per exercise and per
  shift (drawn once, saved as SVG for the HTML page and as PNG for the XLSX workbook),
  and both files (what `workshop-kit programme` runs).

Run on SQLite (a file) and on PostgreSQL (the throwaway server of ``tests/pg_server.py``).
"""

from __future__ import annotations

import shutil
import tempfile
import time
import zipfile
from pathlib import Path

from .common import Figure, fmt_seconds

COHORTS = 50
PARTICIPANTS = 30


def cohort_name(i: int) -> str:
    return f"cohort-{i:02d}"


def fill(url: str, cohorts: int) -> tuple[int, float]:
    """Write the programme into the store; returns (rows, seconds)."""
    from workshop_kit.store.demo import make_demo_cohort, make_demo_follow_up
    from workshop_kit.store.responses import ResponseStore

    start = time.perf_counter()
    rows = 0
    with ResponseStore(url) as store:
        for i in range(1, cohorts + 1):
            rows += make_demo_cohort(store, PARTICIPANTS, cohort_name(i), seed=i)
            rows += make_demo_follow_up(store, PARTICIPANTS, cohort_name(i), seed=i)
    return rows, time.perf_counter() - start


def measure(url: str, label: str, out: Path) -> list[Figure]:
    from workshop_kit.summaries.programme import build_programme
    from workshop_kit.views.programme import programme_report
    from workshop_kit.store.responses import ResponseStore

    with ResponseStore(url) as store:
        start = time.perf_counter()
        programme = build_programme(store)
        tables = time.perf_counter() - start
    with ResponseStore(url) as store:
        start = time.perf_counter()
        files = programme_report(store, out_dir=out)
        report = time.perf_counter() - start
    size = f"HTML {files.html.stat().st_size / 1e6:.1f} MB, XLSX {files.xlsx.stat().st_size / 1e6:.1f} MB"
    charts = files.html.read_text(encoding="utf-8").count("data:image/svg+xml")
    with zipfile.ZipFile(files.xlsx) as book:
        pictures = sum(name.startswith("xl/media/") for name in book.namelist())
    n = f"{len(programme.cohorts)} cohorts × {PARTICIPANTS}, two waves"
    return [
        Figure("programme", f"{label}, {n}: tables (build_programme)", fmt_seconds(tables)),
        Figure("programme", f"{label}, {n}: report, HTML + XLSX", fmt_seconds(report), note=f"{charts} charts in the page, {pictures} in the workbook; {size}"),
    ]


def run(quick: bool, postgres: bool = True) -> list[Figure]:
    import matplotlib

    matplotlib.use("Agg")
    cohorts = 10 if quick else COHORTS
    folder = Path(tempfile.mkdtemp(prefix="wk-bench-programme-"))
    figures: list[Figure] = []
    try:
        path = folder / "programme.sqlite"
        rows, made = fill(str(path), cohorts)
        figures.append(Figure("programme", f"SQLite: writing {cohorts} cohorts × {PARTICIPANTS} and their follow-ups (set-up)", fmt_seconds(made), note=f"{rows:,} rows"))
        figures += measure(str(path), "SQLite", folder / "sqlite-report")
        if postgres:
            from tests.pg_server import PostgresServer, unavailable_reason

            reason = unavailable_reason()
            if reason:
                figures.append(Figure("programme", "PostgreSQL", "skipped", note=reason))
            else:
                with PostgresServer() as server:
                    rows, made = fill(server.url, cohorts)
                    figures.append(Figure("programme", f"PostgreSQL: writing the same (set-up)", fmt_seconds(made), note=f"{rows:,} rows"))
                    figures += measure(server.url, "PostgreSQL", folder / "pg-report")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return figures
