"""The programme: cohorts side by side, the follow-up wave, its shifts, and the programme report.

Stores are filled with hand-chosen answers so every figure can be worked out by hand;
the report is read back (HTML parsed, XLSX opened) rather than trusted.
"""

from __future__ import annotations

import math
import re
import statistics
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from workshop_kit.catalogue.model import load_catalogue
from workshop_kit.commands.cli import main
from workshop_kit.errors import CatalogueError, IdentityError, KitError
from workshop_kit.summaries.programme import build_programme, programme_cohorts, weighted_stats, wilson
from workshop_kit.views.programme import exercise_chart, programme_report, wide_table
from workshop_kit.store.responses import ResponseStore
from workshop_kit.summaries.cohort import compare_over_time
from workshop_kit.store.transfer import export_answers, import_answers
from workshop_kit.catalogue.waves import split_wave, wave_cohort, workshop_cohorts

FU = "follow-up"


def fill(store: ResponseStore, cohort: str, exercise_id: str, answers: list, prefix: str = "p") -> None:
    for i, answer in enumerate(answers, start=1):
        store.save(exercise_id, answer, participant=f"{prefix}{i:02d}", cohort=cohort)


def rows_of(frame: pd.DataFrame, cohort: str) -> pd.DataFrame:
    return frame[frame["cohort"] == cohort].reset_index(drop=True)


# --- waves -------------------------------------------------------------------------------------


class TestWaves:
    def test_naming_rule_both_ways(self, catalogue) -> None:
        """A follow-up wave is '<cohort>@follow-up'; split_wave reads it back, and an '@' of the cohort's own is not a wave."""
        assert wave_cohort("leeds-2026-03", FU) == "leeds-2026-03@follow-up"
        assert wave_cohort("leeds-2026-03", "workshop") == "leeds-2026-03"
        assert split_wave("leeds-2026-03@follow-up", catalogue) == ("leeds-2026-03", FU)
        assert split_wave("nhs@leeds", catalogue) == ("nhs@leeds", "workshop")
        assert split_wave("@follow-up", catalogue) == ("@follow-up", "workshop")
        assert workshop_cohorts(["b", "a@follow-up", "a"], catalogue) == ["a", "b"]

    def test_too_long_with_the_wave_is_refused_clearly(self) -> None:
        with pytest.raises(IdentityError, match="follow-up wave is 74 characters long; the limit is 64"):
            wave_cohort("x" * 64, FU)

    def test_waves_survive_export_and_import(self, store: ResponseStore, tmp_path: Path) -> None:
        """Export a participant from both waves, import into a fresh store: each answer keeps its wave."""
        store.save("risk.appetite", {"now": 3, "target": 8}, participant="ada", cohort="leeds")
        store.save("risk.appetite", {"now": 6, "target": 8}, participant="ada", cohort="leeds@follow-up")
        export_answers(store, tmp_path / "a.json", "leeds", "ada")
        export_answers(store, tmp_path / "b.json", "leeds@follow-up", "ada")
        with ResponseStore(tmp_path / "other.sqlite") as other:
            assert import_answers(other, tmp_path / "a.json").added == 1
            assert import_answers(other, tmp_path / "b.json").added == 1
            assert other.cohorts() == ["leeds", "leeds@follow-up"]
            shift = compare_over_time(other.catalogue.exercise("risk.appetite"), other.latest_answers("leeds"), other.latest_answers("leeds@follow-up"), min_group=1)
            assert shift.loc[0, "mean_change"] == 3


class TestCatalogueFollowUp:
    def test_kit_catalogue_names_the_change_measures(self, catalogue) -> None:
        fu = catalogue.follow_up
        assert fu.wave == FU and fu.weeks == (6, 12)
        assert {"risk.appetite", "week.time-budget", "relationships.breadth", "relationships.log"} <= set(fu.exercises)

    @pytest.mark.parametrize(
        "table, message",
        [
            ('exercises = ["risk.nope"]', "names an exercise that is not in the catalogue \\('risk.nope'\\)"),
            ('exercises = ["risk.limits"]', "'risk.limits' is a text exercise; a follow-up can only compare"),
            ('exercises = ["risk.appetite"]\nweeks = [12, 6]', "must be two whole numbers of weeks, earliest first"),
            ('exercises = ["risk.appetite"]\nwave = "Follow Up"', "must be a short lower-case name"),
            ("exercises = []", "must list at least one entry"),
        ],
    )
    def test_bad_follow_up_table_named_in_the_error(self, tmp_path: Path, table: str, message: str) -> None:
        from workshop_kit.catalogue.model import DEFAULT_CATALOGUE

        text = DEFAULT_CATALOGUE.read_text(encoding="utf-8")
        start = text.index("[follow_up]")
        end = text.index("]\n", text.index("exercises = [", start)) + 2
        path = tmp_path / "c.toml"
        path.write_text(text[:start] + "[follow_up]\n" + table + "\n" + text[end:], encoding="utf-8")
        with pytest.raises(CatalogueError, match=r"\[follow_up\] table, field '\w+': " + message):
            load_catalogue(path)

    def test_no_follow_up_table_means_no_follow_up(self, tmp_path: Path) -> None:
        from workshop_kit.catalogue.model import DEFAULT_CATALOGUE
        from workshop_kit.catalogue.waves import follow_up_of

        text = DEFAULT_CATALOGUE.read_text(encoding="utf-8")
        start = text.index("[follow_up]")
        end = text.index("]\n", text.index("exercises = [", start)) + 2
        path = tmp_path / "c.toml"
        path.write_text(text[:start] + text[end:], encoding="utf-8")
        cat = load_catalogue(path)
        assert cat.follow_up is None
        with pytest.raises(KitError, match="has no \\[follow_up\\] table"):
            follow_up_of(cat)


# --- statistics -------------------------------------------------------------------------------


class TestStatistics:
    def test_weighted_stats_match_the_statistics_module(self) -> None:
        values = [2, 2, 2, 5, 7, 7, 9]
        stats = weighted_stats([(2, 3), (5, 1), (7, 2), (9, 1)])
        assert stats["mean"] == pytest.approx(statistics.mean(values))
        assert stats["sd"] == pytest.approx(statistics.stdev(values))
        assert stats["median"] == 5
        assert math.isnan(weighted_stats([(4, 1)])["sd"])

    def test_wilson_interval(self) -> None:
        """Known values: 5 of 10 gives 23.7%–76.3%; 0 of 10 still has an upper bound (0%–27.8%)."""
        assert wilson(5, 10) == pytest.approx((0.2366, 0.7634), abs=1e-4)
        low, high = wilson(0, 10)
        assert low == 0 and high == pytest.approx(0.2775, abs=1e-4)


# --- cohorts side by side ----------------------------------------------------------------------


@pytest.fixture
def programme_store(store: ResponseStore) -> ResponseStore:
    """Three cohorts: 'leeds' (4 people), 'york' (3), 'tiny' (2: below the group size)."""
    fill(store, "leeds", "risk.appetite", [{"now": 2, "target": 6}, {"now": 4, "target": 8}, {"now": 6, "target": 7}, {"now": 8, "target": 8}])
    fill(store, "york", "risk.appetite", [{"now": 5, "target": 9}, {"now": 5, "target": 9}, {"now": 8, "target": 9}], prefix="y")
    fill(store, "tiny", "risk.appetite", [{"now": 1, "target": 1}, {"now": 1, "target": 1}], prefix="t")
    fill(store, "leeds", "risk.domains", [["Spending"], ["Spending", "Information sharing"], ["Technology choices"], ["Spending"]])
    fill(store, "york", "risk.domains", [["Spending"], ["Spending"], ["Spending"]], prefix="y")
    fill(store, "tiny", "risk.domains", [["Spending"], ["Spending"]], prefix="t")
    budget = {"Operations": 70, "Change": 10, "Relationships": 10, "Strategy": 10}
    fill(store, "leeds", "week.time-budget", [budget, {**budget, "Operations": 50, "Change": 30}, budget])
    fill(store, "leeds", "risk.limits", ["private one", "private two", "private three"])
    return store


class TestSideBySide:
    def test_scale_figures_and_suppression(self, programme_store: ResponseStore) -> None:
        prog = build_programme(programme_store, min_group=3)
        assert prog.cohorts == ("leeds", "tiny", "york")
        view = prog.views["risk.appetite"]
        leeds = rows_of(view.table, "leeds")
        assert list(leeds["moment"]) == ["Now", "Needed for the role"]
        assert leeds.loc[0, "mean"] == 5 and leeds.loc[0, "sd"] == pytest.approx(statistics.stdev([2, 4, 6, 8]))
        assert leeds.loc[1, "median"] == 7.5
        tiny = rows_of(view.table, "tiny")
        assert len(tiny) == 1 and tiny.loc[0, "n"] == 2
        assert tiny.loc[0, "status"] == "suppressed: fewer than 3 answers"
        assert tiny[["mean", "sd", "median"]].isna().all(axis=None), "a suppressed cohort has no figures, never zeros"
        assert view.suppressed == ("tiny",)
        shift = view.extras["Shift Now → Needed for the role"]
        assert rows_of(shift, "york").loc[0, "mean_shift"] == pytest.approx((4 + 4 + 1) / 3)
        assert rows_of(shift, "leeds").loc[0, "no_change"] == 0.25

    def test_pick_shares_with_intervals(self, programme_store: ResponseStore) -> None:
        table = build_programme(programme_store).views["risk.domains"].table
        spending = table[(table["cohort"] == "leeds") & (table["option"] == "Spending")].iloc[0]
        assert spending["count"] == 3 and spending["share"] == 0.75
        assert (spending["share_low"], spending["share_high"]) == pytest.approx(wilson(3, 4))
        assert rows_of(table, "tiny")["share"].isna().all()

    def test_budget_private_text_and_a_cohort_with_no_answers(self, programme_store: ResponseStore) -> None:
        prog = build_programme(programme_store)
        ops = rows_of(prog.views["week.time-budget"].table, "leeds").set_index("heading").loc["Operations"]
        assert ops["mean"] == pytest.approx(190 / 3) and ops["sd"] == pytest.approx(statistics.stdev([70, 50, 70]))
        york = rows_of(prog.views["week.time-budget"].table, "york")
        assert york.loc[0, "n"] == 0 and york.loc[0, "status"] == "no answers"
        private = prog.views["risk.limits"].table
        assert list(private.columns) == ["cohort", "n", "status"], "private text is only counted"
        assert rows_of(private, "leeds").loc[0, "n"] == 3

    def test_choosing_cohorts(self, programme_store: ResponseStore) -> None:
        assert programme_cohorts(programme_store, ["york", "leeds@follow-up", "leeds"]) == ("york", "leeds")
        with pytest.raises(KitError, match=r"'hull' has no answers .* \(cohorts with answers: leeds, tiny, york\)"):
            programme_cohorts(programme_store, ["hull"])

    def test_log_without_a_choice_field_keeps_every_cohort(self, programme_store: ResponseStore) -> None:
        people = lambda k: [{"who": f"person {i}"} for i in range(k)]  # noqa: E731 - goal.people has text and date fields only
        fill(programme_store, "leeds", "goal.people", [people(1), people(2), people(3)])
        fill(programme_store, "tiny", "goal.people", [people(4)], prefix="t")
        view = build_programme(programme_store).views["goal.people"]
        assert list(view.table["cohort"]) == ["leeds", "tiny", "york"], "the cohorts with answers stay in the table"
        wide = {r["cohort"]: r for r in wide_table(view)["rows"]}
        assert wide_table(view)["columns"] == ["Rows per person"]
        assert wide["leeds"]["cells"] == ["2.0 ± 1.0"] and wide["tiny"]["status"].startswith("suppressed")
        fig = exercise_chart(view)
        assert fig is not None
        (dots,) = [line for line in fig.axes[0].get_lines() if len(line.get_xdata()) == 1 and line.get_marker() == "o"]
        assert list(dots.get_xdata()) == [2.0], "only leeds is drawn: its mean rows per person"

    def test_wide_table_says_suppressed_in_words(self, programme_store: ResponseStore) -> None:
        wide = wide_table(build_programme(programme_store).views["risk.appetite"])
        rows = {r["cohort"]: r for r in wide["rows"]}
        assert rows["tiny"]["status"].startswith("suppressed") and rows["tiny"]["cells"] == []
        assert rows["leeds"]["cells"][0] == "5.0 ± 2.6 (median 5)"


# --- the follow-up -------------------------------------------------------------------------------


@pytest.fixture
def follow_up_store(store: ResponseStore) -> ResponseStore:
    """leeds: p01–p04 at the workshop; p01–p03 and a newcomer at the follow-up.  york: 3 then only 2 again."""
    fill(store, "leeds", "risk.appetite", [{"now": 2, "target": 6}, {"now": 4, "target": 8}, {"now": 6, "target": 7}, {"now": 8, "target": 8}])
    fill(store, "leeds@follow-up", "risk.appetite", [{"now": 4, "target": 6}, {"now": 5, "target": 8}, {"now": 6, "target": 9}])
    store.save("risk.appetite", {"now": 10, "target": 10}, participant="newcomer", cohort="leeds@follow-up")
    fill(store, "york", "risk.appetite", [{"now": 5, "target": 9}] * 3, prefix="y")
    fill(store, "york@follow-up", "risk.appetite", [{"now": 9, "target": 9}] * 2, prefix="y")
    log = lambda *statuses: [{"stakeholder": "someone", "status": s} for s in statuses]  # noqa: E731
    fill(store, "leeds", "relationships.log", [log("Planned", "Planned"), log("Planned", "Met"), log("Delivered", "Planned")])
    fill(store, "leeds@follow-up", "relationships.log", [log("Delivered", "Delivered"), log("Met", "Delivered"), log("Delivered", "Planned")])
    return store


class TestFollowUpShift:
    def test_only_people_who_answered_both_count(self, follow_up_store: ResponseStore) -> None:
        prog = build_programme(follow_up_store, min_group=3)
        assert prog.cohorts == ("leeds", "york"), "a follow-up wave is not a cohort of its own"
        assert prog.follow_up_participants == {"leeds": 4, "york": 2}
        leeds = rows_of(prog.shifts["risk.appetite"].table, "leeds")
        assert leeds.loc[0, "matched"] == 3  # p04 did not come back; the newcomer was not at the workshop
        assert leeds.loc[0, "mean_before"] == 4 and leeds.loc[0, "mean_after"] == 5
        assert leeds.loc[0, "mean_change"] == pytest.approx((2 + 1 + 0) / 3)

    def test_overlap_below_the_group_size_is_suppressed(self, follow_up_store: ResponseStore) -> None:
        """york has 3 at the workshop and 2 back: the overlap (2) is too small, however big each wave."""
        view = build_programme(follow_up_store, min_group=3).shifts["risk.appetite"]
        york = rows_of(view.table, "york")
        assert len(york) == 1 and york.loc[0, "matched"] == 2
        assert york.loc[0, "status"] == "suppressed: fewer than 3 answered both times"
        assert york[["mean_before", "mean_after", "mean_change"]].isna().all(axis=None)
        assert view.suppressed == ("york",)

    def test_commitments_kept(self, follow_up_store: ResponseStore) -> None:
        table = build_programme(follow_up_store).shifts["relationships.log"].table
        delivered = table[(table["cohort"] == "leeds") & (table["choice"] == "Delivered")].iloc[0]
        assert delivered["share_before"] == pytest.approx(1 / 6) and delivered["share_after"] == pytest.approx(4 / 6)

    def test_budget_over_time(self, store: ResponseStore) -> None:
        ex = store.catalogue.exercise("week.time-budget")
        before = {"Operations": 70, "Change": 10, "Relationships": 10, "Strategy": 10}
        fill(store, "a", ex.id, [before, before])
        fill(store, "a@follow-up", ex.id, [{**before, "Operations": 50, "Change": 30}, before])
        frame = compare_over_time(ex, store.latest_answers("a"), store.latest_answers("a@follow-up"), min_group=2).set_index("heading")
        assert frame.loc["Operations", "mean_change"] == -10 and frame.loc["Change", "mean_after"] == 20

    def test_on_postgresql_the_figures_are_the_same(self, follow_up_store: ResponseStore, pg_store: ResponseStore) -> None:
        pg_store.add_responses(follow_up_store.all_responses())
        ours, theirs = build_programme(follow_up_store), build_programme(pg_store)
        assert theirs.cohorts == ours.cohorts
        for ex_id in ("risk.appetite", "relationships.log"):
            pd.testing.assert_frame_equal(theirs.views[ex_id].table, ours.views[ex_id].table)
            pd.testing.assert_frame_equal(theirs.shifts[ex_id].table, ours.shifts[ex_id].table)


# --- the report ------------------------------------------------------------------------------------


@pytest.fixture
def report_store(follow_up_store: ResponseStore) -> ResponseStore:
    fill(follow_up_store, "tiny", "risk.appetite", [{"now": 1, "target": 1}] * 2, prefix="t")
    fill(follow_up_store, "O'Neill cohort", "risk.appetite", [{"now": 3, "target": 4}] * 3, prefix="o")
    return follow_up_store


SOME = ("risk.appetite", "relationships.log", "risk.limits")


class TestProgrammeReport:
    @pytest.mark.slow
    def test_html_offline_escaped_and_suppressed_in_words(self, report_store: ResponseStore, tmp_path: Path) -> None:
        files = programme_report(report_store, out_dir=tmp_path, exercises=[report_store.catalogue.exercise(i) for i in SOME])
        html = files.html.read_text(encoding="utf-8")
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), "the page must not fetch anything"
        assert html.count("data:image/svg+xml;base64,") == 5  # three exercises (private text: a count per cohort), two follow-up shifts
        assert "O&#x27;Neill cohort" in html and "O'Neill cohort" not in html  # quotes spelled as every kit page spells them
        tiny = re.search(r'<tr data-cohort="tiny">(.*?)</tr>', html, re.S).group(1)
        assert "suppressed: fewer than 3 answers" in tiny and "0.0" not in tiny and "0%" not in tiny
        shift = html[html.index('id="shift-risk.appetite"') :]
        york = re.search(r'<tr data-cohort="york">(.*?)</tr>', shift, re.S).group(1)
        assert "suppressed: fewer than 3 answered both times" in york
        leeds = re.search(r'<tr data-cohort="leeds">(.*?)</tr>', shift, re.S).group(1)
        assert "4.0 → 5.0 (+1.0)" in leeds

    @pytest.mark.slow
    def test_xlsx_blank_never_zero(self, report_store: ResponseStore, tmp_path: Path) -> None:
        files = programme_report(report_store, out_dir=tmp_path, exercises=[report_store.catalogue.exercise(i) for i in SOME])
        book = openpyxl.load_workbook(files.xlsx)
        assert book.sheetnames[:2] == ["contents", "cohorts"]
        sheet = book["risk.appetite"]
        header = [c.value for c in sheet[2]]
        header = header[: header.index(None)]  # the first block; the shift table sits to its right
        rows = [dict(zip(header, [c.value for c in row])) for row in sheet.iter_rows(min_row=3, max_col=len(header)) if row[0].value]
        tiny = [r for r in rows if r["cohort"] == "tiny"]
        assert len(tiny) == 1 and tiny[0]["n"] == 2 and tiny[0]["mean"] is None and tiny[0]["status"].startswith("suppressed")
        assert any(r["cohort"] == "leeds" and r["moment"] == "Now" and r["mean"] == 5 for r in rows)
        assert "follow-up risk.appetite" in book.sheetnames
        charts = {name: len(book[name]._images) for name in book.sheetnames[2:]}
        assert charts == {"risk.appetite": 1, "relationships.log": 1, "risk.limits": 1, "follow-up risk.appetite": 1, "follow-up relationships.log": 1}
        assert book["risk.appetite"]._images[0].anchor._from.col > len(header), "the chart sits to the right of the tables"

    @pytest.mark.slow
    def test_command(self, report_store: ResponseStore, tmp_path: Path, capsys) -> None:
        out = tmp_path / "prog"
        code = main(["programme", "--store", str(report_store.sqlite_path), "--cohort", "leeds", "--cohort", "york", "--out", str(out)])
        assert code == 0, capsys.readouterr().err
        html = (out / "programme.html").read_text(encoding="utf-8")
        assert 'data-cohort="leeds"' in html and 'data-cohort="tiny"' not in html
        assert html.count('<article class="exercise"') == len(report_store.catalogue.exercises) + len(report_store.catalogue.follow_up.exercises)
        assert main(["programme", "--store", str(report_store.sqlite_path), "--cohort", "hull", "--out", str(out)]) == 1
        assert "'hull' has no answers" in capsys.readouterr().err

    def test_empty_store_is_a_plain_error(self, store: ResponseStore, tmp_path: Path) -> None:
        with pytest.raises(KitError, match="no programme to report on"):
            programme_report(store, out_dir=tmp_path)
