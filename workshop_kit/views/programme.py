"""The programme report: every cohort side by side, as one offline HTML page and one XLSX workbook.

``programme_report(store, cohorts, out_dir)`` (or ``workshop-kit programme --cohort A
--cohort B …``) writes

- ``programme.html``: self-contained (each chart a base64 PNG, styles inline, no external
  address); per exercise a table with one row per cohort (counts, means ± standard
  deviation, shares with their 95% interval, a paired scale's now→target shift) and a
  chart; then the follow-up: each cohort's change, over the people who answered both times;
- ``programme.xlsx``: a contents sheet, the cohorts' sizes, one sheet per exercise with
  the tidy tables of :mod:`workshop_kit.programme`, and one per follow-up exercise.

Privacy is the cohort report's: a cohort below the minimum group size is marked
suppressed (its count shown, its figures not), never drawn or written as zero.
:class:`ProgrammeViews` gives the same views one line each in a facilitator's notebook.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib import rc_context
from matplotlib.figure import Figure

from .. import templating
from .._version import __version__
from .charts import BLUE, GREY, INK, ORANGE
from ..errors import KitError
from ..summaries.programme import ExerciseView, Programme, ShiftView, build_programme
from .report import _defused, defuse, sheet_names
from ..store.responses import ResponseStore
from ..catalogue.model import Exercise
from ..privacy import MIN_GROUP

PALETTE = [BLUE, ORANGE] + [
    templating.colour(name)
    for name in ("nhs-identity-green", "nhs-dark-pink", "nhs-light-blue", "nhs-pink", "nhs-warm-yellow", "nhs-mid-grey", "nhs-aqua-green", "nhs-purple", "nhs-emergency-red", "nhs-dark-blue")
]
SUPPRESSED_LABEL = "suppressed"
_CATEGORY = {"scale": "moment", "pick": "option", "budget": "heading", "grid": "quadrant", "log": "choice"}
_SHIFT_CATEGORY = {"scale": "moment", "pick": "option", "budget": "heading", "log": "choice"}
_SHIFT_VALUE = {"scale": "mean_change", "pick": "change", "budget": "mean_change", "log": "change"}


@dataclass(frozen=True)
class ProgrammeFiles:
    """Where the programme report went."""

    html: Path
    xlsx: Path


def programme_report(
    store: ResponseStore,
    cohorts: Iterable[str] | None = None,
    out_dir: str | Path | None = None,
    *,
    min_group: int = MIN_GROUP,
    exercises: Iterable[Exercise] | None = None,
) -> ProgrammeFiles:
    """Write the programme report (HTML and XLSX) for these cohorts (default: every cohort in the store) into ``out_dir``.

    ``exercises`` narrows it to some of the catalogue's exercises (default: all).
    """
    programme = build_programme(store, cohorts, min_group=min_group, exercises=exercises)
    if not programme.cohorts:
        raise KitError(f"There are no answers in {store.location} yet, so there is no programme to report on.")
    out = Path(out_dir) if out_dir is not None else Path("programme-report")
    out.mkdir(parents=True, exist_ok=True)
    when = dt.datetime.now().astimezone().strftime("%d %B %Y, %H:%M")
    files = ProgrammeFiles(out / "programme.html", out / "programme.xlsx")
    charts = programme_charts(programme)
    files.html.write_text(render_programme_html(store, programme, when, charts), encoding="utf-8")
    write_programme_xlsx(files.xlsx, programme, when, charts)
    return files


def programme_charts(programme: Programme) -> dict[str, Figure | None]:
    """Every chart once, for both files: exercise id → its chart, ``follow-up <id>`` → its shift chart (None: nothing to draw)."""
    charts = {ex_id: exercise_chart(view) for ex_id, view in programme.views.items()}
    charts.update({f"follow-up {ex_id}": shift_chart(view) for ex_id, view in programme.shifts.items()})
    return charts


# --- charts -----------------------------------------------------------------------------------


def _figure(cohorts: int, width: float = 7.0) -> tuple[Figure, Any]:
    fig = Figure(figsize=(width, 0.9 + 0.32 * max(cohorts, 2)), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=8, colors=GREY)
    return fig, ax


def _cohort_axis(ax: Any, labels: list[str], hidden: dict[str, str]) -> None:
    """Cohorts down the y axis, first at the top; a cohort not drawn says why (suppressed, or no answers)."""
    ax.set_yticks(range(len(labels)), [f"{c} ({hidden[c]})" if c in hidden else c for c in labels])
    ax.set_ylim(len(labels) - 0.5, -0.5)
    for tick, cohort in zip(ax.get_yticklabels(), labels):
        if cohort in hidden:
            tick.set_color(templating.colour("nhs-grey-3"))
            tick.set_fontstyle("italic")


def exercise_chart(view: ExerciseView) -> Figure | None:
    """One chart of an exercise across cohorts: means ± SD (scale), shares (pick), stacked parts (budget, grid, log), counts (text)."""
    ex, table = view.exercise, view.table
    cohorts = list(dict.fromkeys(table["cohort"]))
    shown = table[table["status"] == ""]
    if not cohorts or shown.empty and ex.kind != "text":
        return None
    hidden = _why_not_drawn(table)
    fig, ax = _figure(len(cohorts))
    y = {c: i for i, c in enumerate(cohorts)}
    if ex.kind == "scale":
        moments = list(dict.fromkeys(shown["moment"]))
        for j, moment in enumerate(moments):
            part = shown[shown["moment"] == moment]
            offset = (j - (len(moments) - 1) / 2) * 0.25
            ax.errorbar(part["mean"], [y[c] + offset for c in part["cohort"]], xerr=part["sd"].fillna(0), fmt="o", color=PALETTE[j], capsize=2, ms=4, lw=1, label=moment)
        ax.set_xlim(ex.min - 0.5, ex.max + 0.5)
        ax.set_xlabel(f"mean ± SD, {ex.min} = {ex.low_label}, {ex.max} = {ex.high_label}", fontsize=8, color=GREY)
    elif ex.kind == "pick":
        options = list(dict.fromkeys(shown["option"]))
        grid = [[math.nan] * len(options) for _ in cohorts]
        for row in shown.itertuples(index=False):
            grid[y[row.cohort]][options.index(row.option)] = row.share
        image = ax.imshow(grid, aspect="auto", cmap="Blues", vmin=0, vmax=1)
        ax.set_xticks(range(len(options)), [_short(o) for o in options], rotation=30, ha="right")
        for row in shown.itertuples(index=False):
            ax.text(options.index(row.option), y[row.cohort], f"{row.share:.0%}", ha="center", va="center", fontsize=7, color="white" if row.share > 0.6 else INK)
        fig.colorbar(image, ax=ax, shrink=0.6, format=lambda v, _: f"{v:.0%}").ax.tick_params(labelsize=7)
    elif ex.kind == "log" and not any(isinstance(c, str) for c in shown["choice"]):  # no status field: rows per person
        per = view.extras["Rows per person"]
        per = per[per["status"] == ""]
        ax.errorbar(per["mean_rows"], [y[c] for c in per["cohort"]], xerr=per["sd_rows"].fillna(0), fmt="o", color=BLUE, capsize=2, ms=4, lw=1, label="rows per person")
        ax.set_xlim(0, max(ex.max_rows, 1) + 0.5)
        ax.set_xlabel("rows per person, mean ± SD", fontsize=8, color=GREY)
    elif ex.kind in ("budget", "grid", "log"):
        column = _CATEGORY[ex.kind]
        value = "mean" if ex.kind == "budget" else "share"
        parts = list(dict.fromkeys(shown[column]))
        left = {c: 0.0 for c in cohorts}
        for j, part in enumerate(parts):
            rows = shown[shown[column] == part]
            widths = [(0 if v != v else v) * (1 if ex.kind == "budget" else 100) for v in rows[value]]
            ax.barh([y[c] for c in rows["cohort"]], widths, left=[left[c] for c in rows["cohort"]], color=PALETTE[j % len(PALETTE)], label=_short(part), height=0.6)
            for c, w in zip(rows["cohort"], widths):
                left[c] += w
        ax.set_xlim(0, 100)
        ax.set_xlabel("mean share of the time (%)" if ex.kind == "budget" else "share of items (%)" if ex.kind == "grid" else "share of rows (%)", fontsize=8, color=GREY)
    else:  # text: how many answered
        counts = table.drop_duplicates("cohort")
        ax.barh([y[c] for c in counts["cohort"]], [0 if c in hidden else n for c, n in zip(counts["cohort"], counts["n"])], color=BLUE, height=0.6)
        ax.set_xlabel("answers (suppressed cohorts are not drawn)", fontsize=8, color=GREY)
    _cohort_axis(ax, cohorts, hidden)
    if ex.kind != "pick" and ex.kind != "text":
        ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


def shift_chart(view: ShiftView) -> Figure | None:
    """Each cohort's change at the follow-up, one bar per moment, heading, option or status (people who answered both only)."""
    ex, table = view.exercise, view.table
    cohorts = list(dict.fromkeys(table["cohort"]))
    shown = table[table["status"] == ""]
    if not cohorts or shown.empty:
        return None
    hidden = _why_not_drawn(table)
    category, value = _SHIFT_CATEGORY[ex.kind], _SHIFT_VALUE[ex.kind]
    parts = list(dict.fromkeys(shown[category]))
    fig, ax = _figure(len(cohorts))
    y = {c: i for i, c in enumerate(cohorts)}
    height = 0.7 / max(len(parts), 1)
    for j, part in enumerate(parts):
        rows = shown[shown[category] == part]
        scale = 100 if ex.kind in ("pick", "log") else 1
        ax.barh([y[c] - 0.35 + height * (j + 0.5) for c in rows["cohort"]], rows[value] * scale, height=height, color=PALETTE[j % len(PALETTE)], label=_short(str(part)))
    ax.axvline(0, color=GREY, lw=0.8)
    unit = "percentage points" if ex.kind in ("pick", "log") else "points on the scale" if ex.kind == "scale" else "percentage points of time"
    ax.set_xlabel(f"change from workshop to follow-up ({unit})", fontsize=8, color=GREY)
    _cohort_axis(ax, cohorts, hidden)
    ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


def _why_not_drawn(table: pd.DataFrame) -> dict[str, str]:
    """cohort → a short label for each cohort with a status (nothing drawn for it)."""
    statuses = table[table["status"] != ""].drop_duplicates("cohort")
    return {c: SUPPRESSED_LABEL if s.startswith("suppressed") else "none yet" for c, s in zip(statuses["cohort"], statuses["status"])}


def _short(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def svg_bytes(fig: Figure) -> bytes:
    """The figure as SVG (text kept as text, so it stays sharp and small; no date, stable ids)."""
    buffer = io.BytesIO()
    with rc_context({"svg.fonttype": "none", "svg.hashsalt": "workshop-kit"}):
        fig.savefig(buffer, format="svg", facecolor="white", metadata={"Date": None})
    return buffer.getvalue()


def data_uri(fig: Figure | None) -> str | None:
    """The figure as a ``data:image/svg+xml;base64,…`` URI (self-contained; an <img> never runs an SVG's scripts), or None."""
    if fig is None:
        return None
    return "data:image/svg+xml;base64," + base64.b64encode(svg_bytes(fig)).decode("ascii")


# --- the HTML tables (one row per cohort) ---------------------------------------------------------


def _num(value: Any, digits: int = 1) -> str:
    return "–" if value is None or value != value else f"{value:.{digits}f}"


def _pct(value: Any) -> str:
    return "–" if value is None or value != value else f"{value:.0%}"


def _signed(value: Any, digits: int = 1, pct: bool = False) -> str:
    if value is None or value != value:
        return "–"
    value = round(value * 100) if pct else round(value, digits)
    value = value + 0.0 if value else 0.0  # no "-0"
    return (f"{value:+.0f} pts" if value else "±0 pts") if pct else f"{value:+.{digits}f}" if value else f"±{0:.{digits}f}"


def wide_table(view: ExerciseView) -> dict[str, Any]:
    """The view as one row per cohort: cohort, answered, then one cell per category (and a paired scale's shift)."""
    ex, table = view.exercise, view.table
    if table.empty:
        return {"columns": [], "rows": []}
    category = _CATEGORY.get(ex.kind)
    shown = table[table["status"] == ""]
    parts = [p for p in dict.fromkeys(shown[category]) if isinstance(p, str)] if category else []
    shift = next(iter(view.extras.values()), None) if ex.kind == "scale" else None
    per_person = view.extras.get("Rows per person")
    columns = [*parts]
    if shift is not None:
        columns.append(next(iter(view.extras)).replace("Shift ", "Shift: "))
    if per_person is not None:
        columns.append("Rows per person")
    rows = []
    for cohort in dict.fromkeys(table["cohort"]):
        mine = table[table["cohort"] == cohort]
        status = mine["status"].iloc[0]
        n = int(mine["n"].iloc[0])
        if status:
            rows.append({"cohort": cohort, "n": n, "status": status, "cells": []})
            continue
        by = {getattr(r, category): r for r in mine.itertuples(index=False)} if category else {}
        cells = [_cell(ex.kind, by.get(p)) for p in parts]
        if shift is not None:
            s = shift[shift["cohort"] == cohort].iloc[0]
            cells.append(f"{_signed(s['mean_shift'])} ± {_num(s['sd_shift'])} · {_pct(s['want_more'])} want more")
        if per_person is not None:
            s = per_person[per_person["cohort"] == cohort].iloc[0]
            cells.append(f"{_num(s['mean_rows'])} ± {_num(s['sd_rows'])}")
        rows.append({"cohort": cohort, "n": n, "status": "", "cells": cells})
    return {"columns": columns, "rows": rows}


def _cell(kind: str, row: Any) -> str:
    if row is None:
        return "–"
    if kind == "scale":
        return f"{_num(row.mean)} ± {_num(row.sd)} (median {_num(row.median, 0 if float(row.median).is_integer() else 1)})"
    if kind == "pick":
        return f"{_pct(row.share)} ({_pct(row.share_low)}–{_pct(row.share_high)})"
    if kind == "budget":
        return f"{_num(row.mean, 0)}% ± {_num(row.sd, 0)}"
    return _pct(row.share)


def wide_shift(view: ShiftView) -> dict[str, Any]:
    """The follow-up shift as one row per cohort: people who answered both, then before → after (change) per category."""
    ex, table = view.exercise, view.table
    if table.empty:
        return {"columns": [], "rows": []}
    category = _SHIFT_CATEGORY[ex.kind]
    shown = table[table["status"] == ""]
    parts = list(dict.fromkeys(shown[category]))
    rows = []
    for cohort in dict.fromkeys(table["cohort"]):
        mine = table[table["cohort"] == cohort]
        status, n = mine["status"].iloc[0], int(mine["matched"].iloc[0])
        if status:
            rows.append({"cohort": cohort, "n": n, "status": status, "cells": []})
            continue
        by = {getattr(r, category): r for r in mine.itertuples(index=False)}
        cells = []
        for p in parts:
            r = by.get(p)
            if r is None:
                cells.append("–")
            elif ex.kind in ("scale", "budget"):
                cells.append(f"{_num(r.mean_before)} → {_num(r.mean_after)} ({_signed(r.mean_change)})")
            else:
                cells.append(f"{_pct(r.share_before)} → {_pct(r.share_after)} ({_signed(r.change, pct=True)})")
        rows.append({"cohort": cohort, "n": n, "status": "", "cells": cells})
    return {"columns": parts, "rows": rows}


# --- HTML -------------------------------------------------------------------------------------------


def render_programme_html(store: ResponseStore, programme: Programme, when: str, charts: dict[str, Figure | None] | None = None) -> str:
    """The programme page (Jinja2, autoescaped): cohorts, then each section's exercises, then the follow-up."""
    catalogue = store.catalogue
    charts = programme_charts(programme) if charts is None else charts
    sections = []
    for section in catalogue.sections:
        items = []
        for ex in catalogue.exercises_in(section.id):
            view = programme.views.get(ex.id)
            if view is None:
                continue
            items.append({"id": ex.id, "title": ex.title, "prompt": ex.prompt, "kind": ex.kind, "private": ex.sensitive and ex.kind in ("text", "grid", "log"), "chart": data_uri(charts[ex.id]), "table": wide_table(view)})
        sections.append({"number": section.number, "title": section.title, "exercises": items})
    shifts = [
        {"id": ex_id, "title": view.exercise.title, "chart": data_uri(charts[f"follow-up {ex_id}"]), "table": wide_shift(view)} for ex_id, view in programme.shifts.items()
    ]
    follow_up = catalogue.follow_up
    return templating.render(
        "programme.html",
        isolating=True,
        cohorts=programme.overview().to_dict("records"),
        sections=sections,
        shifts=shifts,
        follow_up=follow_up,
        when=when,
        min_group=programme.min_group,
        version=__version__,
    )


# The page's template: templates/programme.html (rendered through workshop_kit.templating).


# --- XLSX ---------------------------------------------------------------------------------------------


def write_programme_xlsx(path: Path, programme: Programme, when: str, charts: dict[str, Figure | None] | None = None) -> None:
    """The workbook: contents, cohorts, one sheet per exercise (tidy tables side by side, the chart beside them), one per follow-up exercise."""
    charts = programme_charts(programme) if charts is None else charts
    ids = list(programme.views)
    shift_ids = [f"follow-up {i}" for i in programme.shifts]
    sheets = sheet_names(["cohorts", *ids, *shift_ids])
    contents = pd.DataFrame(
        {
            "sheet": [sheets[i] for i in ["cohorts", *ids, *shift_ids]],
            "what": ["Participants per cohort", *(v.exercise.title for v in programme.views.values()), *(f"Follow-up: {v.exercise.title}" for v in programme.shifts.values())],
            "suppressed cohorts": ["", *(", ".join(v.suppressed) for v in programme.views.values()), *(", ".join(v.suppressed) for v in programme.shifts.values())],
        }
    )
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        _defused(contents).to_excel(writer, sheet_name="contents", index=False, startrow=1)
        note = f"Programme of {len(programme.cohorts)} cohorts, written {when}. Suppressed: fewer than {programme.min_group} answers, so no figures (blank, never zero)."
        writer.sheets["contents"].cell(row=1, column=1, value=note)
        _block(writer, sheets["cohorts"], [("Cohorts", programme.overview())])
        for ex_id, view in programme.views.items():
            _block(writer, sheets[ex_id], [("Cohorts side by side", view.table), *view.extras.items()], charts.get(ex_id))
        for ex_id, shift in programme.shifts.items():
            _block(writer, sheets[f"follow-up {ex_id}"], [("Workshop → follow-up, people who answered both", shift.table)], charts.get(f"follow-up {ex_id}"))


def _block(writer: Any, name: str, blocks: list[tuple[str, pd.DataFrame]], chart: Figure | None = None) -> None:
    """Tables side by side from the top left, then the chart (a PNG) to their right."""
    from openpyxl.drawing.image import Image
    from openpyxl.utils import get_column_letter

    column = 0
    for title, frame in blocks:
        _defused(frame).to_excel(writer, sheet_name=name, index=False, startrow=1, startcol=column)
        sheet = writer.sheets[name]
        sheet.cell(row=1, column=column + 1, value=defuse(title))
        for offset, c in enumerate(frame.columns):
            if str(c).startswith("share") or str(c) in ("change", "want_more", "want_less", "no_change"):
                for row in range(3, len(frame) + 3):
                    sheet.cell(row=row, column=column + offset + 1).number_format = "0%"
        column += len(frame.columns) + 1
    if chart is not None:
        buffer = io.BytesIO()
        chart.savefig(buffer, format="png", dpi=100, facecolor="white")
        writer.sheets[name].add_image(Image(buffer), f"{get_column_letter(column + 1)}2")


# --- the facilitator's notebook -----------------------------------------------------------------------


class ProgrammeViews:
    """The programme report's views for a facilitator's notebook, one line each.

    ``prog = kit.programme()`` reads every cohort once (or those named); then
    ``prog.overview()``, ``prog.table("risk.appetite")``, ``prog.chart("risk.appetite")``,
    ``prog.shift("risk.appetite")``, ``prog.shift_chart("risk.appetite")`` and
    ``prog.write_report()`` each show one view.  ``prog.refresh()`` reads the store again.
    """

    def __init__(self, store: ResponseStore | None = None, cohorts: Iterable[str] | None = None, min_group: int = MIN_GROUP):
        if store is None:
            from ..store.responses import default_store

            store = default_store()
        self.store, self._cohorts, self.min_group = store, None if cohorts is None else list(cohorts), min_group
        self.refresh()

    def refresh(self) -> ProgrammeViews:
        """Read the store again."""
        self.programme = build_programme(self.store, self._cohorts, min_group=self.min_group)
        return self

    def overview(self) -> pd.DataFrame:
        """Participants per cohort, at the workshop and at the follow-up."""
        return self.programme.overview()

    def table(self, exercise_id: str) -> pd.DataFrame:
        """One exercise, one row per cohort (suppressed cohorts say so)."""
        t = wide_table(self._view(exercise_id))
        return _as_frame(t, "answered")

    def chart(self, exercise_id: str) -> Any:
        """One exercise's chart across cohorts (a note when there is nothing to draw yet)."""
        return _image(exercise_chart(self._view(exercise_id)))

    def shift(self, exercise_id: str) -> pd.DataFrame:
        """One follow-up exercise: each cohort's workshop → follow-up change, over the people who answered both."""
        return _as_frame(wide_shift(self._shift(exercise_id)), "answered both")

    def shift_chart(self, exercise_id: str) -> Any:
        """The chart of each cohort's change at the follow-up."""
        return _image(shift_chart(self._shift(exercise_id)))

    def write_report(self, out_dir: str | Path | None = None) -> ProgrammeFiles | str:
        """Write the HTML and XLSX report (the cohorts shown here); returns where they went."""
        if not self.programme.cohorts:
            return "No answers yet: there is no programme to report on."
        return programme_report(self.store, self.programme.cohorts, out_dir, min_group=self.min_group)

    def _view(self, exercise_id: str) -> ExerciseView:
        self.store.catalogue.exercise(exercise_id)  # a plain error for an unknown id
        return self.programme.views[exercise_id]

    def _shift(self, exercise_id: str) -> ShiftView:
        if exercise_id not in self.programme.shifts:
            asked = ", ".join(self.programme.shifts) or "none"
            raise KitError(f"{exercise_id!r} is not asked again at the follow-up (the catalogue's [follow_up] lists: {asked}).")
        return self.programme.shifts[exercise_id]


def _as_frame(t: dict[str, Any], what: str) -> pd.DataFrame:
    records = [{"cohort": r["cohort"], what: r["n"], **({c: r["status"] for c in t["columns"][:1]} if r["status"] else dict(zip(t["columns"], r["cells"])))} for r in t["rows"]]
    frame = pd.DataFrame(records, columns=["cohort", what, *t["columns"]])
    return frame.fillna("").set_index("cohort") if len(frame) else frame


def _image(fig: Figure | None) -> Any:
    from IPython.display import HTML

    if fig is None:
        return HTML("<p><em>Nothing to chart yet: no cohort has enough answers.</em></p>")
    from IPython.display import SVG

    return SVG(svg_bytes(fig))


def programme(store: ResponseStore | None = None, cohorts: Iterable[str] | None = None, min_group: int = MIN_GROUP) -> ProgrammeViews:
    """The programme's views for a facilitator's notebook (see :class:`ProgrammeViews`)."""
    return ProgrammeViews(store, cohorts, min_group)
