"""Presenter view (issue 14): how fast it opens for a cohort of 30, and how soon a save shows in its count.

Before, the facilitator's live view was the dashboard: its first draw (every card and chart
for the cohort, ``refresh._dashboard``) and its 5-second poll, so a save reached the screen
up to 5 s later.  After, the presenter view (``python -m workshop_kit.views.presenter``, started
as ``workshop-kit serve`` starts it):

* open: the page's first request after the server is listening, and then warm (median of 10);
* state: one ``/api/state`` poll (median of 20), what the page asks every 0.5 s;
* save → visible: an answer saved into the store, then the time until the page's count
  in headless Chromium shows it (10 saves; without a browser, until a poll at the page's
  rate sees it);
* a result shown live (or revealed, waiting for its first release): each poll reads the
  cohort's release.  Before: the whole answer history walked again (``compare.released``);
  after: the presenter's kept walk (``compare.ReleaseWalk``), which reads only the rows saved
  since its last poll.  Measured in one process against the same store, one new save per poll.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

from .common import Figure, fmt_seconds, median, percentile

COHORT = "demo"
TOKEN = "benchmark-presenter-token"


def _seed(folder: Path) -> Path:
    from workshop_kit.session import room
    from workshop_kit.store.demo import make_demo_cohort
    from workshop_kit.store.responses import ResponseStore

    path = folder / "presenter.sqlite"
    with ResponseStore(path) as store:
        make_demo_cohort(store, 30, COHORT, seed=4)
        for i in range(30):
            room.issue_code(f"Person {i}", cohort=COHORT, store=store)
    return path


def _answer(exercise):  # type: ignore[no-untyped-def]
    """A valid answer to a scale (the catalogue's first exercise): its lowest value, for a pair both moments."""
    return {"now": exercise.min, "target": exercise.min} if exercise.paired else exercise.min


def _get(url: str, headers: dict[str, str] | None = None) -> bytes:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=30) as response:
        return response.read()


def _before(path: Path) -> list[Figure]:
    import matplotlib

    matplotlib.use("Agg")
    from .refresh import _dashboard

    first, tick = _dashboard(path)
    return [
        Figure("presenter", "before: dashboard first draw, 30 participants", fmt_seconds(first), note="every card and chart"),
        Figure("presenter", "before: dashboard save → visible", f"up to 5 s + {fmt_seconds(tick)}", note="its 5 s poll, then a live tick"),
    ]


def _browser_latency(base: str, path: Path, rounds: int) -> list[float] | None:
    try:
        from playwright.sync_api import sync_playwright

        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
        from browser_helpers import FLAGS, chromium_executable
    except ImportError:
        return None
    executable = chromium_executable()
    if executable is None:
        return None
    from workshop_kit.store.responses import ResponseStore

    times = []
    with sync_playwright() as p, ResponseStore(path) as store:
        browser = p.chromium.launch(executable_path=executable, args=FLAGS)
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        page.goto(f"{base}/?token={TOKEN}")
        page.keyboard.press("ArrowRight")  # the first exercise, a scale
        page.wait_for_selector("#wk-panel [data-exercise]")
        exercise = store.catalogue.exercises[0]
        for i in range(rounds):
            before = page.inner_text("#wk-count")
            start = time.perf_counter()
            store.save(exercise.id, _answer(exercise), participant=f"late arrival {i}", cohort=COHORT)
            page.wait_for_function("before => document.getElementById('wk-count').textContent !== before", arg=before, timeout=30_000)
            times.append(time.perf_counter() - start)
            page.wait_for_timeout(137)  # land at different points of the poll
        browser.close()
    return times


def _poll_latency(base: str, path: Path, rounds: int) -> list[float]:
    from workshop_kit.store.responses import ResponseStore

    headers = {"X-Presenter-Token": TOKEN}
    times = []
    with ResponseStore(path) as store:
        exercise = store.catalogue.exercises[0]
        request = urllib.request.Request(f"{base}/api/action", data=json.dumps({"action": "next"}).encode(), headers={**headers, "Content-Type": "application/json"})
        urllib.request.urlopen(request, timeout=30).read()  # from the join screen to the first exercise, as the browser's → key does
        for i in range(rounds):
            was = json.loads(_get(f"{base}/api/state", headers)).get("answered")
            start = time.perf_counter()
            store.save(exercise.id, _answer(exercise), participant=f"poll arrival {i}", cohort=COHORT)
            while json.loads(_get(f"{base}/api/state", headers)).get("answered") == was:
                time.sleep(0.5)
            times.append(time.perf_counter() - start)
    return times


def _release_polls(folder: Path, people: int, versions: int, polls: int) -> Figure:
    """One poll's read of a live result: a fresh walk of the whole history against the kept walk, a save between polls."""
    from workshop_kit.privacy import MIN_COHORT, release_step
    from workshop_kit._version import __version__
    from workshop_kit.store.responses import Response, ResponseStore
    from workshop_kit.summaries.compare import ReleaseWalk, released

    step = release_step(MIN_COHORT)
    with ResponseStore(folder / f"history-{people}.sqlite") as store:
        start = dt.datetime(2026, 3, 1, 9, tzinfo=dt.timezone.utc)
        rows = [
            Response(uuid.uuid4().hex, COHORT, f"p{i:04d}", "goal.ambition", 1 + (i + v) % 10, start + dt.timedelta(seconds=v * people + i), __version__)
            for v in range(versions) for i in range(people)
        ]
        store.add_responses(rows)
        kept = ReleaseWalk(COHORT, "goal.ambition", step)
        kept.read(store)  # the presenter's first poll walks everything once
        fresh_times, kept_times = [], []
        for n in range(polls):
            store.save("goal.ambition", 1 + n % 10, participant=f"p{n % people:04d}", cohort=COHORT)
            start = time.perf_counter()
            fresh = released(store, COHORT, "goal.ambition", step)
            fresh_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            mine = kept.read(store)
            kept_times.append(time.perf_counter() - start)
            assert mine == fresh  # the same release, or the figure means nothing
    total = people * versions
    return Figure(
        "presenter",
        f"one poll of a live result, {people} people × {versions} versions: before (whole history) / after (rows since)",
        f"{fmt_seconds(median(fresh_times))} / {fmt_seconds(median(kept_times))}",
        note=f"{total:,} rows; median of {polls} polls, a save before each",
    )


def run(quick: bool, browser: bool = True) -> list[Figure]:
    from workshop_kit.views.presenter import LINK_ENV, TOKEN_ENV
    from workshop_kit.commands.serve import Server, free_port, wait_until_listening

    folder = Path(tempfile.mkdtemp(prefix="wk-bench-presenter-"))
    figures: list[Figure] = []
    process = None
    try:
        path = _seed(folder)
        figures += _before(path)
        for people, versions in ((30, 20), (300, 20)) if quick else ((30, 20), (300, 20), (3000, 10)):
            figures.append(_release_polls(folder, people, versions, 10 if quick else 30))
        port = free_port()
        env = dict(os.environ, WORKSHOP_KIT_STORE=str(path), PYTHONUNBUFFERED="1")
        env[TOKEN_ENV], env[LINK_ENV] = TOKEN, "http://192.0.2.1:8866/?token=room"
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "workshop_kit.views.presenter", "--cohort", COHORT, "--port", str(port)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        if not wait_until_listening(Server("presenter", process, port, ""), timeout=60):  # type: ignore[arg-type]
            return figures + [Figure("presenter", "presenter view", "did not start")]
        listening = time.perf_counter() - started
        base = f"http://127.0.0.1:{port}"
        start = time.perf_counter()
        _get(f"{base}/?token={TOKEN}")
        first = time.perf_counter() - start
        warm = []
        for _ in range(10):
            start = time.perf_counter()
            _get(f"{base}/?token={TOKEN}")
            warm.append(time.perf_counter() - start)
        figures.append(Figure("presenter", "after: presenter opens, 30 participants (first / warm)", f"{fmt_seconds(first)} / {fmt_seconds(median(warm))}", "< 1 s", first < 1, f"server up in {listening:.1f} s (started once, with serve)"))
        polls = []
        for _ in range(20):
            start = time.perf_counter()
            _get(f"{base}/api/state", {"X-Presenter-Token": TOKEN})
            polls.append(time.perf_counter() - start)
        figures.append(Figure("presenter", "after: one /api/state poll (every 0.5 s)", fmt_seconds(median(polls)), note="median of 20"))
        rounds = 5 if quick else 10
        times = _browser_latency(base, path, rounds) if browser else None
        how = "Chromium, page's count text"
        if times is None:
            times, how = _poll_latency(base, path, rounds), "HTTP polls every 0.5 s (no browser)"
        worst = max(times)
        figures.append(
            Figure("presenter", "after: save → count visible (p50 / max)", f"{fmt_seconds(percentile(times, 50))} / {fmt_seconds(worst)}", "< 1 s", worst < 1, f"{how}; {len(times)} saves")
        )
    finally:
        if process is not None and process.poll() is None:
            os.killpg(process.pid, 15)
            process.wait(10)
        shutil.rmtree(folder, ignore_errors=True)
    return figures
