"""4. Files: export and import of a 3,000-participant demo cohort (history included).

The cohort is made by the demo generator and written with ``add_responses``; then
``export_answers`` writes the whole cohort to a JSON file, ``import_answers`` reads it
into an empty store (every row checked against the catalogue first), and a second
import of the same file shows the cost of an idempotent re-import (nothing added).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from .common import Figure, fmt_seconds
from .refresh import COHORT, seeded_store


def run(quick: bool, data: Path | None = None, participants: int = 3000) -> list[Figure]:
    from workshop_kit.store.responses import ResponseStore
    from workshop_kit.store.transfer import export_answers, import_answers

    with tempfile.TemporaryDirectory(prefix="wk-bench-files-") as name:
        tmp = Path(name)
        source, rows, _ = seeded_store(data or tmp, participants)
        file = tmp / "cohort.json"
        with ResponseStore(source) as store:
            start = time.perf_counter()
            written = export_answers(store, file, COHORT)
            export_s = time.perf_counter() - start
        size = file.stat().st_size / 2**20
        with ResponseStore(tmp / "empty.sqlite") as target:
            target.count()  # tables made: not part of the import
            start = time.perf_counter()
            first = import_answers(target, file)
            import_s = time.perf_counter() - start
            start = time.perf_counter()
            again = import_answers(target, file)
            again_s = time.perf_counter() - start
        if first.added != written or again.added != 0:
            raise RuntimeError(f"round trip lost rows: wrote {written}, added {first.added}, then {again.added}")
        label = f"{participants:,} participants"
        return [
            Figure("files", f"{label}: export to JSON", fmt_seconds(export_s), note=f"{written:,} rows, {size:.1f} MB"),
            Figure("files", f"{label}: import into an empty store", fmt_seconds(import_s), note=f"{first.added:,} rows added"),
            Figure("files", f"{label}: import the same file again", fmt_seconds(again_s), note="0 added (idempotent)"),
        ]
