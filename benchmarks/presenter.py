"""Presenter view (issue 14): how fast it opens for a cohort of 30, and how soon a save shows in its count.

Before, the facilitator's live view was the dashboard: its first draw (every card and chart
for the cohort, ``refresh._dashboard``) and its 5-second poll, so a save reached the screen
up to 5 s later.  After, the presenter view (``python -m workshop_kit.views.presenter``, started
as ``workshop-kit serve`` starts it):

* open: the page's first request after the server is listening, and then warm (median of 10);
* state: one ``/api/state`` poll (median of 20), what the page asks every 0.5 s;
* save → visible: an answer saved into the store, then the time until the page's count
  in headless Chromium shows it (10 saves; without a browser, until a poll at the page's
  rate sees it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
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
        json.loads(_get(f"{base}/api/state", headers))
        for i in range(rounds):
            was = json.loads(_get(f"{base}/api/state", headers)).get("answered")
            start = time.perf_counter()
            store.save(exercise.id, _answer(exercise), participant=f"poll arrival {i}", cohort=COHORT)
            while json.loads(_get(f"{base}/api/state", headers)).get("answered") == was:
                time.sleep(0.5)
            times.append(time.perf_counter() - start)
    return times


def run(quick: bool, browser: bool = True) -> list[Figure]:
    from workshop_kit.views.presenter import LINK_ENV, TOKEN_ENV
    from workshop_kit.commands.serve import Server, free_port, wait_until_listening

    folder = Path(tempfile.mkdtemp(prefix="wk-bench-presenter-"))
    figures: list[Figure] = []
    process = None
    try:
        path = _seed(folder)
        figures += _before(path)
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
