"""Budget exercises: one number per heading, a running total, Save only once it adds up."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from ..catalogue.answers import SHARE_PLACES, share_total
from ..catalogue.model import BudgetExercise
from ..page_css import CONTROL_MAX_WIDTH
from .base import ExerciseWidget, widget_html


class BudgetWidget(ExerciseWidget):
    """A box per heading (0 to the total, decimals allowed); the total says how much is left to share."""

    kind = "budget"
    exercise: BudgetExercise  # WIDGETS gives this widget only budget exercises

    def _build_body(self) -> list[widgets.Widget]:
        ex = self.exercise
        self.shares = {h: self._build_share(h) for h in ex.headings}
        boxes = widgets.VBox(list(self.shares.values()))
        boxes.add_class("wk-budget")
        self.total = widgets.HTML("")
        self.total.add_class("wk-count")
        return [boxes, self.total]

    def _build_share(self, heading: str) -> widgets.BoundedFloatText:
        ex = self.exercise
        # a float box: an int box shows a typed 12.5 but sends 12, so the total would be wrong
        share = widgets.BoundedFloatText(
            value=0,
            min=0,
            max=ex.total,
            step=1,
            description=f"{heading} ({unit(ex).strip()}):",
            continuous_update=True,
            style={"description_width": "14em"},
            layout=widgets.Layout(width="22em", max_width=CONTROL_MAX_WIDTH),
        )
        share.add_class("wk-budget-share")
        share.observe(self._on_share_change, names="value")
        return share

    def _build_footer(self) -> widgets.HBox:
        footer = super()._build_footer()
        self._update_total()
        return footer

    def _on_share_change(self, change: dict[str, Any]) -> None:
        self._update_total()
        self._changed()

    def _update_total(self) -> None:
        answer = self.get_answer()
        ok = share_total(answer.values()) == self.exercise.total and all(round(v, SHARE_PLACES) == v for v in answer.values())
        self.total.value = str(widget_html().count(ok, total_message(self.exercise, answer)))
        self.save_button.disabled = not ok
        self.save_button.tooltip = "Save your answer" if ok else f"The shares must add up to {self.exercise.total} before you can save"

    def get_answer(self) -> dict[str, int | float]:
        return {h: as_share(box.value) for h, box in self.shares.items()}

    def set_answer(self, answer: Any) -> None:
        for heading, box in self.shares.items():
            box.value = float(answer.get(heading, 0)) if isinstance(answer, dict) else 0.0
        self._update_total()


def as_share(value: float) -> int | float:
    """A box's value as it is stored: 12.0 becomes 12, 12.5 stays 12.5."""
    return int(value) if float(value).is_integer() else float(value)


def unit(ex: BudgetExercise) -> str:
    return "%" if ex.total == 100 else f" of {ex.total}"


def total_message(ex: BudgetExercise, shares: dict[str, int | float]) -> str:
    """'Total 90%: 10% still to share', or a ✓ once it adds up exactly (decimals added exactly)."""
    total, u = share_total(shares.values()), unit(ex)
    fine = [h for h, v in shares.items() if round(v, SHARE_PLACES) != v]
    if fine:
        return f"✗ {', '.join(fine)}: please use at most {SHARE_PLACES} decimal places."
    if total == ex.total:
        return f"✓ Total {total}{u}: it adds up. You can save."
    if total < ex.total:
        return f"✗ Total {total}{u}: {share_total([ex.total, -total])}{u} still to share out before you can save."
    return f"✗ Total {total}{u}: {share_total([total, -ex.total])}{u} too much; take some away before you can save."
