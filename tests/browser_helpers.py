"""Shared pieces for the browser tests: Debian's Chromium through Playwright, and the kit's servers.

Chromium comes from ``WORKSHOP_KIT_CHROMIUM`` or ``/usr/bin/chromium`` (``playwright install``
cannot download its own browser on every machine); tests skip with the reason when there
is none.  Servers are started the way a facilitator starts them (``workshop-kit serve``), on
127.0.0.1 and a free port, in their own process group, and stopped with ``os.killpg``.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGE_TIMEOUT_MS = 120_000  # a busy two-core machine needs a while to start a kernel and run a page
SERVER_TIMEOUT_S = 300  # warming the pool on a loaded two-core machine
ARTIFACTS = REPO / "test-artifacts"


def chromium_executable() -> str | None:
    """The Chromium to drive: WORKSHOP_KIT_CHROMIUM, else Debian's /usr/bin/chromium, else None."""
    for candidate in (os.environ.get("WORKSHOP_KIT_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def skip_reason() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[test]')."
    if chromium_executable() is None:
        return "No Chromium found: install Debian's (apt-get install chromium) or set WORKSHOP_KIT_CHROMIUM to a Chromium executable."
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Chromium for this module's tests (skipped, with the reason, if there is none)."""
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=chromium_executable(), args=FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


@contextmanager
def new_page(browser: Any, **context_args: Any) -> Iterator[Any]:
    """A page in a fresh browser context (its own cookies: one participant's device)."""
    context_args.setdefault("viewport", {"width": 1280, "height": 900})
    context = browser.new_context(**context_args)
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors  # type: ignore[attr-defined]
    try:
        yield page
    finally:
        context.close()


# --- servers ---------------------------------------------------------------------------------------


@dataclass
class Room:
    """A running `workshop-kit serve`: the participants' link, the dashboard's, the store, the process."""

    process: subprocess.Popen[str]
    url: str
    dashboard_url: str | None
    store: Path
    cohort: str
    output: str

    @property
    def base(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return self.url.split("/?")[0]

    @property
    def token(self) -> str:
        return self.url.rsplit("token=", 1)[1]

    def page_url(self, page: str, code: str | None = None) -> str:
        """A participant page's address (the room page opened on one section), with the token and optionally a personal code."""
        return f"{self.base}/?token={self.token}" + (f"&code={code}" if code else "") + f"&page={page}"


def read_until(process: subprocess.Popen[str], marker: str, timeout: float) -> str:
    """The command's output up to the line containing marker (fails if it exits or times out first)."""
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    os.set_blocking(process.stdout.fileno(), False)  # type: ignore[union-attr]
    while time.monotonic() < deadline:
        line = process.stdout.readline()  # type: ignore[union-attr]
        if line:
            lines.append(line)
            if marker in line:
                return "".join(lines)
            continue
        if process.poll() is not None:
            break
        time.sleep(0.1)
    raise AssertionError(f"{marker!r} never appeared; output was:\n{''.join(lines)}")


def _keep_draining(process: subprocess.Popen[str]) -> threading.Thread:
    """Read the command's output from now on, so a full pipe never blocks the server.

    Its servers write every refused request (403s, tracebacks of 500s) to that output; unread,
    the 64 KB pipe fills and the server freezes mid-write while the test waits on it.
    """
    os.set_blocking(process.stdout.fileno(), True)  # type: ignore[union-attr]

    def drain() -> None:
        for _ in process.stdout:  # type: ignore[union-attr]
            pass

    thread = threading.Thread(target=drain, name=f"drain-{process.pid}", daemon=True)
    thread.start()
    return thread


def stop_process_group(process: subprocess.Popen[str], sig: int = signal.SIGTERM, timeout: float = 60) -> None:
    """Stop a command started in its own session (it stops its servers and kernels), then make sure."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(10)


@contextmanager
def served_room(store: Path, cohort: str = "E2E-Cohort", notebooks: Path = NOTEBOOKS, dashboard: bool = True, expect: int = 3, close_seconds: float | None = None) -> Iterator[Room]:
    """`workshop-kit serve` on 127.0.0.1 and a free port, writing to store, warmed for expect people; stopped afterwards."""
    from workshop_kit.commands.serve import free_port

    env = dict(os.environ, WORKSHOP_KIT_STORE=str(store), PYTHONUNBUFFERED="1")
    for name in ("QUERY_STRING", "JUPYTERHUB_USER", "WORKSHOP_KIT_COHORT", "WORKSHOP_KIT_ROOM"):
        env.pop(name, None)
    args = [sys.executable, "-m", "workshop_kit.commands.cli", "serve", "--cohort", cohort, "--notebooks", str(notebooks), "--port", str(free_port()), "--expect", str(expect)]
    if not dashboard:
        args.append("--no-dashboard")
    if close_seconds is not None:
        args += ["--close-seconds", str(close_seconds)]
    process = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        output = read_until(process, "Press Ctrl-C", SERVER_TIMEOUT_S)
        _keep_draining(process)
        url = re.search(r"Share this link.*\n\s*(http://127\.0\.0\.1:\d+/\?token=\S+)", output).group(1)  # type: ignore[union-attr]
        dash = re.search(r"Facilitator dashboard.*\n\s*(http://127\.0\.0\.1:\d+/\?token=\S+)", output)
        yield Room(process, url, dash.group(1) if dash else None, store, cohort, output)
    finally:
        stop_process_group(process)


# --- pages -----------------------------------------------------------------------------------------


def wait_for_page(page: Any, selector: str) -> None:
    """Wait until Voilà has run the page and the widget matching selector is on screen."""
    page.wait_for_selector(selector, state="visible", timeout=PAGE_TIMEOUT_MS)


def exercise_box(page: Any, title: str) -> Any:
    """The exercise widget on the page whose title is title."""
    return page.locator(".wk-exercise", has=page.locator(".wk-title", has_text=title))


def join_room(page: Any, room: Room, name: str) -> str:
    """Open the room's link, type a name in the join form, land on the personal page; returns the personal code."""
    page.goto(room.url)
    page.fill("#wk-join-name", name)
    page.click(".wk-join-submit")
    page.wait_for_url(re.compile(r"[?&]code="), timeout=PAGE_TIMEOUT_MS)
    match = re.search(r"[?&]code=([A-Za-z0-9_-]+)", page.url)
    assert match, "the personal link should carry a code"
    link = page.wait_for_selector("a.wk-room-personal", timeout=PAGE_TIMEOUT_MS)
    assert match.group(1) in (link.get_attribute("href") or ""), "the page shows the same personal link"
    return match.group(1)


def set_slider(box: Any, value: int, index: int = 0) -> None:
    """Move the index-th slider in box to value with the keyboard, as a person would."""
    slider = box.locator(".wk-slider").nth(index)
    handle = slider.locator("input[type=range]")
    number = box.locator(".wk-scale-number input").nth(index)  # the labelled number box beside the slider
    handle.focus()
    for _ in range(30):
        current = int(number.input_value().strip())
        if current == value:
            # ipywidgets holds back a model's updates while the kernel is busy with its last one,
            # and a click on another widget (Save) can overtake them: let them arrive first
            box.page.wait_for_timeout(2000)
            return
        handle.press("ArrowRight" if current < value else "ArrowLeft")
        # the number box follows the slider through the kernel: wait for it before the next key
        for _ in range(100):
            if int(number.input_value().strip()) != current:
                break
            box.page.wait_for_timeout(50)
    raise AssertionError(f"the slider did not reach {value}")


def press_options(box: Any, options: list[str]) -> None:
    """Press the pick buttons named options in box."""
    for option in options:
        box.locator(".wk-pick-option", has_text=option).first.click()


def save_and_wait(box: Any, expect: str = "✓ Saved") -> str:
    """Press the box's Save button and wait for its status to mention expect; returns the status text.

    The default names the tick: Playwright's has_text ignores case and matches part of the
    text, so a bare "Saved" would also match "Not saved yet." before anything happened.
    """
    box.locator(".wk-save").click()
    status = box.locator(".wk-status")
    status.filter(has_text=expect).wait_for(timeout=PAGE_TIMEOUT_MS)
    return status.inner_text()


def screenshot(page: Any, path: Path, **kwargs: Any) -> Path:
    """Save a screenshot (folders made as needed); returns the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), **kwargs)
    return path
