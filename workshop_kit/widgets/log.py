"""Log exercises: rows of named fields (text, choice, date, number) to add, edit and remove."""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

import ipywidgets as widgets

from ..catalogue.model import Field, LogExercise
from ..page_css import CONTROL_MAX_WIDTH
from .base import ExerciseWidget, widget_html

LABEL_WIDTH = {"description_width": "13em"}


class LogRow(widgets.VBox):
    """One row of a log: a control per field and a Remove button."""

    def __init__(self, fields: tuple[Field, ...], on_change: Callable[[dict], None], on_remove: Callable[[LogRow], None]):
        super().__init__()
        self.add_class("wk-row")
        self.controls = {f.name: field_control(f) for f in fields}
        for control in self.controls.values():
            control.observe(on_change, names="value")
        self.heading = widgets.HTML("")
        self.remove_button = widgets.Button(description="Remove this row", icon="trash", tooltip="Remove this row", layout=widgets.Layout(width="auto", align_self="flex-start"))
        self.remove_button.add_class("wk-remove")
        self.remove_button.on_click(lambda _button: on_remove(self))
        self.children = [self.heading, *self.controls.values(), self.remove_button]

    def values(self, fields: tuple[Field, ...]) -> dict[str, Any]:
        return {f.name: field_value(f, self.controls[f.name].value) for f in fields}

    def show(self, fields: tuple[Field, ...], row: dict[str, Any]) -> None:
        for f in fields:
            self.controls[f.name].value = control_value(f, row.get(f.name))


class LogWidget(ExerciseWidget):
    """A list of rows; each row holds the exercise's fields."""

    kind = "log"
    exercise: LogExercise  # WIDGETS gives this widget only log exercises

    def _build_body(self) -> list[widgets.Widget]:
        self.rows: list[LogRow] = []
        self.rows_box = widgets.VBox([])
        self.rows_box.add_class("wk-rows")
        self.add_button = widgets.Button(description="Add a row", icon="plus", tooltip="Add an empty row", layout=widgets.Layout(width="auto"))
        self.add_button.add_class("wk-add")
        self.add_button.on_click(self._on_add_click)
        self.row_count = widgets.HTML("")
        self.row_count.add_class("wk-count")
        with self._quietly():
            self.add_row()
        add_row = widgets.HBox([self.add_button, self.row_count], layout=widgets.Layout(align_items="center"))
        add_row.add_class("wk-gap")
        return [self.rows_box, add_row]

    def add_row(self, values: dict[str, Any] | None = None) -> LogRow:
        """Append a row (empty, or filled from stored values)."""
        row = LogRow(self.exercise.fields, self._on_field_change, self.remove_row)
        if values is not None:
            row.show(self.exercise.fields, values)
        self.rows.append(row)
        self._refresh_rows()
        self._changed()
        return row

    def remove_row(self, row: LogRow) -> None:
        """Take a row off the list (nothing is saved until Save)."""
        self.rows.remove(row)
        self._refresh_rows()
        self._changed()

    def _refresh_rows(self) -> None:
        for i, row in enumerate(self.rows, start=1):
            row.heading.value = str(widget_html().row_heading("Row", i))
            row.remove_button.description = f"Remove row {i}"
        self.rows_box.children = list(self.rows)
        full = len(self.rows) >= self.exercise.max_rows
        self.add_button.disabled = full
        self.row_count.value = rows_message(len(self.rows), self.exercise.max_rows)

    def _on_add_click(self, button: widgets.Button) -> None:
        self.add_row()

    def _on_field_change(self, change: dict[str, Any]) -> None:
        self._changed()

    def get_answer(self) -> list[dict[str, Any]]:
        return [row.values(self.exercise.fields) for row in self.rows]

    def set_answer(self, answer: Any) -> None:
        self.rows = []
        for values in answer if isinstance(answer, list) else []:
            self.add_row(values)
        if not self.rows:
            self.add_row()
        self._refresh_rows()


# --- plain functions: one field's control and value ------------------------------------------


def field_control(f: Field, style: dict[str, str] = LABEL_WIDTH) -> widgets.Widget:
    """A labelled control for one field: text box, dropdown, date picker or number box."""
    label = f"{f.label}{' (required)' if f.required else ''}:"
    common = dict(description=label, style=style, layout=widgets.Layout(width="100%", max_width=f"min(760px, {CONTROL_MAX_WIDTH})"))
    if f.type == "choice":
        control = widgets.Dropdown(options=[("Not set", "")] + [(c, c) for c in f.choices], value="", **common)
    elif f.type == "date":
        common["layout"] = widgets.Layout(width="24em", max_width=CONTROL_MAX_WIDTH)
        control = widgets.DatePicker(value=None, **common)
    elif f.type == "number":
        control = widgets.Text(value="", placeholder=f"A whole number from {f.min} to {f.max}", continuous_update=True, **common)
    elif f.max_length > 100:
        control = widgets.Textarea(value="", rows=2, placeholder=f"Up to {f.max_length} characters", continuous_update=True, **common)
    else:
        control = widgets.Text(value="", placeholder=f"Up to {f.max_length} characters", continuous_update=True, **common)
    control.add_class(f"wk-field-{f.type}")
    control.add_class(f"wk-field-{f.name}")
    return control


def field_value(f: Field, raw: Any) -> Any:
    """A control's value in stored form; text that is not a number is passed on for the check to explain."""
    if f.type == "date":
        return raw.isoformat() if isinstance(raw, dt.date) else ""
    if f.type == "number":
        text = (raw or "").strip()
        if not text:
            return None
        try:
            return int(text)
        except ValueError:
            return text
    return raw if raw is not None else ""


def control_value(f: Field, stored: Any) -> Any:
    """A stored value as its control expects it."""
    if f.type == "date":
        try:
            return dt.date.fromisoformat(stored) if stored else None
        except (TypeError, ValueError):
            return None
    if f.type == "number":
        return "" if stored is None else str(stored)
    if f.type == "choice":
        return stored if stored in f.choices else ""
    return "" if stored is None else str(stored)


def rows_message(n: int, limit: int) -> str:
    """'3 rows (limit 20)', saying when the limit is reached."""
    text = f"{n} row{'' if n == 1 else 's'} (limit {limit})"
    return text + ": the limit is reached; remove one to add another." if n >= limit else text


class ObjectivesWidget(LogWidget):
    """The plan's objectives (notebook 11): a log with a button that drafts rows from the participant's answers.

    Drafting only fills the screen; nothing is saved until Save, so the participant edits first.
    """

    def _build_body(self) -> list[widgets.Widget]:
        body = super()._build_body()
        self.draft_button = widgets.Button(
            description="Draft from my answers", icon="magic", tooltip="Fill the rows with drafts made from your saved answers (not saved yet)", layout=widgets.Layout(width="auto")
        )
        self.draft_button.add_class("wk-draft")
        self.draft_button.on_click(self._on_draft_click)
        self.draft_note = widgets.HTML("")
        self.draft_note.add_class("wk-draft-note")
        return [widgets.HBox([self.draft_button, self.draft_note], layout=widgets.Layout(align_items="center")), *body]

    def draft(self) -> int:
        """Put drafts from the saved answers in place of empty rows (filled rows are kept); returns how many were added."""
        from ..catalogue.model import default_catalogue
        from ..errors import KitError
        from ..summaries.personal import saved_answers
        from ..summaries.objectives import suggest_objectives

        try:
            store = self._get_store()
            catalogue, answers = store.catalogue, saved_answers(store, self.identity.participant, self.identity.cohort)
        except KitError:  # no store to read: drafts from nothing (the footer says why on Save)
            catalogue, answers = default_catalogue(), {}
        drafts = suggest_objectives(catalogue, answers)
        kept = [row for row in self.rows if any(row.values(self.exercise.fields).values())]
        self.rows = kept
        added = 0
        for values in drafts:
            if len(self.rows) >= self.exercise.max_rows:
                break
            self.add_row(values)
            added += 1
        if not self.rows:
            self.add_row()
        self._refresh_rows()
        self.draft_note.value = str(widget_html().drafts(added))
        return added

    def _on_draft_click(self, button: widgets.Button) -> None:
        self.draft()
