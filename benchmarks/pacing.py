"""The room page's pacing look: what one look at the live state costs a participant's kernel.

Every participant page looks at the cohort's live state every few seconds
(``workshop_kit.widgets.pacing.POLL_S``), so a room of 30 makes about 12 looks a second.
This prints the time of one look (``PacingBar.check``: one SELECT of one row and a
redraw) against an SQLite store holding a room of 30 with their signals, and the share
of one core that 30 pages looking every POLL_S seconds would take.  Nothing is asserted.

    .venv/bin/python -m benchmarks.pacing
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from .common import fmt_seconds, percentile

COHORT = "bench-pacing"
ROOM = 30
LOOKS = 2000


def main() -> int:
    from workshop_kit.store import live
    from workshop_kit.store.responses import ResponseStore
    from workshop_kit.widgets.pacing import POLL_S, PacingBar

    with tempfile.TemporaryDirectory() as folder, ResponseStore(Path(folder) / "answers.sqlite") as store:
        live.update_state(store, COHORT, section="03-audacious-goals", exercise="goal.statement", self_paced=False)
        for i in range(ROOM):
            live.set_signal(store, COHORT, f"participant-{i:02d}", "goal.statement", "done" if i % 3 else "help")
        titles = {"02-risk.ipynb": "2. Risk", "03-audacious-goals.ipynb": "3. Big Hairy Audacious Goals"}
        bar = PacingBar(open_store=lambda: store, cohort=COHORT, participant="participant-00", titles=titles, catalogue=store.catalogue, open_page=lambda page: None)
        bar.shown("02-risk.ipynb")
        bar.check()  # warm-up, unmeasured
        times = []
        for _ in range(LOOKS):
            start = time.perf_counter()
            bar.check()
            times.append(time.perf_counter() - start)
        bar.close()
    p50, p95 = percentile(times, 50), percentile(times, 95)
    print(f"One pacing look (SQLite, room of {ROOM}, {LOOKS} looks): median {fmt_seconds(p50)}, p95 {fmt_seconds(p95)}")
    print(f"{ROOM} pages looking every {POLL_S} s: about {100 * ROOM * p50 / POLL_S:.1f}% of one core")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
