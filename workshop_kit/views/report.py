"""The cohort report: one HTML page, one XLSX workbook and CSV files from a cohort's answers.

``cohort_report(store, cohort, out_dir)`` (or ``workshop-kit report --cohort X``) writes

- ``report.html``: self-contained (charts are base64 PNG, styles inline, no external
  address), every exercise by section, free text escaped by Jinja2's autoescape, and
  last the closing feedback (the catalogue's ``feedback`` exercises: the minute cards
  listed without names, the usefulness rating as its distribution and mean);
- ``report.xlsx``: a contents sheet, then one sheet per exercise (names ≤ 31 characters,
  unique), each with its main table at the top left and the figures and extra tables
  to its right;
- ``csv/``: ``figures.csv`` (exercise, figure, value) and one file per exercise table.

The same privacy rules as the dashboard apply (see :mod:`workshop_kit.summaries.cohort`).  Text
that a spreadsheet would run as a formula (starting ``=``, ``+``, ``-``, ``@``) is written
with a leading apostrophe in the XLSX and CSV files.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .. import templating
from .._version import __version__
from ..bidi import isolate
from .charts import png_data_uri
from ..errors import KitError
from ..store.responses import ResponseStore
from ..summaries.cohort import Summary, cohort_summaries
from ..privacy import MIN_GROUP

SHEET_LIMIT = 31
REPORT_DPI = 150  # sharp when the page is zoomed or printed
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ReportFiles:
    """Where the report went."""

    html: Path
    xlsx: Path
    csv_dir: Path


def cohort_report(
    store: ResponseStore, cohort: str, out_dir: str | Path | None = None, *, names: bool = False, min_group: int = MIN_GROUP
) -> ReportFiles:
    """Write the cohort's report as HTML, XLSX and CSV into ``out_dir`` (default ``report-<cohort>``)."""
    participants = store.participants(cohort)
    if not participants:
        known = ", ".join(store.cohorts()) or "none yet"
        raise KitError(f"The cohort {cohort!r} has no answers in {store.location} (cohorts with answers: {known}).")
    out = Path(out_dir) if out_dir is not None else Path(f"report-{slug(cohort)}")
    out.mkdir(parents=True, exist_ok=True)
    summaries = cohort_summaries(store, cohort, names=names, min_group=min_group)  # the closing feedback is never named there
    when = dt.datetime.now().astimezone().strftime("%d %B %Y, %H:%M")
    sheets = sheet_names(list(summaries))
    files = ReportFiles(out / "report.html", out / "report.xlsx", out / "csv")
    files.html.write_text(render_html(store, cohort, summaries, len(participants), when, names=names, min_group=min_group), encoding="utf-8")
    write_xlsx(files.xlsx, cohort, summaries, sheets, len(participants), when)
    write_csv(files.csv_dir, summaries, sheets)
    return files


def slug(text: str) -> str:
    """A file-name-safe version of a cohort name."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-.") or "cohort"


def sheet_names(exercise_ids: list[str]) -> dict[str, str]:
    """A unique worksheet name (≤ 31 characters, no forbidden characters) for each exercise id."""
    names: dict[str, str] = {}
    used = {"contents"}
    for ex_id in exercise_ids:
        base = _BAD_SHEET_CHARS.sub("-", ex_id).strip("'")[:SHEET_LIMIT] or "exercise"
        name, n = base, 1
        while name.casefold() in used:
            n += 1
            suffix = f"~{n}"
            name = base[: SHEET_LIMIT - len(suffix)] + suffix
        used.add(name.casefold())
        names[ex_id] = name
    return names


def defuse(value: Any) -> Any:
    """Text isolated (:func:`workshop_kit.bidi.isolate`); then one a spreadsheet would treat as a formula gets a leading apostrophe."""
    value = isolate(value)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _defused(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            frame[column] = frame[column].map(defuse)
    return frame.rename(columns=lambda c: defuse(str(c)))


def _figures_frame(summary: Summary) -> pd.DataFrame:
    return pd.DataFrame({"figure": list(summary.figures), "value": [float(v) for v in summary.figures.values()]})


# --- HTML ------------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if isinstance(value, float):
        if value != value:
            return "–"
        return str(int(value)) if value.is_integer() else f"{value:.2f}"
    return str(value)


def _table(frame: pd.DataFrame) -> dict[str, Any]:
    shares = [str(c).startswith("share") for c in frame.columns]
    return {
        "columns": [str(c) for c in frame.columns],
        "rows": [[f"{v:.0%}" if share and v == v else _cell(v) for v, share in zip(row, shares)] for row in frame.itertuples(index=False)],
        "numeric": [pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns],
    }


def render_html(
    store: ResponseStore, cohort: str, summaries: dict[str, Summary], participants: int, when: str, *, names: bool, min_group: int
) -> str:
    """The report page (Jinja2, autoescaped): sections, each exercise's chart and tables, then the closing feedback."""
    catalogue = store.catalogue
    sections = []
    for section in catalogue.sections:
        items = [_item(ex, summaries[ex.id]) for ex in catalogue.exercises_in(section.id) if not ex.feedback]
        sections.append({"number": section.number, "title": section.title, "exercises": items})
    closing = [_closing_item(ex, summaries[ex.id]) for ex in catalogue.feedback]
    return templating.render(  # every value shown keeps its own text direction
        "report.html",
        isolating=True,
        cohort=cohort, participants=participants, when=when, sections=sections, closing=closing, names=names, min_group=min_group, version=__version__
    )


def _item(ex: Any, s: Summary) -> dict[str, Any]:
    """One exercise's card: title, prompt, count, chart, figures and tables."""
    tables = [] if s.table.empty else [("Breakdown", _table(s.table))]
    tables += [(title, _table(frame)) for title, frame in s.extras.items() if not frame.empty]
    return {
        "id": ex.id,
        "title": ex.title,
        "prompt": ex.prompt,
        "kind": ex.kind,
        "n": s.n,
        "note": s.note,
        "chart": png_data_uri(s, dpi=REPORT_DPI),
        "figures": [(k, _cell(float(v))) for k, v in s.figures.items() if k != "Answered"],
        "tables": tables,
    }


def _closing_item(ex: Any, s: Summary) -> dict[str, Any]:
    """A closing-feedback card: a rating's distribution and mean, or the minute cards as an anonymous list.

    Both come from the anonymous summary, so nothing shows until ``min_group`` people have answered.
    """
    item = _item(ex, s)
    item["rating"] = closing_rating(ex, s)
    item["cards"] = closing_cards(ex, s)
    return item


def closing_rating(ex: Any, s: Summary) -> dict[str, Any] | None:
    """A single scale's mean and its count per point (None for other kinds, or below the minimum group)."""
    if ex.kind != "scale" or ex.paired or s.table.empty or "Mean" not in s.figures:
        return None
    labels = {ex.min: ex.low_label, ex.max: ex.high_label}
    rows = [(int(r.value), labels.get(int(r.value), ""), int(r.count), f"{r.share:.0%}") for r in s.table.itertuples(index=False)]
    return {"mean": f"{float(s.figures['Mean']):.1f}", "out_of": ex.max, "rows": rows}


def closing_cards(ex: Any, s: Summary) -> list[str] | None:
    """A free-text exercise's answers in alphabetical order, without names (None for other kinds, or below the minimum group)."""
    if ex.kind != "text" or s.table.empty or "answer" not in s.table.columns:
        return None
    return [str(a) for a in s.table["answer"]]


# The page's template: templates/report.html (rendered through workshop_kit.templating).


# --- XLSX and CSV -------------------------------------------------------------------------------


def write_xlsx(path: Path, cohort: str, summaries: dict[str, Summary], sheets: dict[str, str], participants: int, when: str) -> None:
    """The workbook: a contents sheet, then one sheet per exercise (tables side by side, titles in row 1)."""
    contents = pd.DataFrame(
        {
            "sheet": [sheets[i] for i in summaries],
            "exercise": list(summaries),
            "title": [s.exercise.title for s in summaries.values()],
            "kind": [s.exercise.kind for s in summaries.values()],
            "answered": [s.n for s in summaries.values()],
            "note": [s.note for s in summaries.values()],
        }
    )
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        _defused(contents).to_excel(writer, sheet_name="contents", index=False, startrow=1)
        writer.sheets["contents"].cell(row=1, column=1, value=f"Cohort {defuse(cohort)}: {participants} participants, written {when}")
        for ex_id, summary in summaries.items():
            name = sheets[ex_id]
            blocks = [("Breakdown", summary.table), ("Figures", _figures_frame(summary)), *summary.extras.items()]
            column = 0
            for title, frame in blocks:
                _defused(frame).to_excel(writer, sheet_name=name, index=False, startrow=1, startcol=column)
                sheet = writer.sheets[name]
                sheet.cell(row=1, column=column + 1, value=title)
                for offset, c in enumerate(frame.columns):
                    if str(c) == "share" or str(c).startswith("share_"):
                        for row in range(3, len(frame) + 3):
                            sheet.cell(row=row, column=column + offset + 1).number_format = "0%"
                column += len(frame.columns) + 1


def write_csv(folder: Path, summaries: dict[str, Summary], sheets: dict[str, str]) -> None:
    """``figures.csv`` for every exercise, and ``<sheet>.csv`` / ``<sheet>.<extra>.csv`` for each table."""
    folder.mkdir(parents=True, exist_ok=True)
    figures = [
        {"exercise": ex_id, "figure": label, "value": float(value)} for ex_id, s in summaries.items() for label, value in s.figures.items()
    ]
    pd.DataFrame(figures, columns=["exercise", "figure", "value"]).to_csv(folder / "figures.csv", index=False)
    for ex_id, s in summaries.items():
        _defused(s.table).to_csv(folder / f"{sheets[ex_id]}.csv", index=False)
        for title, frame in s.extras.items():
            _defused(frame).to_csv(folder / f"{sheets[ex_id]}.{slug(title.lower())}.csv", index=False)
