"""The cohort report: HTML, XLSX and CSV written and read back; escaping, anonymity, names, sheet names."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from workshop_kit.catalogue.model import default_catalogue
from workshop_kit.store.demo import make_demo_cohort
from workshop_kit.errors import KitError
from workshop_kit.views.report import SHEET_LIMIT, cohort_report, defuse, sheet_names
from workshop_kit.store.responses import ResponseStore
from workshop_kit.summaries.cohort import cohort_summaries

pytestmark = pytest.mark.slow  # writes whole reports, charts included: left out of `make check`

CAT = default_catalogue()
HOSTILE = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]
PEOPLE = ["Ann Lee", "Bob Ray", "Cat Moss"]


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory):
    """One report of a demo cohort plus three people who typed hostile text (written once for the module)."""
    folder = tmp_path_factory.mktemp("report")
    store = ResponseStore(folder / "answers.sqlite")
    make_demo_cohort(store, participants=8, cohort="Leeds 2026", seed=4)
    for i, who in enumerate(PEOPLE):
        store.save("goal.statement", f"Goal {HOSTILE[i % 2]}", participant=who, cohort="Leeds 2026")
        store.save("risk.domains", ["Spending", HOSTILE[i % 2] if i < 2 else "=1+1"], participant=who, cohort="Leeds 2026")
        store.save("risk.limits", "my secret limits", participant=who, cohort="Leeds 2026")
    files = cohort_report(store, "Leeds 2026", folder / "out")
    yield store, files
    store.close()


class TestHtml:
    def test_every_exercise_present(self, written):
        """Each exercise of the catalogue has its own article in the page, with its title."""
        html = written[1].html.read_text(encoding="utf-8")
        for ex in CAT.exercises:
            assert f'data-exercise="{ex.id}"' in html, ex.id
        assert "Cohort report: Leeds 2026" in html and "11 participants" in html

    def test_self_contained(self, written):
        """Charts are embedded and nothing is loaded from another address."""
        html = written[1].html.read_text(encoding="utf-8")
        assert "data:image/png;base64," in html
        assert not re.search(r"(src|href)=\"(https?:)?//", html) and "@import" not in html

    def test_hostile_text_escaped(self, written):
        """Participants' text appears escaped, never as live markup."""
        html = written[1].html.read_text(encoding="utf-8")
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;img src=x onerror=alert(1)&gt;" in html
        assert "<script" not in html and "<img src=x" not in html

    def test_anonymous_and_private(self, written):
        """No names by default, and private answers are never quoted."""
        html = written[1].html.read_text(encoding="utf-8")
        assert not any(name in html for name in PEOPLE) and "secret" not in html

    def test_names_switch(self, written, tmp_path: Path):
        """names=True puts names in the report, with a warning, but still never private answers."""
        files = cohort_report(written[0], "Leeds 2026", tmp_path / "named", names=True)
        html = files.html.read_text(encoding="utf-8")
        assert "Ann Lee" in html and "do not circulate" in html and "secret" not in html

    def test_names_switch_shows_room_participants_typed_names(self, tmp_path: Path):
        """With names on, a room participant appears under the name they typed, never their answer key or code."""
        from workshop_kit.session import room

        store = ResponseStore(tmp_path / "room.sqlite")
        person = room.issue_code("Dana O'Scully", cohort="Room 1", store=store)
        store.save("goal.statement", "Joined-up records", participant=person.participant, cohort="Room 1")
        html = cohort_report(store, "Room 1", tmp_path / "named", names=True, min_group=1).html.read_text(encoding="utf-8")
        assert "Dana O&#39;Scully" in html or "Dana O&#x27;Scully" in html
        assert person.participant not in html and person.code not in html


class TestClosingFeedback:
    """The minute cards and the usefulness rating, gathered last and without names."""

    @staticmethod
    def closing(html: str) -> str:
        return html.split('<section id="closing-feedback">', 1)[1].split("</section>", 1)[0]

    @pytest.fixture
    def feedback_store(self, tmp_path: Path):
        with ResponseStore(tmp_path / "answers.sqlite") as store:
            for who, worked, change, rating in [
                ("Ann Lee", "The risk <b>grid</b> worked", "More time for pairs", 5),
                ("Bob Ray", "Annotated stakeholder map", "Shorter welcome", 4),
                ("Cat Moss", "Hearing other trusts", "Fewer slides", 4),
                ("Dee Late", "Big goal session", "An earlier start", 2),
            ]:
                store.save("close.worked", worked, participant=who, cohort="c")
                store.save("close.change", change, participant=who, cohort="c")
                store.save("close.useful", rating, participant=who, cohort="c")
            yield store

    def test_rating_distribution_mean_and_cards_listed_without_names(self, feedback_store, tmp_path: Path):
        """The rating's count per point and mean, and every card in alphabetical order, escaped; no name even with names on."""
        html = cohort_report(feedback_store, "c", tmp_path / "named", names=True).html.read_text(encoding="utf-8")
        part = self.closing(html)
        assert "Average rating: <strong>3.8</strong> out of 5" in part
        rows = re.findall(r'<tr><td class="num">(\d)</td><td>([^<]*)</td><td class="num">(\d+)</td>', part)
        assert rows == [("1", "Not useful", "0"), ("2", "", "1"), ("3", "", "0"), ("4", "", "2"), ("5", "Very useful", "1")]
        cards = re.findall(r"<li>([^<]*)</li>", part)
        assert cards == ["Annotated stakeholder map", "Big goal session", "Hearing other trusts", "The risk &lt;b&gt;grid&lt;/b&gt; worked",
                         "An earlier start", "Fewer slides", "More time for pairs", "Shorter welcome"]
        assert not any(name in part for name in PEOPLE + ["Dee Late"])
        assert "do not circulate" in html  # a named copy, all the same

    def test_feedback_is_only_in_its_own_part(self, feedback_store, tmp_path: Path):
        """The feedback exercises appear once, under Closing feedback, and are linked from the contents."""
        html = cohort_report(feedback_store, "c", tmp_path / "out").html.read_text(encoding="utf-8")
        before = html.split('<section id="closing-feedback">', 1)[0]
        for ex in CAT.feedback:
            assert html.count(f'data-exercise="{ex.id}"') == 1 and f'data-exercise="{ex.id}"' not in before
        assert '<a href="#closing-feedback">Closing feedback</a>' in html

    def test_below_the_minimum_group_nothing_is_shown(self, tmp_path: Path):
        """Two ratings and two cards: counts only, no distribution, no mean, no card."""
        with ResponseStore(tmp_path / "small.sqlite") as store:
            for who, rating in (("Ann Lee", 1), ("Bob Ray", 5)):
                store.save("close.useful", rating, participant=who, cohort="c")
                store.save("close.worked", f"card by {who}", participant=who, cohort="c")
            part = self.closing(cohort_report(store, "c", tmp_path / "out").html.read_text(encoding="utf-8"))
        assert "2 of 2 answered" in part and "Fewer than 3" in part
        assert "Average rating" not in part and "card by" not in part and "<li>" not in part

    def test_no_smaller_group_even_when_asked(self, tmp_path: Path):
        """min_group=1 with names on (as the dashboard's names switch asks) still shows no feedback from two people, nor who gave it."""
        from workshop_kit.views.dashboard import collect

        with ResponseStore(tmp_path / "small.sqlite") as store:
            for who, rating in (("Ann Lee", 1), ("Bob Ray", 5)):
                store.save("close.useful", rating, participant=who, cohort="c")
                store.save("close.worked", f"card by {who}", participant=who, cohort="c")
            part = self.closing(cohort_report(store, "c", tmp_path / "out", names=True, min_group=1).html.read_text(encoding="utf-8"))
            _, board = collect(store, "c", names=True)
        assert "Average rating" not in part and "card by" not in part
        assert all(board[ex.id].suppressed and board[ex.id].table.empty for ex in CAT.feedback if board[ex.id].n)

    def test_spreadsheet_feedback_has_no_names(self, feedback_store, tmp_path: Path):
        """With names on, the CSV of the minute cards still holds only the answers."""
        files = cohort_report(feedback_store, "c", tmp_path / "named", names=True)
        cards = pd.read_csv(files.csv_dir / "close.worked.csv")
        assert list(cards.columns) == ["answer"] and len(cards) == 4


class TestXlsx:
    def test_sheets_load(self, written):
        """The workbook has a contents sheet and one sheet per exercise, and pandas reads every one."""
        sheets = pd.read_excel(written[1].xlsx, sheet_name=None, header=1)
        names = sheet_names([e.id for e in CAT.exercises])
        assert list(sheets) == ["contents", *names.values()]
        assert sheets["contents"]["exercise"].tolist() == [e.id for e in CAT.exercises]

    def test_main_table_read_back(self, written):
        """An exercise's main table reads back from the top left of its sheet."""
        store, files = written
        expected = cohort_summaries(store, "Leeds 2026")["goal.timeframe"].table
        got = pd.read_excel(files.xlsx, sheet_name="goal.timeframe", header=1, usecols=range(len(expected.columns)))
        pd.testing.assert_frame_equal(got, expected, check_dtype=False)

    def test_hostile_text_is_plain_text(self, written):
        """Hostile text is kept as plain text cells; a formula-like entry is defused with an apostrophe."""
        from openpyxl import load_workbook

        cells = [c for row in load_workbook(written[1].xlsx)["goal.statement"].iter_rows() for c in row if c.value is not None]
        texts = [c.value for c in cells]
        assert "Goal <script>alert(1)</script>" in texts and all(c.data_type != "f" for c in cells)
        own = [c.value for row in load_workbook(written[1].xlsx)["risk.domains"].iter_rows() for c in row]
        assert "'=1+1" in own and "=1+1" not in own


class TestCsv:
    def test_files_load(self, written):
        """figures.csv and one file per exercise table load in pandas; text stays as typed."""
        folder = written[1].csv_dir
        figures = pd.read_csv(folder / "figures.csv")
        assert set(figures["exercise"]) == {e.id for e in CAT.exercises}
        goals = pd.read_csv(folder / "goal.statement.csv")
        assert "Goal <script>alert(1)</script>" in goals["answer"].tolist()
        assert "'=1+1" in pd.read_csv(folder / "risk.domains.own-entries.csv")["entry"].tolist()
        assert list(pd.read_csv(folder / "risk.limits.csv").columns) == ["answer"] and pd.read_csv(folder / "risk.limits.csv").empty


class TestSmallCohort:
    def test_suppressed_everywhere(self, tmp_path: Path):
        """A cohort of two: no breakdown in any format, only counts."""
        with ResponseStore() as store:
            for who in ("Ann Lee", "Bob Ray"):
                store.save("goal.statement", f"words of {who}", participant=who, cohort="tiny")
            files = cohort_report(store, "tiny", tmp_path / "tiny")
        html = files.html.read_text(encoding="utf-8")
        assert "words of" not in html and "Fewer than 3" in html and "data:image/png" not in html
        assert pd.read_csv(files.csv_dir / "goal.statement.csv").empty


class TestHelpers:
    def test_unknown_cohort(self, tmp_path: Path):
        """A cohort with no answers is refused with the cohorts that do exist."""
        with ResponseStore() as store:
            store.save("goal.ambition", 4, participant="a", cohort="real")
            with pytest.raises(KitError, match="'ghost' has no answers.*real"):
                cohort_report(store, "ghost", tmp_path)

    def test_sheet_names_short_and_unique(self):
        """Sheet names fit Excel's 31 characters, lose forbidden characters and never clash."""
        ids = ["a" * 40 + ".one", "a" * 40 + ".two", "x[1]:y*z?/w", "contents"]
        names = sheet_names(ids)
        assert all(len(n) <= SHEET_LIMIT for n in names.values())
        assert len({n.casefold() for n in names.values()} | {"contents"}) == len(ids) + 1
        assert names["x[1]:y*z?/w"] == "x-1--y-z--w"

    def test_defuse(self):
        """Only text starting like a formula is changed."""
        assert [defuse(v) for v in ["=SUM(A1)", "+1", "-x", "@a", "ok", 3]] == ["'=SUM(A1)", "'+1", "'-x", "'@a", "ok", 3]
