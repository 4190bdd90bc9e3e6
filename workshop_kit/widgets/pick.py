"""Pick exercises: one toggle button per option, an entry of your own where allowed,
and a running count such as "2 of 3 chosen"."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from ..catalogue.model import PickExercise
from ..page_css import CONTROL_MAX_WIDTH
from .base import ExerciseWidget, widget_html


class PickWidget(ExerciseWidget):
    """Toggle buttons for the options; the count says how many more (or fewer) to choose."""

    kind = "pick"
    exercise: PickExercise  # WIDGETS gives this widget only pick exercises

    def _build_body(self) -> list[widgets.Widget]:
        ex = self.exercise
        self.options = [self._build_option(o) for o in ex.options]
        grid = widgets.HBox(self.options, layout=widgets.Layout(flex_flow="row wrap"))
        grid.add_class("wk-pick-options")
        body: list[widgets.Widget] = [grid]
        self.custom = None
        if ex.allow_custom:
            self.custom = widgets.Text(
                description="Your own (optional):",
                placeholder=f"Type one of your own, up to {ex.custom_max_length} characters",
                style={"description_width": "initial"},
                continuous_update=True,
                layout=widgets.Layout(width="560px", max_width=CONTROL_MAX_WIDTH),
            )
            self.custom.add_class("wk-pick-custom")
            self.custom.observe(self._on_pick_change, names="value")
            body.append(self.custom)
        self.count = widgets.HTML("")
        self.count.add_class("wk-count")
        body.append(self.count)
        self._update_count()
        return body

    def _build_option(self, option: str) -> widgets.ToggleButton:
        button = widgets.ToggleButton(description=option, tooltip=option, layout=widgets.Layout(width="auto"))
        button.add_class("wk-pick-option")
        button.observe(self._on_pick_change, names="value")
        return button

    def _on_pick_change(self, change: dict[str, Any]) -> None:
        button = change["owner"]
        if isinstance(button, widgets.ToggleButton):
            button.icon = "check" if button.value else ""
        self._update_count()
        self._changed()

    def _update_count(self) -> None:
        n = len(self.get_answer())
        ok = count_ok(self.exercise, n)
        self.count.value = str(widget_html().count(ok, count_message(self.exercise, n)))

    def get_answer(self) -> list[str]:
        return picks_from([b.value for b in self.options], self.exercise.options, self.custom.value if self.custom else "")

    def set_answer(self, answer: Any) -> None:
        chosen, custom = split_answer(self.exercise, answer)
        for button, option in zip(self.options, self.exercise.options):
            button.value = option in chosen
        if self.custom is not None:
            self.custom.value = custom
        self._update_count()


# --- plain functions ------------------------------------------------------------------------


def picks_from(pressed: list[bool], options: tuple[str, ...], custom: str = "") -> list[str]:
    """The stored answer: the pressed options in catalogue order, then the participant's own entry."""
    picks = [o for o, on in zip(options, pressed) if on]
    if custom.strip():
        picks.append(custom.strip())
    return picks


def split_answer(ex: PickExercise, answer: list[str]) -> tuple[set[str], str]:
    """A stored answer split into catalogue options and the participant's own entry."""
    known = {o.casefold(): o for o in ex.options}
    chosen = {known[p.casefold()] for p in answer if p.casefold() in known}
    own = [p for p in answer if p.casefold() not in known]
    return chosen, (own[0] if own else "")


def count_ok(ex: PickExercise, n: int) -> bool:
    return ex.min_picks <= n <= ex.max_picks


def count_message(ex: PickExercise, n: int) -> str:
    """'2 of 3 chosen', with a ✓ or ✗ and words saying what is still needed."""
    lo, hi = ex.min_picks, ex.max_picks
    if lo == hi:
        head = f"{n} of {hi} chosen"
    elif lo == 0:
        head = f"{n} chosen (up to {hi})"
    else:
        head = f"{n} chosen ({lo} to {hi})"
    if n > hi:
        return f"✗ {head}: {n - hi} too many, please untick {n - hi}."
    if n < lo:
        return f"✗ {head}: choose {lo - n} more."
    return f"✓ {head}"
