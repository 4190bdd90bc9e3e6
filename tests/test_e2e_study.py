"""End to end in headless Chromium: `workshop-kit study`, the code-free pages for one self-studier.

The command is started as a self-studier starts it (with their own profile and store); its link
opens the welcome page ready to answer, with nothing to run.  The person saves their name, follows
the progress table's link to the next unanswered exercise, saves an answer, closes the browser in
the middle of another, and comes back — in a new browser, then after the command itself was
stopped and started again (a week later): the welcome page says where they got to and links to
the next unanswered exercise, and the answers are in the local store under their own name.
Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from browser_helpers import (
    ARTIFACTS,
    PAGE_TIMEOUT_MS,
    SERVER_TIMEOUT_S,
    _keep_draining,
    browser,  # noqa: F401 - a fixture
    exercise_box,
    new_page,
    read_until,
    save_and_wait,
    screenshot,
    set_slider,
    stop_process_group,
    wait_for_page,
)

from workshop_kit.store import ResponseStore

pytestmark = pytest.mark.browser
NAME = "Sam Patel"


@contextmanager
def studying(home: Path) -> Iterator[str]:
    """`workshop-kit study --no-browser` with its own profile and store under home; yields the printed link."""
    from workshop_kit.serve import free_port

    env = dict(os.environ, WORKSHOP_KIT_PROFILE=str(home / "profile.json"), WORKSHOP_KIT_STORE=str(home / "answers.sqlite"), PYTHONUNBUFFERED="1")
    for name in ("QUERY_STRING", "JUPYTERHUB_USER", "WORKSHOP_KIT_COHORT", "WORKSHOP_KIT_ROOM"):
        env.pop(name, None)
    args = [sys.executable, "-m", "workshop_kit.cli", "study", "--no-browser", "--port", str(free_port())]
    process = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        output = read_until(process, "Press Ctrl-C", SERVER_TIMEOUT_S)
        _keep_draining(process)
        yield re.search(r"(http://127\.0\.0\.1:\d+/\?token=\S+&code=\S+)", output).group(1)  # type: ignore[union-attr]
    finally:
        stop_process_group(process)


def test_study_pages_open_ready_and_answers_survive_coming_back(browser, tmp_path: Path) -> None:  # noqa: F811
    """Ready to answer on opening; the next-exercise link works; after closing the browser and restarting the command, the welcome page says where they got to."""
    from workshop_kit.catalogue import default_catalogue

    catalogue = default_catalogue()
    first, second = catalogue.exercises[0], catalogue.exercises[1]
    with studying(tmp_path) as link:
        assert "127.0.0.1" in link
        with new_page(browser) as page:
            page.goto(link)
            wait_for_page(page, ".wk-welcome-save")  # the welcome form is live: nothing was run by hand
            screenshot(page, ARTIFACTS / "study-welcome.png", full_page=True)
            page.locator(".wk-welcome-name input").fill(NAME)
            page.locator(".wk-welcome-save").click()
            page.locator(".wk-welcome-status", has_text="Saved.").wait_for(timeout=PAGE_TIMEOUT_MS)
            page.locator(".wk-progress-refresh").click()
            next_link = page.locator("a.wk-next-link")
            next_link.filter(has_text=first.title).wait_for(timeout=PAGE_TIMEOUT_MS)
            next_link.click()  # straight to the section of the next unanswered exercise
            wait_for_page(page, ".wk-page-01-managing-to-leading .wk-save")
            box = exercise_box(page, first.title)
            set_slider(box, 7)
            save_and_wait(box)
            screenshot(page, ARTIFACTS / "study-section.png")
            set_slider(box, 3)  # changed again, then the browser is closed before Save
        # the browser was closed mid-exercise; opening the link again in a new one:
        with new_page(browser) as page:
            page.goto(link)
            wait_for_page(page, ".wk-next-link")
            progress = page.locator(".wk-progress-widget").inner_text()
            assert f"Progress for {NAME}" in progress and f"1 of {len(catalogue.exercises)}" in progress
            assert first.title in page.locator(".wk-last-save").inner_text()
            assert second.title in page.locator("a.wk-next-link").inner_text()
            assert not page.errors  # type: ignore[attr-defined]
    with ResponseStore(tmp_path / "answers.sqlite") as store:
        saved = store.latest(first.id, participant=NAME, cohort="self-study")
        assert saved is not None and saved.answer["now"] == 7  # the saved value, not the unsaved 3
        assert store.latest(second.id, participant=NAME, cohort="self-study") is None
    # a week later: the command is started again (a new token), and the same personal page comes back
    with studying(tmp_path) as again:
        assert again.split("code=")[1] == link.split("code=")[1]
        with new_page(browser) as page:
            page.goto(again)
            wait_for_page(page, ".wk-next-link")
            assert first.title in page.locator(".wk-last-save").inner_text()
            page.locator("a.wk-next-link").click()
            wait_for_page(page, ".wk-page-01-managing-to-leading .wk-save")
            assert exercise_box(page, first.title).locator(".wk-scale-number input").first.input_value().strip() == "7"
            screenshot(page, ARTIFACTS / "study-back-a-week-later.png")
