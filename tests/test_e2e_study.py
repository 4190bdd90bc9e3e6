"""End to end in headless Chromium: `workshop-kit study`, the code-free pages for one self-studier.

The command is started as a self-studier starts it (with their own profile and store); its link
opens the welcome page ready to answer, with nothing to run.  The person saves their name, follows
the progress table's link to the next unanswered exercise, saves a few answers, closes the browser
in the middle of another, and comes back — in a new browser, then after the command itself was
stopped and started again (a week later): the welcome page says where they got to, its link lands
on the next unanswered exercise itself (scrolled to, its title focused), and the answers are in the
local store under their own name.  Weeks on, the follow-up is listed after the plan and saves
beside the workshop answers.  Screenshots (the welcome page at 1280×800 and 390×844) go to
test-artifacts/.
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

from test_e2e_room import audit, serious

from workshop_kit.store.responses import ResponseStore

pytestmark = pytest.mark.browser
NAME = "Sam Patel"


@contextmanager
def studying(home: Path) -> Iterator[str]:
    """`workshop-kit study --no-browser` with its own profile and store under home; yields the printed link."""
    from workshop_kit.commands.serve import free_port

    env = dict(os.environ, WORKSHOP_KIT_PROFILE=str(home / "profile.json"), WORKSHOP_KIT_STORE=str(home / "answers.sqlite"), PYTHONUNBUFFERED="1")
    for name in ("QUERY_STRING", "JUPYTERHUB_USER", "WORKSHOP_KIT_COHORT", "WORKSHOP_KIT_ROOM"):
        env.pop(name, None)
    args = [sys.executable, "-m", "workshop_kit.commands.cli", "study", "--no-browser", "--port", str(free_port())]
    process = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        output = read_until(process, "Press Ctrl-C", SERVER_TIMEOUT_S)
        _keep_draining(process)
        yield re.search(r"(http://127\.0\.0\.1:\d+/\?token=\S+&code=\S+)", output).group(1)  # type: ignore[union-attr]
    finally:
        stop_process_group(process)


def landed_on(page, exercise_id: str) -> float:
    """Wait until the focus is inside the exercise's box (the landing is done); returns the box's top in the window."""
    from workshop_kit.widgets.base import exercise_class

    target = exercise_class(exercise_id)
    page.wait_for_function("cls => { const a = document.activeElement; return a !== null && a.closest('.' + cls) !== null; }", arg=target, timeout=PAGE_TIMEOUT_MS)
    return page.evaluate("cls => document.querySelector('.' + cls).getBoundingClientRect().top", target)


def test_study_pages_open_ready_and_answers_survive_coming_back(browser, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    """Ready to answer on opening; the next-exercise link lands on the exercise; after closing the browser and
    restarting the command, the welcome page says where they got to; the follow-up is offered after the plan."""
    from workshop_kit.catalogue.model import default_catalogue
    from workshop_kit.catalogue.waves import wave_cohort
    from workshop_kit.widgets.base import exercise_class

    catalogue = default_catalogue()
    first_section = catalogue.exercises_in(catalogue.sections[0].id)
    answered, fourth = first_section[:3], first_section[3]  # three scales saved, then "Your month today"
    assert all(e.kind == "scale" for e in answered)
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
            next_link.filter(has_text=answered[0].title).wait_for(timeout=PAGE_TIMEOUT_MS)
            next_link.click()  # straight to the next unanswered exercise
            wait_for_page(page, ".wk-page-01-managing-to-leading .wk-save")
            assert f"exercise={answered[0].id}" in page.url
            landed_on(page, answered[0].id)
            for exercise in answered:
                box = exercise_box(page, exercise.title)
                set_slider(box, 7)
                save_and_wait(box)
            screenshot(page, ARTIFACTS / "study-section.png")
            set_slider(exercise_box(page, answered[0].title), 3)  # changed again, then the browser is closed before Save
        # the browser was closed mid-exercise; opening the link again in a new one:
        with new_page(browser) as page:
            page.goto(link)
            wait_for_page(page, ".wk-next-link")
            progress = page.locator(".wk-progress-widget").inner_text()
            assert f"Progress for {NAME}" in progress and f"3 of {len(catalogue.exercises)}" in progress
            assert answered[-1].title in page.locator(".wk-last-save").inner_text()
            assert fourth.title in page.locator("a.wk-next-link").inner_text()
            page.locator("a.wk-next-link").click()
            wait_for_page(page, ".wk-page-01-managing-to-leading .wk-save")
            top = landed_on(page, fourth.id)
            height = page.viewport_size["height"]
            assert 0 <= top < height / 4, f"the exercise should be at the top of the window, not {top}px down"
            assert page.evaluate("() => document.activeElement.classList.contains('wk-title')")
            page.keyboard.press("Tab")  # from the title, the first control of the same exercise
            assert page.evaluate(
                "cls => { const a = document.activeElement; return a.closest('.' + cls) !== null && ['INPUT', 'BUTTON', 'TEXTAREA', 'SELECT'].includes(a.tagName); }",
                exercise_class(fourth.id),
            )
            screenshot(page, ARTIFACTS / "study-landed-on-next.png")
            assert not page.errors  # type: ignore[attr-defined]
    with ResponseStore(tmp_path / "answers.sqlite") as store:
        saved = store.latest(answered[0].id, participant=NAME, cohort="self-study")
        assert saved is not None and saved.answer["now"] == 7  # the saved value, not the unsaved 3
        assert store.latest(fourth.id, participant=NAME, cohort="self-study") is None
    # a week later: the command is started again (a new token), and the same personal page comes back
    with studying(tmp_path) as again:
        assert again.split("code=")[1] == link.split("code=")[1]
        for width, height in ((1280, 800), (390, 844)):
            with new_page(browser, viewport={"width": width, "height": height}) as page:
                page.goto(again)
                wait_for_page(page, ".wk-next-link")
                assert answered[-1].title in page.locator(".wk-last-save").inner_text()
                screenshot(page, ARTIFACTS / f"study-where-you-got-to-{width}x{height}.png")
                page.locator(".wk-progress-details > summary").click()  # the table, section by section, unfolded
                page.locator(".wk-progress table").wait_for(state="visible", timeout=PAGE_TIMEOUT_MS)
                page.locator(".wk-progress-widget").screenshot(path=str(ARTIFACTS / f"study-progress-table-{width}x{height}.png"))
                clipped = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
                assert clipped <= 0, f"the welcome page is {clipped}px wider than a {width}px window"
                with capsys.disabled():
                    found = audit(page, f"study-welcome-{width}")
                assert serious(found["kit"]) == [], found["kit"]
        with new_page(browser) as page:
            page.goto(again)
            wait_for_page(page, ".wk-next-link")
            page.locator("a.wk-next-link").click()
            wait_for_page(page, ".wk-page-01-managing-to-leading .wk-save")
            landed_on(page, fourth.id)
            assert exercise_box(page, answered[0].title).locator(".wk-scale-number input").first.input_value().strip() == "7"
            screenshot(page, ARTIFACTS / "study-back-a-week-later.png")
            # weeks on: the follow-up, listed after the plan, saves beside the workshop answers
            page.locator(".wk-nav.wk-nav-00-welcome").first.click()
            listing = page.locator(".wk-nav-list")
            listing.locator("text=Later: the follow-up, 6–12 weeks on").wait_for(timeout=PAGE_TIMEOUT_MS)
            buttons = listing.locator(".wk-nav").all_inner_texts()
            assert buttons[-2].startswith("11.") and buttons[-1].startswith("12.")
            listing.locator(".wk-nav-12-follow-up").click()
            wait_for_page(page, ".wk-follow-up .wk-save")
            again_asked = exercise_box(page, answered[0].title)
            assert "At the workshop:" in page.locator(".wk-follow-up-before").first.inner_text()
            set_slider(again_asked, 4)
            save_and_wait(again_asked)
            screenshot(page, ARTIFACTS / "study-follow-up.png")
            assert not page.errors  # type: ignore[attr-defined]
    with ResponseStore(tmp_path / "answers.sqlite") as store:
        later = store.latest(answered[0].id, participant=NAME, cohort=wave_cohort("self-study", catalogue.follow_up.wave))
        assert later is not None and later.answer["now"] == 4
        assert store.latest(answered[0].id, participant=NAME, cohort="self-study").answer["now"] == 7  # the workshop answer kept
