"""The room page's pacing bar: the decisions as plain functions, then the widget against a real store."""

from __future__ import annotations

import asyncio

import pytest
from widget_helpers import *  # noqa: F403

from workshop_kit.store import live
from workshop_kit.catalogue.model import default_catalogue
from workshop_kit.store.live import LiveState
from workshop_kit.widgets.pacing import (
    PacingBar,
    Prompt,
    moved_words,
    next_signal,
    page_of,
    room_prompt,
    signal_exercise,
    signal_words,
)

CAT = default_catalogue()
TITLES = {
    "00-welcome.ipynb": "Welcome: becoming a successful leader",
    "02-risk.ipynb": "2. Risk: forgiveness or permission?",
    "03-audacious-goals.ipynb": "3. Big Hairy Audacious Goals",
    "10-i-to-we.ipynb": '10. From "I" to "we"',
}
LED = LiveState(section="03-audacious-goals", self_paced=False)


class TestRoomPrompt:
    def test_prompt_when_the_led_room_is_elsewhere(self):
        assert room_prompt(LED, "02-risk.ipynb", TITLES) == Prompt("03-audacious-goals.ipynb", "The group has moved to section 3: Big Hairy Audacious Goals")

    def test_no_prompt_on_the_rooms_own_section(self):
        assert room_prompt(LED, "03-audacious-goals.ipynb", TITLES) is None

    def test_no_prompt_while_self_paced(self):
        """Self-paced: the facilitator's section is only a note for the presenter view, never a prompt."""
        assert room_prompt(LiveState(section="03-audacious-goals", self_paced=True), "02-risk.ipynb", TITLES) is None

    def test_no_prompt_without_a_section_or_for_one_the_room_does_not_serve(self):
        assert room_prompt(LiveState(self_paced=False), "02-risk.ipynb", TITLES) is None
        assert room_prompt(LiveState(section="12-follow-up", self_paced=False), "02-risk.ipynb", TITLES) is None

    def test_a_file_name_works_as_well_as_a_stem(self):
        assert page_of("03-audacious-goals.ipynb") == page_of("03-audacious-goals") == "03-audacious-goals.ipynb"

    def test_words(self):
        assert moved_words("10-i-to-we.ipynb", TITLES["10-i-to-we.ipynb"]) == 'The group has moved to section 10: From "I" to "we"'
        assert moved_words("00-welcome.ipynb", TITLES["00-welcome.ipynb"]) == "The group has moved to the welcome page"


class TestSignals:
    def test_the_rooms_exercise_when_it_is_on_the_page_shown(self):
        state = LiveState(section="02-risk", exercise="risk.appetite", self_paced=False)
        assert signal_exercise(state, "02-risk.ipynb", CAT) == CAT.exercise("risk.appetite")
        assert signal_exercise(state, "03-audacious-goals.ipynb", CAT) is None  # elsewhere: the prompt to move comes first
        assert signal_exercise(LiveState(), "02-risk.ipynb", CAT) is None
        assert signal_exercise(LiveState(exercise="no.such-exercise"), "02-risk.ipynb", CAT) is None

    def test_pressing_again_takes_it_back_and_the_other_changes_it(self):
        assert next_signal(None, "done") == "done"
        assert next_signal("done", "done") is None
        assert next_signal("done", "help") == "help"
        assert next_signal("help", "done") == "done"

    def test_words_say_which_was_pressed(self):
        assert "You said you are done" in signal_words("done", "T") and "take it back" in signal_words("done", "T")
        assert "You asked for help" in signal_words("help", "T")
        assert "Tell the facilitator" in signal_words(None, "T")


@pytest.fixture
def bar(kit_store):
    opened: list[str] = []
    results: list[set[str]] = []
    widget = PacingBar(
        open_store=lambda: kit_store,
        cohort="cohort-a",
        participant="alice",
        titles=TITLES,
        catalogue=CAT,
        open_page=opened.append,
        on_results=results.append,
    )
    widget.opened, widget.results = opened, results  # type: ignore[attr-defined]
    widget.shown("02-risk.ipynb")
    yield widget
    widget.close()


class TestPacingBar:
    def test_hidden_until_the_facilitator_moves_the_room(self, bar, kit_store):
        bar.check()
        assert bar.prompt_row.layout.display == "none" and bar.signal_row.layout.display == "none"
        live.update_state(kit_store, "cohort-a", section="03-audacious-goals", self_paced=False)
        bar.check()
        assert bar.prompt_row.layout.display is None and "The group has moved to section 3: Big Hairy Audacious Goals" in bar.prompt_text.value
        bar.open_button.click()
        assert bar.opened == ["03-audacious-goals.ipynb"]
        bar.shown("03-audacious-goals.ipynb")  # the page opened it
        assert bar.prompt_row.layout.display == "none"

    def test_self_paced_switch_hides_the_prompt(self, bar, kit_store):
        live.update_state(kit_store, "cohort-a", section="03-audacious-goals", self_paced=False)
        bar.check()
        live.update_state(kit_store, "cohort-a", self_paced=True)
        bar.check()
        assert bar.prompt_row.layout.display == "none"

    def test_done_and_help_reach_the_counts_and_can_change(self, bar, kit_store):
        live.update_state(kit_store, "cohort-a", section="02-risk", exercise="risk.appetite", self_paced=False)
        bar.check()
        assert bar.signal_row.layout.display is None and CAT.exercise("risk.appetite").title in bar.signal_text.value
        bar.done_button.click()
        assert live.signal_counts(kit_store, "cohort-a", "risk.appetite") == {"done": 1, "help": 0}
        assert bar.done_button.button_style == "success" and "You said you are done" in bar.signal_text.value
        bar.help_button.click()
        assert live.signal_counts(kit_store, "cohort-a", "risk.appetite") == {"done": 0, "help": 1}
        assert bar.help_button.button_style == "warning" and bar.done_button.button_style == ""
        bar.help_button.click()
        assert live.signal_counts(kit_store, "cohort-a", "risk.appetite") == {"done": 0, "help": 0} and bar.signal is None

    def test_the_signal_given_is_read_back_on_a_new_page(self, bar, kit_store):
        """A fresh page (a reload) shows the signal the participant gave before."""
        live.update_state(kit_store, "cohort-a", section="02-risk", exercise="risk.appetite", self_paced=False)
        live.set_signal(kit_store, "cohort-a", "alice", "risk.appetite", "help")
        bar.check()
        assert bar.signal == "help" and bar.help_button.button_style == "warning"

    def test_a_reveal_is_passed_on_to_the_page(self, bar, kit_store):
        live.reveal(kit_store, "cohort-a", "goal.ambition")
        bar.check()  # the first look: the page's exercises already read this themselves
        live.reveal(kit_store, "cohort-a", "risk.appetite")
        bar.check()
        bar.check()  # nothing new: nothing passed on
        assert bar.results == [{"risk.appetite"}]

    def test_the_look_runs_in_a_loop_and_only_once(self, kit_store):
        """Inside an event loop start() runs the look every interval; a second start() adds no second task."""
        bar = PacingBar(open_store=lambda: kit_store, cohort="cohort-a", participant="alice", titles=TITLES, catalogue=CAT, open_page=lambda p: None, interval=0.01)
        bar.shown("02-risk.ipynb")
        assert not bar.start()  # no loop running here
        live.update_state(kit_store, "cohort-a", section="03-audacious-goals", self_paced=False)

        async def in_a_kernel() -> None:
            assert bar.start() and bar.start()
            task = bar._task
            for _ in range(500):
                if bar.prompt is not None:
                    break
                await asyncio.sleep(0.01)
            assert bar._task is task
            bar.close()

        asyncio.run(in_a_kernel())
        assert bar.prompt == Prompt("03-audacious-goals.ipynb", "The group has moved to section 3: Big Hairy Audacious Goals")


def test_a_store_that_cannot_be_read_hides_the_buttons_and_is_tried_again(kit_store):
    """A failed read of the participant's signal breaks nothing: no buttons now, the next look tries again."""
    from workshop_kit.errors import StoreError

    live.update_state(kit_store, "cohort-a", section="02-risk", exercise="risk.appetite", self_paced=False)
    broken = {"on": True}

    def open_store():
        if broken["on"]:
            raise StoreError("The answers file is locked.")
        return kit_store

    bar = PacingBar(open_store=open_store, cohort="cohort-a", participant="alice", titles=TITLES, catalogue=CAT, open_page=lambda p: None)
    bar.apply(live.read_state(kit_store, "cohort-a"))
    bar.shown("02-risk.ipynb")
    assert bar.signal_row.layout.display == "none"
    broken["on"] = False
    bar.check()
    assert bar.signal_row.layout.display is None and bar.signal_for == "risk.appetite"
    bar.close()
