"""Grid exercises: items placed on two axes and tagged, with a live chart of the four
quadrants (for an interest × influence map, Mendelow's: manage closely, keep satisfied,
keep informed, monitor)."""

from __future__ import annotations

from typing import Any, Callable

import ipywidgets as widgets

from .. import templating
from ..bidi import isolate
from ..catalogue.model import GridExercise
from .base import ExerciseWidget, number_box, widget_html
from .log import control_value, field_control, field_value
from .slider import RangeSlider

LABEL_WIDTH = {"description_width": "10em"}
COLOURS = [  # the markers' colours, from the palette; told apart by shape too
    templating.colour(name) for name in ("nhs-blue", "nhs-red", "nhs-green", "nhs-warm-yellow", "nhs-purple", "nhs-aqua-blue", "nhs-pink", "nhs-dark-grey")
]


def _full() -> widgets.Layout:
    return widgets.Layout(width="100%")


class GridItem(widgets.VBox):
    """One item: its name, its place on both axes, its tag, extra fields, and Remove."""

    def __init__(self, ex: GridExercise, on_change: Callable[[dict], None], on_remove: Callable[[GridItem], None]):
        super().__init__()
        self.add_class("wk-row")
        mid = (ex.min + ex.max) // 2
        self.name = widgets.Text(description=f"{ex.item_label}:", placeholder=f"Up to {ex.max_length} characters", style=LABEL_WIDTH, continuous_update=False, layout=_full())
        self.name.add_class("wk-grid-name")
        self.x = RangeSlider(value=mid, min=ex.min, max=ex.max, description=f"{ex.x_axis.label}:", style=LABEL_WIDTH, continuous_update=False, layout=_full())
        self.y = RangeSlider(value=mid, min=ex.min, max=ex.max, description=f"{ex.y_axis.label}:", style=LABEL_WIDTH, continuous_update=False, layout=_full())
        self.x.add_class("wk-grid-x")
        self.y.add_class("wk-grid-y")
        self.tag = widgets.Dropdown(options=list(ex.tags), value=ex.tags[0], description=f"{ex.tag_label}:", style=LABEL_WIDTH, layout=_full())
        self.tag.add_class("wk-grid-tag")
        self.fields = {f.name: field_control(f, LABEL_WIDTH) for f in ex.fields}
        for control in [self.name, self.x, self.y, self.tag, *self.fields.values()]:
            control.observe(on_change, names="value")
        self.heading = widgets.HTML("")
        self.remove_button = widgets.Button(description="Remove", icon="trash", layout=widgets.Layout(width="auto", align_self="flex-start"))
        self.remove_button.add_class("wk-remove")
        self.remove_button.on_click(lambda _button: on_remove(self))
        self.x_number = number_box(self.x, f"{ex.x_axis.label} ({ex.min}–{ex.max}):", LABEL_WIDTH)
        self.y_number = number_box(self.y, f"{ex.y_axis.label} ({ex.min}–{ex.max}):", LABEL_WIDTH)
        self.children = [self.heading, self.name, self.tag, self.x, self.x_number, self.y, self.y_number, *self.fields.values(), self.remove_button]

    def values(self, ex: GridExercise) -> dict[str, Any]:
        item = {"name": self.name.value, "x": self.x.value, "y": self.y.value, "tag": self.tag.value}
        item.update({f.name: field_value(f, self.fields[f.name].value) for f in ex.fields})
        return item

    def show(self, ex: GridExercise, item: dict[str, Any]) -> None:
        self.name.value = str(item.get("name", ""))
        self.x.value = min(max(int(item.get("x", self.x.value)), ex.min), ex.max)
        self.y.value = min(max(int(item.get("y", self.y.value)), ex.min), ex.max)
        if item.get("tag") in ex.tags:
            self.tag.value = item["tag"]
        for f in ex.fields:
            self.fields[f.name].value = control_value(f, item.get(f.name))


class GridWidget(ExerciseWidget):
    """Items to add and remove, each placed and tagged; the chart and a text summary follow."""

    kind = "grid"
    exercise: GridExercise  # WIDGETS gives this widget only grid exercises

    def _build_body(self) -> list[widgets.Widget]:
        ex = self.exercise
        self.items: list[GridItem] = []
        self._paused = False
        self.items_box = widgets.VBox([], layout=widgets.Layout(width="500px", max_width="100%"))
        self.items_box.add_class("wk-rows")
        self.add_button = widgets.Button(description=f"Add {ex.item_label.lower()}", icon="plus", layout=widgets.Layout(width="auto"))
        self.add_button.add_class("wk-add")
        self.add_button.on_click(self._on_add_click)
        self.chart = widgets.HTML(layout=widgets.Layout(width="400px", max_width="100%"))
        self.chart.add_class("wk-grid-chart")
        self.summary = widgets.HTML("")
        self.summary.add_class("wk-grid-summary")
        with self._quietly():
            self.add_item()
        left = widgets.VBox([self.items_box, self.add_button], layout=widgets.Layout(max_width="100%"))
        right = widgets.VBox([self.chart, self.summary], layout=widgets.Layout(width="410px", max_width="100%"))
        body = widgets.HBox([left, right], layout=widgets.Layout(flex_flow="row wrap", align_items="flex-start"))
        body.add_class("wk-gap")
        return [body]

    def add_item(self, values: dict[str, Any] | None = None) -> GridItem:
        """Append an item (empty, or filled from a stored item)."""
        item = GridItem(self.exercise, self._on_item_change, self.remove_item)
        if values is not None:
            item.show(self.exercise, values)
        self.items.append(item)
        self._refresh()
        self._changed()
        return item

    def remove_item(self, item: GridItem) -> None:
        """Take an item off the grid (nothing is saved until Save)."""
        self.items.remove(item)
        self._refresh()
        self._changed()

    def _refresh(self) -> None:
        for i, item in enumerate(self.items, start=1):
            item.heading.value = str(widget_html().row_heading(self.exercise.item_label, i))
            item.remove_button.description = f"Remove {self.exercise.item_label.lower()} {i}"
        self.items_box.children = list(self.items)
        self.add_button.disabled = len(self.items) >= self.exercise.max_rows
        self._redraw()

    def _redraw(self) -> None:
        if self._paused:
            return
        answer = self.get_answer()
        self.chart.value = draw_grid(self.exercise, answer)
        self.summary.value = summary_html(self.exercise, answer)

    def _on_add_click(self, button: widgets.Button) -> None:
        self.add_item()

    def _on_item_change(self, change: dict[str, Any]) -> None:
        self._redraw()
        self._changed()

    def get_answer(self) -> list[dict[str, Any]]:
        return [item.values(self.exercise) for item in self.items]

    def set_answer(self, answer: Any) -> None:
        self.items = []
        self._paused = True  # draw once at the end, not once per item
        try:
            for values in answer if isinstance(answer, list) else []:
                self.add_item(values)
            if not self.items:
                self.add_item()
        finally:
            self._paused = False
        self._refresh()


# --- plain functions --------------------------------------------------------------------------


def summary_html(ex: GridExercise, items: list[dict[str, Any]]) -> str:
    """The chart in words: each quadrant with the names in it (escaped)."""
    groups: dict[str, list[str]] = {name: [] for name in ex.quadrants.names()}
    for item in items:
        groups[ex.quadrant_of(item["x"], item["y"])].append(isolate(item["name"].strip()) or "(no name yet)")
    return str(widget_html().grid_summary(list(groups.items())))


def draw_grid(ex: GridExercise, items: list[dict[str, Any]]) -> str:
    """An SVG of the four quadrants with each item placed and marked by its tag (shape and colour).

    Drawn from a Jinja2 template (names escaped) rather than matplotlib, so a participant's page
    never loads a plotting library (50 MB and a second of start-up per person in a room)."""
    box = {"left": 62, "right": 545, "top": 12, "bottom": 372}
    width, height = 560, box["bottom"] + 76 + 20 * ((len(ex.tags) + 1) // 2)
    lo, hi = ex.min - 0.5, ex.max + 0.5

    def px(value: float) -> float:
        return round(box["left"] + (value - lo) / (hi - lo) * (box["right"] - box["left"]), 1)

    def py(value: float) -> float:
        return round(box["bottom"] - (value - lo) / (hi - lo) * (box["bottom"] - box["top"]), 1)

    mid = (ex.min + ex.max) / 2 + (0.5 if (ex.max - ex.min) % 2 == 0 else 0)
    quadrants = [
        {"name": name, "x": box["right"] - 6 if high_x else box["left"] + 6, "y": box["top"] + 16 if high_y else box["bottom"] - 8, "anchor": "end" if high_x else "start"}
        for (high_x, high_y), name in ex.quadrants.by_position().items()
    ]
    ticks = list(range(ex.min, ex.max + 1))
    points = []
    for item in items:
        if item.get("tag") not in ex.tags:
            continue
        i = ex.tags.index(item["tag"])
        x, y = px(item["x"]), py(item["y"])
        right = item["x"] > (ex.min + ex.max) / 2  # label towards the middle, so it stays inside the chart
        points.append({"shape": _marker(i, x, y), "colour": COLOURS[i % len(COLOURS)], "name": _short(item["name"]), "y": y, "label_x": x - 8 if right else x + 8, "anchor": "end" if right else "start"})
    legend = [{"shape": _marker(i, box["left"] + 8 + 240 * (i % 2), box["bottom"] + 80 + 20 * (i // 2)), "colour": COLOURS[i % len(COLOURS)], "tag": tag, "x": box["left"] + 8 + 240 * (i % 2), "y": box["bottom"] + 80 + 20 * (i // 2)} for i, tag in enumerate(ex.tags)]
    placed = len(points)
    title = f"{ex.title}: {placed} {ex.item_label.lower()}{'' if placed == 1 else 's'} placed by {ex.x_axis.label.lower()} and {ex.y_axis.label.lower()}; the same in words below."
    return _grid_template().render(
        uid=f"wk-grid-{abs(hash((ex.id, repr(items)))) % 10**8}",
        width=width,
        height=height,
        box=box,
        mid_x=px(mid),
        mid_y=py(mid),
        quadrants=quadrants,
        ticks_x=[{"at": px(t), "label": t} for t in ticks],
        ticks_y=[{"at": py(t), "label": t} for t in ticks],
        x_label=f"{ex.x_axis.label}: {ex.x_axis.low} → {ex.x_axis.high}",
        y_label=f"{ex.y_axis.label}: {ex.y_axis.low} → {ex.y_axis.high}",
        points=points,
        legend=legend if any(p for p in points) else [],
        tag_label=ex.tag_label,
        title=title,
    )


def _marker(i: int, x: float, y: float, r: float = 6) -> str:
    """An SVG path for the i-th tag's marker: circle, square, triangle, diamond, then round again."""
    shape = i % 4
    if shape == 0:
        return f"M {x - r} {y} a {r} {r} 0 1 0 {2 * r} 0 a {r} {r} 0 1 0 {-2 * r} 0 Z"
    if shape == 1:
        return f"M {x - r} {y - r} h {2 * r} v {2 * r} h {-2 * r} Z"
    if shape == 2:
        return f"M {x} {y - r - 1} L {x + r + 1} {y + r} L {x - r - 1} {y + r} Z"
    return f"M {x} {y - r - 1} L {x + r + 1} {y} L {x} {y + r + 1} L {x - r - 1} {y} Z"


_TEMPLATE: Any = None


def _grid_template() -> Any:
    global _TEMPLATE
    if _TEMPLATE is None:
        from .. import templating

        _TEMPLATE = templating.environment().get_template("grid.svg")
    return _TEMPLATE


def _short(name: str, limit: int = 22) -> str:
    name = name.strip() or "(no name yet)"
    return isolate(name if len(name) <= limit else name[: limit - 1] + "…")

