"""End to end in headless Chromium: the facilitator moves the room, and three participant pages follow.

`workshop-kit serve` runs the room; three participants join on three devices (browser
contexts).  The test, standing in for the presenter view, sets the room's live state
(``live.update_state``): every page then shows "The group has moved to section 3 …" with a
button that opens the section inside the page, keeping the personal code.  A Done click
reaches the store's signal counts, and pressing Need help changes it.  Waits are hang
guards only: nothing here asserts how fast anything happened.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_helpers import (
    ARTIFACTS,
    PAGE_TIMEOUT_MS,
    Room,
    browser,  # noqa: F401 - a fixture
    join_room,
    new_page,
    served_room,
    wait_for_page,
)

from workshop_kit.store import live
from workshop_kit.store.responses import ResponseStore

pytestmark = pytest.mark.browser

GOALS = "03-audacious-goals"
MOVED = "The group has moved to section 3: Big Hairy Audacious Goals"


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Room]:
    store = tmp_path_factory.mktemp("pacing") / "answers.sqlite"
    with served_room(store, cohort="Pacing-Cohort", dashboard=False, expect=3) as served:
        yield served


def counts(room: Room, exercise_id: str, want: dict[str, int], guard_s: float = PAGE_TIMEOUT_MS / 1000) -> dict[str, int]:
    """The room's signal counts, read until they are ``want`` (or the hang guard runs out: then the last reading)."""
    end = time.monotonic() + guard_s
    while True:
        with ResponseStore(room.store) as store:
            seen = live.signal_counts(store, room.cohort, exercise_id)
        if seen == want or time.monotonic() > end:
            return seen
        time.sleep(0.25)


def test_three_pages_follow_the_room_and_a_done_click_is_counted(browser, room: Room) -> None:  # noqa: F811
    with new_page(browser) as ann, new_page(browser) as ben, new_page(browser) as cat:
        pages = [ann, ben, cat]
        codes = [join_room(page, room, name) for page, name in zip(pages, ["Ann", "Ben", "Cat O'Neil"])]
        for page in pages:
            page.wait_for_selector(".wk-pacing", state="attached", timeout=PAGE_TIMEOUT_MS)
            assert not page.locator(".wk-pacing-prompt").is_visible()  # self-paced until the facilitator leads

        with ResponseStore(room.store) as store:
            live.update_state(store, room.cohort, section=GOALS, exercise="goal.statement", self_paced=False)

        cat.set_viewport_size({"width": 390, "height": 844})  # one participant on a phone
        for page in pages:
            page.locator(".wk-pacing-prompt", has_text=MOVED).wait_for(state="visible", timeout=PAGE_TIMEOUT_MS)
        ARTIFACTS.mkdir(exist_ok=True)  # to look at: the prompt on a laptop and on a phone
        ann.screenshot(path=str(ARTIFACTS / "pacing-prompt-1280.png"))
        cat.screenshot(path=str(ARTIFACTS / "pacing-prompt-390.png"))
        for page, code in zip(pages, codes):
            page.click(".wk-pacing-open")
            wait_for_page(page, f".wk-page-{GOALS} .wk-save")
            assert f"code={code}" in page.url  # the same page, the same personal code
            page.locator(".wk-pacing-prompt").wait_for(state="hidden", timeout=PAGE_TIMEOUT_MS)

        ann.click(".wk-signal-done")
        ann.locator(".wk-signal-text", has_text="You said you are done").wait_for(timeout=PAGE_TIMEOUT_MS)
        ann.screenshot(path=str(ARTIFACTS / "pacing-done-1280.png"))
        assert counts(room, "goal.statement", {"done": 1, "help": 0}) == {"done": 1, "help": 0}
        ben.click(".wk-signal-help")
        ben.locator(".wk-signal-text", has_text="You asked for help").wait_for(timeout=PAGE_TIMEOUT_MS)
        ann.click(".wk-signal-help")  # changed her mind: now one of two asking for help
        ann.locator(".wk-signal-text", has_text="You asked for help").wait_for(timeout=PAGE_TIMEOUT_MS)
        assert counts(room, "goal.statement", {"done": 0, "help": 2}) == {"done": 0, "help": 2}

        with ResponseStore(room.store) as store:  # the facilitator moves on again; self-paced hides the prompt
            live.update_state(store, room.cohort, section="04-system", exercise=None)
        cat.locator(".wk-pacing-prompt", has_text="The group has moved to section 4: Your place in the system").wait_for(state="visible", timeout=PAGE_TIMEOUT_MS)
        with ResponseStore(room.store) as store:
            live.update_state(store, room.cohort, self_paced=True)
        cat.locator(".wk-pacing-prompt").wait_for(state="hidden", timeout=PAGE_TIMEOUT_MS)
        assert not ann.errors and not ben.errors and not cat.errors  # type: ignore[attr-defined]
