"""Participant text keeps its own direction: isolated in HTML, Markdown, XLSX and CSV."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from workshop_kit.bidi import FSI, PDI, isolate
from workshop_kit.views.dashboard import table_html
from workshop_kit.views.plan import build_plan
from workshop_kit.views.report import cohort_report
from workshop_kit.store.responses import ResponseStore

RLO = "\u202e"
SPOOF = f"Open {RLO}evil.exe now"  # shown raw, everything after the override reads backwards: "won exe.live"
ARABIC = "فاطمة الزهراء"
COHORT = "bidi-cohort"


class TestIsolate:
    def test_plain_text_is_unchanged(self):
        """Text with no right-to-left letters and no direction controls comes back as it was, the same object."""
        text = "Every clinician sees one record (2026)."
        assert isolate(text) is text
        assert isolate(42) == 42 and isolate(None) is None

    def test_override_removed_and_isolated(self):
        """A right-to-left override is taken out and the text wrapped in an isolate, so 'evil.exe' reads as typed."""
        assert isolate(SPOOF) == f"{FSI}Open evil.exe now{PDI}"

    @pytest.mark.parametrize("control", ["\u202a", "\u202b", "\u202c", "\u202d", "\u2066", "\u2067", "\u2068", "\u2069"])
    def test_every_embedding_and_isolate_control_removed(self, control):
        """Embeddings, overrides, isolates and their closers cannot open or close a run past the text."""
        assert isolate(f"a{control}b") == f"{FSI}ab{PDI}"

    def test_right_to_left_text_isolated_as_typed(self):
        """Arabic keeps every letter, inside an isolate."""
        assert isolate(ARABIC) == f"{FSI}{ARABIC}{PDI}"

    def test_only_controls(self):
        """Text made only of controls becomes empty, not an empty isolate."""
        assert isolate(RLO + "\u202c") == ""


def _shows_isolated(text: str) -> bool:
    return RLO not in text and f"{FSI}Open evil.exe now{PDI}" in text


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """A cohort of three whose goals, own picks and grid names hold an override or Arabic."""
    with ResponseStore(tmp_path_factory.mktemp("bidi") / "answers.sqlite") as s:
        grid = s.catalogue.exercise("system.map")
        for i, who in enumerate(["Ann", ARABIC, "Bob"]):
            s.save("goal.statement", SPOOF, participant=who, cohort=COHORT)
            s.save("risk.domains", ["Spending", SPOOF], participant=who, cohort=COHORT)
            item = {"name": SPOOF, "x": 8, "y": 8, "tag": grid.tags[0]}
            item.update({f.name: "" if f.type != "number" else None for f in grid.fields})
            s.save("system.map", [item], participant=who, cohort=COHORT)
        yield s


class TestEveryView:
    def test_dashboard_tables(self):
        """The dashboard's tables (free text, the names list) isolate each cell."""
        page = table_html(pd.DataFrame({"name": [ARABIC, SPOOF], "answers saved": [1, 2]}))
        assert f"<td>{FSI}{ARABIC}{PDI}</td>" in page and _shows_isolated(page)

    @pytest.mark.slow
    def test_report_html_xlsx_csv(self, store, tmp_path):
        """The cohort report's page, workbook and CSV files hold the text isolated and never the raw override."""
        files = cohort_report(store, COHORT, tmp_path / "report")
        page = files.html.read_text(encoding="utf-8")
        assert _shows_isolated(page)
        book = openpyxl.load_workbook(files.xlsx)
        cells = [str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None]
        assert any(_shows_isolated(c) for c in cells) and not any(RLO in c for c in cells)
        csv_text = "".join(p.read_text(encoding="utf-8") for p in files.csv_dir.glob("*.csv"))
        assert _shows_isolated(csv_text)

    def test_plan_html_and_markdown(self, store):
        """The personal plan, HTML and Markdown, shows the participant's name and text isolated."""
        plan = build_plan(store, participant=ARABIC, cohort=COHORT)
        for text in (plan.to_html(), plan.to_markdown()):
            assert _shows_isolated(text) and f"{FSI}{ARABIC}{PDI}" in text
