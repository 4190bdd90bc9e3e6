"""The pacing bar of the room page: where the facilitator has taken the room, and "Done" / "Need help".

One bar per participant page (:class:`workshop_kit.pages.room_app.RoomApp` makes it), never one
per exercise.  In a running kernel it checks the cohort's live state every
:data:`POLL_S` seconds in one asyncio task: one small SELECT of one row (``room_live``),
plus one more only when the facilitator moves to another exercise (the participant's own
signal on it).  When the facilitator leads (the room is not self-paced) and the room is on
another section than the one shown, the bar says so, with a button that opens that
section inside the page: same kernel, same personal code.

The decisions are plain functions (:func:`room_prompt`, :func:`signal_exercise`,
:func:`next_signal`, :func:`signal_words`); the widget's handlers only call them.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from typing import Any, Callable

import ipywidgets as widgets

from .. import templating
from ..catalogue.model import Catalogue, Exercise
from ..errors import KitError
from ..store.live import LiveState, read_state, set_signal, signal_of

POLL_S = 2.5  # seconds between two looks at the room's live state
SIGNAL_LABELS = {"done": "Done", "help": "Need help"}
_NUMBERED = re.compile(r"^\d+\.\s*")  # a notebook heading's own number, "3. "
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Prompt:
    """The prompt to move on: the page to open and the sentence saying where the group is."""

    page: str  # e.g. "03-audacious-goals.ipynb"
    text: str  # e.g. "The group has moved to section 3: Big Hairy Audacious Goals"


def page_of(section: str) -> str:
    """The room page of a live-state section: "03-audacious-goals" (a notebook stem) or its file name."""
    return section if section.endswith(".ipynb") else f"{section}.ipynb"


def moved_words(page: str, title: str) -> str:
    """ "The group has moved to section 3: Big Hairy Audacious Goals" (the welcome page has no number)."""
    number = int(page[:2]) if page[:2].isdigit() else 0
    if not number:
        return "The group has moved to the welcome page"
    return f"The group has moved to section {number}: {_NUMBERED.sub('', title)}"


def room_prompt(state: LiveState, shown_page: str, titles: dict[str, str]) -> Prompt | None:
    """The prompt to show, or None: only when the facilitator leads and the room is on another of this page's sections.

    ``titles`` maps each page the room serves to its title; a section the room does not
    serve (a typo, another kit's section) prompts nothing rather than a dead link.
    """
    if state.self_paced or not state.section:
        return None
    page = page_of(state.section)
    if page == shown_page or page not in titles:
        return None
    return Prompt(page, moved_words(page, titles[page]))


def section_page(catalogue: Catalogue, exercise: Exercise) -> str:
    """The page an exercise is on, e.g. "02-risk.ipynb"."""
    section = catalogue.section(exercise.section)
    return f"{section.number:02d}-{section.id}.ipynb"


def signal_exercise(state: LiveState, shown_page: str, catalogue: Catalogue) -> Exercise | None:
    """The exercise "Done" and "Need help" are about: the room's current one, when it is on the page shown."""
    if not state.exercise or state.exercise not in catalogue:
        return None
    exercise = catalogue.exercise(state.exercise)
    return exercise if section_page(catalogue, exercise) == shown_page else None


def next_signal(current: str | None, pressed: str) -> str | None:
    """The signal after pressing a button: pressing the one already given takes it back."""
    return None if current == pressed else pressed


def signal_words(signal: str | None, title: str) -> str:
    """The line beside the buttons: which one you pressed, and that it can be changed."""
    if signal == "done":
        return f"You said you are done with “{title}”. Press Done again to take it back."
    if signal == "help":
        return f"You asked for help with “{title}”: the facilitator sees that someone needs it. Press Need help again to take it back."
    return f"Working on “{title}”? Tell the facilitator when you are done, or if you need help."


class PacingBar(widgets.VBox):
    """The room page's pacing prompt and its Done / Need help buttons, for one participant.

    ``open_store`` gives the store (called at each look, so a store that could not be
    opened at first is tried again); ``open_page(page)`` shows a section in the page;
    ``on_results(ids)`` hears of exercises whose cohort result was just revealed or hidden.
    """

    def __init__(
        self,
        *,
        open_store: Callable[[], Any],
        cohort: str,
        participant: str,
        titles: dict[str, str],
        catalogue: Catalogue,
        open_page: Callable[[str], None],
        on_results: Callable[[set[str]], None] | None = None,
        interval: float = POLL_S,
    ):
        super().__init__()
        self.add_class("wk-pacing")
        self.open_store, self.cohort, self.participant = open_store, cohort, participant
        self.titles, self.catalogue, self.open_page, self.on_results = titles, catalogue, open_page, on_results
        self.interval = interval
        self.state = LiveState()
        self.shown_page = ""
        self.prompt: Prompt | None = None
        self.signal: str | None = None
        self.signal_for: str | None = None  # the exercise self.signal was read for
        self._task: asyncio.Task | None = None
        self._looked = False  # no state read yet

        self.prompt_text = widgets.HTML()
        self.prompt_text.add_class("wk-pacing-text")
        self.open_button = widgets.Button(description="→ Open it", button_style="primary", layout=widgets.Layout(width="auto"))
        self.open_button.add_class("wk-pacing-open")
        self.open_button.on_click(self._on_open_click)
        self.prompt_row = widgets.HBox([self.prompt_text, self.open_button], layout=widgets.Layout(display="none", align_items="center", flex_flow="row wrap"))
        self.prompt_row.add_class("wk-pacing-prompt")

        self.signal_text = widgets.HTML()
        self.signal_text.add_class("wk-signal-text")
        self.done_button = widgets.Button(description="Done", icon="check", layout=widgets.Layout(width="auto"))
        self.done_button.add_class("wk-signal-done")
        self.done_button.on_click(self._on_done_click)
        self.help_button = widgets.Button(description="Need help", icon="hand-paper-o", layout=widgets.Layout(width="auto"))
        self.help_button.add_class("wk-signal-help")
        self.help_button.on_click(self._on_help_click)
        self.signal_row = widgets.HBox(
            [self.signal_text, self.done_button, self.help_button], layout=widgets.Layout(display="none", align_items="center", flex_flow="row wrap")
        )
        self.signal_row.add_class("wk-signal")
        self.children = [self.prompt_row, self.signal_row]

    # --- what the bar shows ------------------------------------------------------------------

    def shown(self, page: str) -> None:
        """The page now shows ``page``: redraw from the state last read (no store read)."""
        self.shown_page = page
        self._signal_target_changed()
        self.render()

    def check(self) -> LiveState:
        """Read the room's live state once and redraw."""
        store = self.open_store()
        state = read_state(store, self.cohort)
        self.apply(state)
        return state

    def apply(self, state: LiveState) -> None:
        """Take a freshly read state: redraw, and tell the page which results were revealed or hidden."""
        before, first = self.state, not self._looked
        self.state, self._looked = state, True
        # the page's exercises read the state themselves when built: only changes after the first look are news
        changed = set() if first else (before.revealed | before.show_live) ^ (state.revealed | state.show_live)
        self._signal_target_changed()
        self.render()
        if changed and self.on_results is not None:
            self.on_results(set(changed))

    def _signal_target_changed(self) -> None:
        """Read the participant's own signal when the exercise it is about changes (one small read)."""
        exercise = signal_exercise(self.state, self.shown_page, self.catalogue)
        target = exercise.id if exercise else None
        if target == self.signal_for:
            return
        try:
            self.signal = signal_of(self.open_store(), self.cohort, self.participant, target) if target else None
        except KitError:  # the store could not be read: no buttons now, tried again at the next look
            self.signal, self.signal_for = None, None
            return
        self.signal_for = target

    def render(self) -> None:
        """Show or hide the prompt and the signal buttons for the current state and page."""
        self.prompt = room_prompt(self.state, self.shown_page, self.titles)
        if self.prompt is None:
            self.prompt_row.layout.display = "none"
        else:
            self.prompt_text.value = str(templating.macros("widgets.html").pacing_prompt(self.prompt.text))
            self.open_button.tooltip = self.titles.get(self.prompt.page, "")
            self.prompt_row.layout.display = None
        exercise = self.catalogue.exercise(self.signal_for) if self.signal_for else None
        if exercise is None:
            self.signal_row.layout.display = "none"
            return
        self.signal_text.value = str(templating.macros("widgets.html").pacing_signal(signal_words(self.signal, exercise.title)))
        self.done_button.button_style = "success" if self.signal == "done" else ""
        self.help_button.button_style = "warning" if self.signal == "help" else ""
        self.signal_row.layout.display = None

    def press(self, pressed: str) -> str | None:
        """Give (or take back) a signal on the room's current exercise; a failure is said in plain English."""
        if not self.signal_for:
            return None
        wanted = next_signal(self.signal, pressed)
        try:
            set_signal(self.open_store(), self.cohort, self.participant, self.signal_for, wanted)
        except KitError as exc:
            self.signal_text.value = str(templating.macros("widgets.html").pacing_not_sent(str(exc), SIGNAL_LABELS[pressed]))
            return self.signal
        self.signal = wanted
        self.render()
        return wanted

    # --- the look every few seconds ----------------------------------------------------------

    def start(self) -> bool:
        """Start looking at the live state every ``interval`` seconds, once, inside a running event loop (a kernel)."""
        if self._task is not None:
            return True
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # a test or a script: call check() yourself
            return False
        self._task = loop.create_task(self._run())
        return True

    async def _run(self) -> None:
        while True:
            try:
                self.check()
            except Exception:  # noqa: BLE001 - a failed look is tried again at the next one; the page must keep working
                _log.warning("The room's live state could not be read; trying again in %s s.", self.interval, exc_info=True)
            await asyncio.sleep(self.interval)

    def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
        super().close()

    # --- handlers (thin) ---------------------------------------------------------------------

    def _on_open_click(self, button: widgets.Button) -> None:
        if self.prompt is not None:
            self.open_page(self.prompt.page)

    def _on_done_click(self, button: widgets.Button) -> None:
        self.press("done")

    def _on_help_click(self, button: widgets.Button) -> None:
        self.press("help")
