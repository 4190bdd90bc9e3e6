"""End to end in headless Chromium: ten participants open the same section at once and each saves.

The room's pages come from a pool of kernels started ahead of time, and a kernel learns whose
page it is only when a request takes it.  Ten participants open the goals section in the same
moment (ten browser contexts, navigations started together), write a goal each and save; the
room then moves on together to the next section inside the page.  Every stored row must carry
the key of the personal code that opened its page, and no page may show another person's
name.  This checks behaviour, not speed: the figures are in benchmarks/ (``--only room``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from browser_helpers import (
    Room,
    browser,  # noqa: F401 - a fixture
    exercise_box,
    new_page,
    save_and_wait,
    served_room,
    wait_for_page,
)

from workshop_kit.session import room as room_module
from workshop_kit.store.responses import ResponseStore

pytestmark = pytest.mark.browser

GOALS = "03-audacious-goals.ipynb"
PEOPLE = 10


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Room]:
    """`workshop-kit serve --expect 3` (a pool of five for ten people, so kernels are refilled and reused by
    newcomers while the test runs), with its own store, no dashboard and pages freed 5 s after closing."""
    with served_room(tmp_path_factory.mktemp("crowd") / "answers.sqlite", dashboard=False, expect=3, close_seconds=5) as served:
        yield served


def open_together_and_save(browser, room: Room, people: list[room_module.Person]) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """Each person opens the goals section in the same moment, writes and saves a goal, moves on, comes back and checks."""
    with ExitStack() as stack:
        pages = [stack.enter_context(new_page(browser)) for _ in people]
        for page, person in zip(pages, people):  # start every navigation before waiting for any
            page.goto(room.page_url(GOALS, person.code), wait_until="commit")
        for page, person in zip(pages, people):
            wait_for_page(page, ".wk-page-03-audacious-goals .wk-save")
            goal = exercise_box(page, "Your audacious goal")
            goal.locator("textarea").fill(f"Goal of {person.display_name}")
        for page in pages:
            save_and_wait(exercise_box(page, "Your audacious goal"))
        for page in pages:  # the room moves on together, inside each page
            page.locator(".wk-bar .wk-nav-04-system").click()
        for page, person in zip(pages, people):
            wait_for_page(page, ".wk-page-04-system .wk-save")
            page.locator(".wk-bar .wk-nav-03-audacious-goals").click()  # and back: the saved goal is still there
            wait_for_page(page, ".wk-page-03-audacious-goals .wk-save")
            assert exercise_box(page, "Your audacious goal").locator("textarea").input_value() == f"Goal of {person.display_name}"
            page.locator(".wk-bar .wk-nav-00-welcome").click()  # the page's own welcome names its own person, nobody else
            wait_for_page(page, ".wk-room-links")
            text = page.inner_text(".wk-body")
            assert f"Welcome, {person.display_name}." in text
            assert not any(p.display_name in text for p in people if p is not person)
            assert not page.errors  # type: ignore[attr-defined]


def test_ten_open_at_once_and_each_saves_under_their_own_key(browser, room: Room) -> None:  # noqa: F811
    """Ten at once, then five newcomers through the same (refilled) pool: every stored row carries its own person's key."""
    with ResponseStore(room.store) as store:
        first = [room_module.issue_code(f"Crowd {chr(65 + i)}z", cohort=room.cohort, store=store) for i in range(PEOPLE)]
        later = [room_module.issue_code(f"Later {chr(65 + i)}q", cohort=room.cohort, store=store) for i in range(5)]
    open_together_and_save(browser, room, first)  # their pages close here: their kernels are freed and the pool refilled
    open_together_and_save(browser, room, later)
    with ResponseStore(room.store) as store:
        rows = list(store.all_responses(room.cohort))
        stored = {r.participant: r.answer for r in store.latest_answers(room.cohort, "goal.statement")}
    everyone = first + later
    assert stored == {room_module.participant_key(p.code): f"Goal of {p.display_name}" for p in everyone}
    keys = {room_module.participant_key(p.code): p for p in everyone}
    assert rows and all(r.participant in keys and r.answer == f"Goal of {keys[r.participant].display_name}" for r in rows)
