"""Matplotlib charts for cohort summaries, one per exercise kind.

Figures are built with ``matplotlib.figure.Figure`` (the Agg renderer, no pyplot), so
they are safe to draw in a background thread and never pop up a window.  Labels come
from the catalogue (options, headings, axes, tags) and numbers from the summary; the one
exception, a text exercise's most frequent words, is drawn as pixels, never as markup.
"""

from __future__ import annotations

import base64
import io
import textwrap
from collections import OrderedDict

from matplotlib.figure import Figure

from .. import templating
from ..summaries.cohort import Summary

BLUE = templating.colour("nhs-blue")
ORANGE = templating.colour("nhs-orange")  # the second moment of a paired scale
GREY = templating.colour("nhs-dark-grey")
INK = templating.colour("nhs-black")  # text on a shaded cell
SIZE = (4.0, 2.5)
DPI = 100


def chart(summary: Summary, size: tuple[float, float] = SIZE) -> Figure | None:
    """A figure for the summary, or None when there is nothing to draw (no answers, too few, private)."""
    if summary.n == 0 or summary.suppressed or summary.table.empty and not summary.extras:
        return None
    draw = _DRAWERS[summary.exercise.kind]
    fig = Figure(figsize=size, dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    if draw(summary, ax) is False:
        return None
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=9, colors=GREY)
    return fig


def png_bytes(fig: Figure, dpi: int = DPI) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()


def png_data_uri(summary: Summary, size: tuple[float, float] = SIZE, dpi: int = DPI) -> str | None:
    """The summary's chart as a ``data:image/png;base64,…`` URI (self-contained), or None."""
    fig = chart(summary, size)
    if fig is None:
        return None
    return "data:image/png;base64," + base64.b64encode(png_bytes(fig, dpi)).decode("ascii")


class ChartCache:
    """Chart data URIs by summary fingerprint, so an unchanged summary is never drawn twice.

    A live view asks for every card's chart on every change; only summaries it has not
    seen are drawn (matplotlib takes ~80 ms a chart).  Holds at most ``keep`` charts,
    dropping the least recently used.
    """

    def __init__(self, size: tuple[float, float] = SIZE, dpi: int = DPI, keep: int = 200):
        self.size, self.dpi, self.keep = size, dpi, keep
        self._uris: OrderedDict[str, str | None] = OrderedDict()
        self.drawn = 0  # charts drawn so far (cache misses)

    def uri(self, summary: Summary, fingerprint: str | None = None) -> str | None:
        """The summary's chart as a data URI (None when there is nothing to draw), drawn only if not cached."""
        key = fingerprint or summary.fingerprint()
        if key in self._uris:
            self._uris.move_to_end(key)
            return self._uris[key]
        uri = png_data_uri(summary, self.size, self.dpi)
        self.drawn += 1
        self._uris[key] = uri
        while len(self._uris) > self.keep:
            self._uris.popitem(last=False)
        return uri

    def __len__(self) -> int:
        return len(self._uris)


def _label(text: str, width: int = 26) -> str:
    """A label safe from matplotlib's mathtext ($…$), wrapped onto short lines."""
    return "\n".join(textwrap.wrap(str(text), width)).replace("$", r"\$") or " "


def _scale(s: Summary, ax) -> None:
    ex, table = s.exercise, s.table
    assert ex.kind == "scale"  # chart() draws each summary with its own kind's drawer
    moments = list(dict.fromkeys(table["moment"]))
    width = 0.8 / len(moments)
    for i, (moment, colour) in enumerate(zip(moments, (BLUE, ORANGE))):
        part = table[table["moment"] == moment]
        offset = (i - (len(moments) - 1) / 2) * width
        ax.bar(part["value"] + offset, part["count"], width=width, color=colour, label=_label(moment, 30))
    ax.set_xticks(range(ex.min, ex.max + 1))
    ax.set_xlabel(f"{_label(ex.low_label, 40)}  ←→  {_label(ex.high_label, 40)}", fontsize=8, color=GREY)
    ax.set_ylabel("people", fontsize=8, color=GREY)
    ax.yaxis.get_major_locator().set_params(integer=True)
    if len(moments) > 1:
        ax.legend(fontsize=8, frameon=False, loc="lower left", bbox_to_anchor=(0, 1), ncols=2, borderaxespad=0.2)


def _barh(ax, labels: list[str], values: list[float], xlabel: str, colour: str = BLUE, percent: bool = False) -> None:
    positions = list(range(len(labels)))
    ax.barh(positions, values, color=colour)
    ax.set_yticks(positions, [_label(x) for x in labels], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel, fontsize=8, color=GREY)
    if percent:
        ax.set_xlim(0, max(1.0, max(values, default=0)))
        ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")


def _pick(s: Summary, ax) -> None:
    _barh(ax, list(s.table["option"]), list(s.table["share"]), "share of people who picked it", percent=True)


def _text(s: Summary, ax) -> bool | None:
    words = s.extras.get("Most frequent words")
    if words is None or words.empty:
        return False
    _barh(ax, list(words["word"]), list(words["people"]), "answers using the word")
    ax.xaxis.get_major_locator().set_params(integer=True)
    return None


def _budget(s: Summary, ax) -> None:
    ex = s.exercise
    assert ex.kind == "budget"
    _barh(ax, list(s.table["heading"]), list(s.table["mean"]), f"mean share (of {ex.total})")


def _grid(s: Summary, ax) -> None:
    ex = s.exercise
    assert ex.kind == "grid"
    counts = dict(zip(s.table["quadrant"], s.table["items"]))
    names = s.table["quadrant"].tolist()  # as the catalogue names them: top right, top left, bottom right, bottom left
    layout = [[names[1], names[0]], [names[3], names[2]]]
    cells = [[counts[name] for name in row] for row in layout]
    top = max(max(row) for row in cells) or 1
    ax.imshow(cells, cmap="Blues", vmin=0, vmax=top * 2, aspect="auto")  # the lighter half of the scale: dark text reads on every cell
    for row in range(2):
        for col in range(2):
            ax.text(col, row - 0.2, _label(layout[row][col], 22), ha="center", va="center", fontsize=8, color=INK)
            ax.text(col, row + 0.12, str(cells[row][col]), ha="center", va="center", fontsize=13, color=INK)
    ax.set_xticks([0, 1], [_label(ex.x_axis.low, 20), _label(ex.x_axis.high, 20)], fontsize=8)
    ax.set_yticks([0, 1], [_label(ex.y_axis.high, 16), _label(ex.y_axis.low, 16)], fontsize=8)
    ax.set_xlabel(_label(ex.x_axis.label, 40), fontsize=8, color=GREY)
    ax.set_ylabel(_label(ex.y_axis.label, 30), fontsize=8, color=GREY)


def _log(s: Summary, ax) -> bool | None:
    table = s.table
    if table.empty:
        per_person = s.extras["Rows per person"]
        ax.bar(per_person["rows"], per_person["people"], color=BLUE)
        ax.set_xlabel("rows per person", fontsize=8, color=GREY)
        return None
    labels = [f"{f}: {c}" if table["field"].nunique() > 1 else c for f, c in zip(table["field"], table["choice"])]
    _barh(ax, labels, list(table["share"]), f"share of rows ({_label(table['field'].iloc[0], 30)})", percent=True)
    return None


_DRAWERS = {"scale": _scale, "pick": _pick, "text": _text, "budget": _budget, "grid": _grid, "log": _log}
