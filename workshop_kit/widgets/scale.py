"""Scale exercises: a slider with labelled ends, or a now/target pair side by side."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from ..catalogue.model import ScaleExercise
from .base import WIDE_LABEL, ExerciseWidget, number_box, widget_html
from .slider import RangeSlider


class ScaleWidget(ExerciseWidget):
    """One slider, or two (e.g. 'Now' and 'In 12 months') for a paired scale."""

    kind = "scale"
    exercise: ScaleExercise  # WIDGETS gives this widget only scale exercises

    def _build_body(self) -> list[widgets.Widget]:
        ex = self.exercise
        names = ex.pair if ex.paired else ("Your answer",)
        self.sliders = [self._build_slider(name) for name in names]
        columns = [self._build_column(name, slider) for name, slider in zip(names, self.sliders)]
        row = widgets.HBox(columns, layout=widgets.Layout(flex_flow="row wrap"))
        row.add_class("wk-scale")
        return [row]

    def _build_slider(self, name: str) -> RangeSlider:
        ex = self.exercise
        slider = RangeSlider(
            value=middle(ex.min, ex.max),
            min=ex.min,
            max=ex.max,
            description=name,
            style=WIDE_LABEL,
            continuous_update=False,
            layout=widgets.Layout(width="100%"),
        )
        slider.add_class("wk-slider")
        slider.observe(self._on_slider_change, names="value")
        return slider

    def _build_column(self, name: str, slider: RangeSlider) -> widgets.VBox:
        ex = self.exercise
        ends = widgets.HTML(str(widget_html().scale_ends(ex.min, ex.low_label, ex.max, ex.high_label)))
        ends.add_class("wk-scale-ends")
        number = number_box(slider, f"{name} ({ex.min}–{ex.max})")
        return widgets.VBox([slider, number, ends], layout=widgets.Layout(width="420px", max_width="100%"))

    def _on_slider_change(self, change: dict[str, Any]) -> None:
        self._changed()

    def get_answer(self) -> Any:
        values = [s.value for s in self.sliders]
        if self.exercise.paired:
            return {"now": values[0], "target": values[1]}
        return values[0]

    def set_answer(self, answer: Any) -> None:
        values = [answer["now"], answer["target"]] if isinstance(answer, dict) else [answer]
        for slider, value in zip(self.sliders, values):
            slider.value = min(max(value, slider.min), slider.max)


def middle(lo: int, hi: int) -> int:
    """Where a new slider starts: the middle of the scale, rounded down."""
    return (lo + hi) // 2
