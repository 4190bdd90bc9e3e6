"""End to end in headless Chromium: Save pressed straight after quick slider key presses.

ipywidgets' front end holds back a model's later value changes while its previous update is
still being handled by the kernel, but sends a button's click at once, so a quick Save could
overtake the slider's last value and store the one before.  Here a participant presses
ArrowRight several times with no pause, clicks Save at once, and the stored answer must be
the value the slider and its number box finally show.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browser_helpers import (
    Room,
    browser,  # noqa: F401 - a fixture
    exercise_box,
    join_room,
    new_page,
    served_room,
    wait_for_page,
)

from workshop_kit.store.responses import ResponseStore

pytestmark = pytest.mark.browser

BRAND = "06-personal-brand.ipynb"
SCALE = "Will your peers value the mix?"  # 1 to 10, starting at 5


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Room]:
    """`workshop-kit serve` on the kit's notebooks, with its own store and no dashboard."""
    with served_room(tmp_path_factory.mktemp("race") / "answers.sqlite", dashboard=False) as served:
        yield served


def stored_value(room: Room, code: str) -> object:
    """The participant's current answer to the scale, read from the room's store."""
    from workshop_kit.session import room as room_module

    with ResponseStore(room.store) as store:
        answers = {r.participant: r.answer for r in store.latest_answers(room.cohort, "brand.value")}
    return answers.get(room_module.participant_key(code))


@pytest.mark.parametrize("presses", [2, 4])
def test_save_straight_after_quick_key_presses_stores_the_last_value(browser, room: Room, presses: int) -> None:  # noqa: F811
    """ArrowRight pressed several times with no pause, then Save at once: the store holds the value on screen."""
    with new_page(browser) as page:
        code = join_room(page, room, "Quick")
        page.goto(room.page_url(BRAND, code))
        wait_for_page(page, ".wk-save")
        box = exercise_box(page, SCALE)
        box.scroll_into_view_if_needed()
        handle = box.locator(".wk-slider input[type=range]").first
        number = box.locator(".wk-scale-number input").first
        save = box.locator(".wk-save").bounding_box()  # found beforehand, so the click follows the keys at once
        assert save
        start = int(number.input_value().strip())
        expected = start + presses
        handle.focus()
        for _ in range(presses):
            page.keyboard.press("ArrowRight")  # no waiting between keys, as a quick participant types
        page.mouse.click(save["x"] + save["width"] / 2, save["y"] + save["height"] / 2)  # and clicks Save straight away
        box.locator(".wk-status").filter(has_text="✓ Saved").wait_for()  # not "Not saved yet.": has_text ignores case
        # what the participant finally sees: the slider's handle and, through the kernel, the number box
        page.wait_for_function("([el, want]) => el.value.trim() === String(want)", arg=[number.element_handle(), expected])
        assert handle.input_value() == str(expected)
        assert not page.errors  # type: ignore[attr-defined]
    assert stored_value(room, code) == expected
