"""A grid's quadrants are named once, in the catalogue: the widget, the compare line, the plan, the
dashboard's chart, the projector and the report all show the same words, for both grids and for a
facilitator's copied catalogue that renames them."""

from __future__ import annotations

from pathlib import Path

import matplotlib.text
import pytest

from workshop_kit.catalogue.model import CatalogueError, default_catalogue, load_catalogue
from workshop_kit.store.responses import ResponseStore
from workshop_kit.summaries.cohort import cohort_summaries
from workshop_kit.summaries.compare import compare_grid
from workshop_kit.views.charts import chart
from workshop_kit.views.plan import build_plan
from workshop_kit.views.presenter import chart_groups
from workshop_kit.views.report import cohort_report
from workshop_kit.widgets.grid import draw_grid, summary_html

GRIDS = ("system.map", "iceberg.horizon")
COHORT = "Leeds 2026"
CORNERS = {"top_right": (9, 9), "top_left": (2, 9), "bottom_right": (9, 2), "bottom_left": (2, 2)}


def items(ex) -> list[dict]:
    """One item in each corner, tagged with the grid's first tag."""
    return [{"name": f"Item {where}", "x": x, "y": y, "tag": ex.tags[0], **{f.name: "" for f in ex.fields}} for where, (x, y) in CORNERS.items()]


def renamed_catalogue(tmp_path: Path) -> Path:
    """A copy of the kit's catalogue in which both grids' quadrants have new names."""
    text = (Path(default_catalogue().path)).read_text(encoding="utf-8")
    for old, new in (
        ('top_right = "Manage closely", top_left = "Keep satisfied", bottom_right = "Keep informed", bottom_left = "Monitor"',
         'top_right = "Partners", top_left = "Sponsors", bottom_right = "Allies", bottom_left = "Onlookers"'),
        ('top_right = "Plan for it now", top_left = "Have a fallback ready", bottom_right = "Absorb in everyday work", bottom_left = "Keep watching"',
         'top_right = "Act", top_left = "Hedge", bottom_right = "Absorb", bottom_left = "Watch"'),
    ):
        assert old in text, "the shipped catalogue no longer names its quadrants as this test expects"
        text = text.replace(old, new)
    path = tmp_path / "renamed.toml"
    path.write_text(text, encoding="utf-8")
    return path


def chart_words(summary) -> str:
    figure = chart(summary)
    return " ".join(t.get_text().replace("\n", " ") for t in figure.findobj(matplotlib.text.Text))


def every_place(tmp_path: Path, catalogue) -> dict[str, dict[str, str]]:
    """For each grid, the text each place shows for three participants who put one item in every corner."""
    store = ResponseStore(tmp_path / "answers.sqlite", catalogue=catalogue)
    shown: dict[str, dict[str, str]] = {}
    for grid in GRIDS:
        ex = catalogue.exercise(grid)
        for person in ("Ann Lee", "Bob Ray", "Cat Moss"):
            store.save(grid, items(ex), participant=person, cohort=COHORT)
    summaries = cohort_summaries(store, COHORT)
    report = cohort_report(store, COHORT, tmp_path / "report").html.read_text(encoding="utf-8")
    plan = build_plan(store, "Ann Lee", COHORT).to_markdown()
    for grid in GRIDS:
        ex = catalogue.exercise(grid)
        shown[grid] = {
            "widget summary": summary_html(ex, items(ex)),
            "widget map": draw_grid(ex, items(ex)),
            "compare line": " ".join(compare_grid(ex, items(ex), [items(ex)] * 5)),
            "plan": plan,
            "dashboard chart": chart_words(summaries[grid]),
            "projector (a grid not marked private)": " ".join(bar.label for group in chart_groups(summaries[grid]) for bar in group.bars),
            "report": report,
        }
    store.close()
    return shown


@pytest.mark.parametrize("renamed", [False, True], ids=["shipped", "renamed"])
def test_every_place_shows_the_catalogue_s_quadrant_names(tmp_path, renamed):
    """Each of the four names appears in every place that shows a grid, for both grids."""
    catalogue = load_catalogue(renamed_catalogue(tmp_path)) if renamed else default_catalogue()
    shown = every_place(tmp_path, catalogue)
    for grid in GRIDS:
        names = catalogue.exercise(grid).quadrants.names()
        for place, text in shown[grid].items():
            for name in names:
                assert name in text, (grid, place, name)
    if renamed:  # the shipped names are gone from every place
        for place, text in shown["system.map"].items():
            assert "Manage closely" not in text, place


def test_the_middle_counts_as_low_and_each_corner_has_its_name():
    ex = default_catalogue().exercise("system.map")
    assert [ex.quadrant_of(*CORNERS[k]) for k in CORNERS] == ["Manage closely", "Keep satisfied", "Keep informed", "Monitor"]
    assert ex.quadrant_of(5, 5) == "Monitor" and ex.quadrant_of(6, 6) == "Manage closely"


def test_a_grid_without_names_is_named_from_its_axes(tmp_path):
    text = renamed_catalogue(tmp_path).read_text(encoding="utf-8")
    text = text.replace('quadrants = { top_right = "Act", top_left = "Hedge", bottom_right = "Absorb", bottom_left = "Watch" }\n', "")
    path = tmp_path / "unnamed.toml"
    path.write_text(text, encoding="utf-8")
    ex = load_catalogue(path).exercise("iceberg.horizon")
    assert ex.quadrants.names() == ("Major impact · almost certain", "Major impact · unlikely", "Small impact · almost certain", "Small impact · unlikely")


@pytest.mark.parametrize(
    "table, message",
    [
        ('{ top_right = "A", top_left = "B", bottom_right = "C" }', "bottom_left"),
        ('{ top_right = "A", top_left = "B", bottom_right = "C", bottom_left = "a" }', "four different names"),
        ('{ top_right = "A", top_left = "B", bottom_right = "C", bottom_left = "D", middle = "E" }', "middle is not one of them"),
        ('{ top_right = "A", top_left = "B", bottom_right = "C", bottom_left = "' + "x" * 41 + '" }', "at most 40 characters"),
        ('{ top_right = "A", top_left = " ", bottom_right = "C", bottom_left = "D" }', "must not be empty"),
    ],
)
def test_a_catalogue_s_bad_quadrant_names_are_refused_plainly(tmp_path, table, message):
    text = renamed_catalogue(tmp_path).read_text(encoding="utf-8")
    text = text.replace('{ top_right = "Act", top_left = "Hedge", bottom_right = "Absorb", bottom_left = "Watch" }', table)
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError, match=message) as caught:
        load_catalogue(path)
    assert "quadrants" in str(caught.value)
