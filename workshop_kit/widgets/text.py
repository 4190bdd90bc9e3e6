"""Text exercises: a multi-line box with a live character count against the limit."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from ..catalogue.model import TextExercise
from .base import ExerciseWidget, widget_html


class TextWidget(ExerciseWidget):
    """A labelled text box; the count turns to a warning past the limit (the text stays)."""

    kind = "text"
    exercise: TextExercise  # WIDGETS gives this widget only text exercises

    def _build_body(self) -> list[widgets.Widget]:
        ex = self.exercise
        rows = 3 if ex.max_length <= 300 else 6
        self.box = widgets.Textarea(
            description="Your answer:",
            placeholder=f"Write here (up to {ex.max_length} characters)",
            rows=rows,
            continuous_update=True,
            style={"description_width": "initial"},
            layout=widgets.Layout(width="95%"),
        )
        self.box.add_class("wk-text")
        self.box.observe(self._on_text_change, names="value")
        self.count = widgets.HTML(count_html(self.box.value, ex.max_length))
        self.count.add_class("wk-count")
        return [self.box, self.count]

    def _on_text_change(self, change: dict[str, Any]) -> None:
        self.count.value = count_html(change["new"], self.exercise.max_length)
        self._changed()

    def get_answer(self) -> str:
        return self.box.value

    def set_answer(self, answer: Any) -> None:
        self.box.value = str(answer)


def text_length(text: str) -> int:
    """Length as the store counts it: line endings made plain, outer spaces ignored."""
    return len(text.replace("\r\n", "\n").replace("\r", "\n").strip())


def count_message(text: str, limit: int) -> str:
    """'120 of 800 characters', or a ✗ saying how far over the limit the text is."""
    n = text_length(text)
    if n > limit:
        return f"✗ {n} of {limit} characters: {n - limit} over the limit, please shorten it."
    return f"{n} of {limit} characters"


def count_html(text: str, limit: int) -> str:
    return str(widget_html().count(text_length(text) <= limit, count_message(text, limit)))
