"""Summaries: tidy frames per exercise kind, checked against hand-built frames; privacy rules; comparisons."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pandas.testing as pdt
import pytest

from workshop_kit.catalogue.model import default_catalogue
from workshop_kit.store.responses import Response, ResponseStore
from workshop_kit.summaries.cohort import (
    EMPTY_NOTE,
    OWN_ENTRY,
    PRIVATE_NOTE,
    cohort_summaries,
    compare_cohorts,
    compare_over_time,
    frequent_words,
    latest_only,
    summarise,
    summarise_tallies,
)

CAT = default_catalogue()
T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.timezone.utc)


def row(participant: str, exercise_id: str, answer, *, cohort: str = "c1", t: int = 0) -> Response:
    return Response(f"{cohort}-{participant}-{exercise_id}-{t}", cohort, participant, exercise_id, answer, T0 + dt.timedelta(seconds=t), "test")


def rows(exercise_id: str, answers: list, cohort: str = "c1") -> list[Response]:
    return [row(f"person{i}", exercise_id, a, cohort=cohort, t=i) for i, a in enumerate(answers)]


class TestLatestOnly:
    def test_latest_only(self):
        """Only the latest row per person and exercise counts."""
        old, new = row("a", "goal.ambition", 2, t=0), row("a", "goal.ambition", 9, t=5)
        assert latest_only([new, old]) == [new]


class TestScale:
    def test_single(self):
        """A single scale gives a count and share for every point, plus n, mean and median."""
        s = summarise(CAT.exercise("goal.ambition"), rows("goal.ambition", [2, 4, 4, 10]))
        expected = pd.DataFrame(
            {"moment": "Answer", "value": range(1, 11), "count": [0, 1, 0, 2, 0, 0, 0, 0, 0, 1], "share": [0, 0.25, 0, 0.5, 0, 0, 0, 0, 0, 0.25]}
        ).astype({"value": "int64", "count": "int64", "share": "float64"})
        pdt.assert_frame_equal(s.table, expected)
        assert s.figures == {"Answered": 4, "Mean": 5.0, "Median": 4.0}
        assert s.n == 4 and not s.suppressed and s.note == ""

    def test_paired_shift(self):
        """A now/target scale gives both distributions and the shift people want."""
        answers = [{"now": 3, "target": 6}, {"now": 5, "target": 5}, {"now": 4, "target": 3}]
        s = summarise(CAT.exercise("risk.appetite"), rows("risk.appetite", answers))
        now = s.table[s.table["moment"] == "Now"]
        assert now.set_index("value")["count"].loc[[3, 4, 5]].tolist() == [1, 1, 1]
        assert s.figures["Mean (Now)"] == 4.0 and s.figures["Mean (Needed for the role)"] == pytest.approx(14 / 3)
        assert (s.figures["Mean shift"], s.figures["Want more"], s.figures["Want less"], s.figures["No change"]) == (pytest.approx(2 / 3), 1, 1, 1)

    def test_history_ignored(self):
        """An earlier, replaced answer does not count."""
        data = rows("goal.ambition", [5, 5, 5]) + [row("person0", "goal.ambition", 1, t=-100)]
        assert summarise(CAT.exercise("goal.ambition"), data).figures["Mean"] == 5.0


class TestPick:
    def test_counts_shares_and_own_entries(self):
        """Each option gets a count and share of respondents; own entries are counted together and listed."""
        answers = [["Spending"], ["Spending", "Technology choices"], ["Legal risk"], ["Spending", "Legal risk"]]
        s = summarise(CAT.exercise("risk.domains"), rows("risk.domains", answers))
        expected = pd.DataFrame(
            {
                "option": ["Technology choices", "Spending", "Organisational change", "Information sharing", OWN_ENTRY],
                "count": pd.Series([1, 3, 0, 0, 2], dtype="int64"),
                "share": [0.25, 0.75, 0.0, 0.0, 0.5],
            }
        )
        pdt.assert_frame_equal(s.table, expected)
        pdt.assert_frame_equal(s.extras["Own entries"], pd.DataFrame({"entry": ["Legal risk"], "count": pd.Series([2], dtype="int64")}))
        assert s.figures["Mean picks"] == 1.5


class TestText:
    def test_anonymous_sorted_list(self):
        """Without names, a text summary is the answers alone, sorted, with no one attached."""
        s = summarise(CAT.exercise("goal.statement"), rows("goal.statement", ["b shared records", "A shared records", "c paper-free wards"]))
        pdt.assert_frame_equal(s.table, pd.DataFrame({"answer": ["A shared records", "b shared records", "c paper-free wards"]}))
        assert list(s.table.columns) == ["answer"]

    def test_names_switch(self):
        """With names on, each answer carries its author's name."""
        s = summarise(CAT.exercise("goal.statement"), rows("goal.statement", ["x", "y", "z"]), names=True)
        assert list(s.table.columns) == ["participant", "answer"]
        assert s.table["participant"].tolist() == ["person0", "person1", "person2"]

    def test_sensitive_never_shown(self):
        """A sensitive text is only counted: no answers, no words, even with names on."""
        for names in (False, True):
            s = summarise(CAT.exercise("risk.limits"), rows("risk.limits", ["secret one", "secret two", "secret three"]), names=names)
            assert s.n == 3 and s.table.empty and s.extras == {} and s.private and s.note == PRIVATE_NOTE

    def test_frequent_words(self):
        """Words count once per answer, common words and words used by only one answer are left out."""
        words = frequent_words(["The shared record, shared!", "A shared care record", "Patients' record and the care"])
        expected = pd.DataFrame({"word": ["record", "care", "shared"], "people": pd.Series([3, 2, 2], dtype="int64")})
        pdt.assert_frame_equal(words, expected)


class TestBudget:
    def test_mean_share_per_heading(self):
        """A budget gives the mean and median share per heading."""
        answers = [
            {"Operations": 70, "Change": 10, "Relationships": 10, "Strategy": 10},
            {"Operations": 40, "Change": 30, "Relationships": 20, "Strategy": 10},
            {"Operations": 10, "Change": 20, "Relationships": 30, "Strategy": 40},
        ]
        s = summarise(CAT.exercise("week.time-budget"), rows("week.time-budget", answers))
        expected = pd.DataFrame({"heading": ["Operations", "Change", "Relationships", "Strategy"], "mean": [40.0, 20.0, 20.0, 20.0], "median": [40.0, 20.0, 20.0, 10.0]})
        pdt.assert_frame_equal(s.table, expected)


class TestGrid:
    def test_quadrants_and_tags(self):
        """A grid gives items per quadrant (split at the middle of the scale) and per tag; names never appear."""
        item = lambda name, x, y, tag: {"name": name, "x": x, "y": y, "tag": tag, "bring": "", "expect": ""}  # noqa: E731
        answers = [
            [item("CEO", 9, 9, "My organisation"), item("ICB", 2, 8, "Local health community (ICS)")],
            [item("CEO", 8, 10, "My organisation")],
            [item("Deputy", 3, 2, "My team")],
        ]
        s = summarise(CAT.exercise("system.map"), rows("system.map", answers))
        expected = pd.DataFrame(
            {
                "quadrant": ["Manage closely", "Keep satisfied", "Keep informed", "Monitor"],  # as the catalogue names them
                "items": pd.Series([2, 1, 0, 1], dtype="int64"),
                "share": [0.5, 0.25, 0.0, 0.25],
                "people": pd.Series([2, 1, 0, 1], dtype="int64"),
            }
        )
        pdt.assert_frame_equal(s.table, expected)
        tags = s.extras["System level counts"]
        assert tags.set_index("tag")["items"].to_dict() == {"My team": 1, "My organisation": 2, "Local health community (ICS)": 1, "National": 0}
        assert "CEO" not in s.table.to_string() + tags.to_string()
        assert s.figures["Items"] == 4


class TestLog:
    def test_status_rates_and_rows_per_person(self):
        """A log gives rates per choice and how many people logged how many rows; entries never appear, nor anyone's label."""
        entry = lambda who, status: {"stakeholder": who, "planned": "", "heard": "", "deliverable": "", "due": "", "status": status}  # noqa: E731
        answers = [[entry("CFO", "Met"), entry("COO", "Planned")], [entry("CNO", "Met")], [entry("CMO", "Delivered"), entry("CIO", "")]]
        s = summarise(CAT.exercise("relationships.log"), rows("relationships.log", answers))
        expected = pd.DataFrame(
            {"field": "Status", "choice": ["Planned", "Met", "Delivered"], "rows": pd.Series([1, 2, 1], dtype="int64"), "share": [0.25, 0.5, 0.25]}
        )
        pdt.assert_frame_equal(s.table, expected)
        pdt.assert_frame_equal(s.extras["Rows per person"], pd.DataFrame({"rows": pd.Series([1, 2], dtype="int64"), "people": pd.Series([1, 2], dtype="int64")}))
        assert (s.figures["Rows"], s.figures["Mean rows per person"], s.figures["Median rows per person"]) == (5, 5 / 3, 2.0)
        assert "CFO" not in s.table.to_string() and s.private


class TestSmallGroups:
    def test_fewer_than_minimum(self):
        """With fewer answers than the minimum group there is no breakdown: only how many answered."""
        s = summarise(CAT.exercise("goal.statement"), rows("goal.statement", ["mine", "yours"]))
        assert s.suppressed and s.n == 2 and s.table.empty and s.figures == {"Answered": 2}
        assert "Fewer than 3" in s.note
        assert all(frame.empty for frame in s.extras.values())

    def test_minimum_is_adjustable(self):
        """min_group=2 shows the same two answers."""
        s = summarise(CAT.exercise("goal.statement"), rows("goal.statement", ["mine", "yours"]), min_group=2)
        assert not s.suppressed and len(s.table) == 2

    def test_no_answers(self):
        """No answers at all: an empty table with the right columns and a plain note."""
        s = summarise(CAT.exercise("risk.domains"), [])
        assert s.n == 0 and s.note == EMPTY_NOTE and list(s.table.columns) == ["option", "count", "share"] and s.table.empty


class TestCohortSummaries:
    def test_every_exercise(self):
        """Every exercise is summarised, in catalogue order; no one is listed by a label in the anonymous view."""
        with ResponseStore() as store:
            for who in ("zed", "amy", "bob"):
                store.save("goal.ambition", 5, participant=who, cohort="c1")
                store.save("empathy.map", [{"group": "Ward clerks", "impact": "Neutral"}], participant=who, cohort="c1")
            result = cohort_summaries(store, "c1")
        assert list(result) == [e.id for e in CAT.exercises]
        assert result["empathy.map"].extras["Rows per person"].to_dict("list") == {"rows": [1], "people": [3]}
        assert result["goal.ambition"].n == 3 and result["risk.domains"].n == 0

    def test_some_exercises(self):
        """Only the exercises asked for are summarised (what a live dashboard tick redoes)."""
        with ResponseStore() as store:
            store.save("goal.ambition", 5, participant="amy", cohort="c1")
            result = cohort_summaries(store, "c1", exercises=[CAT.exercise("goal.ambition"), CAT.exercise("risk.limits")], min_group=1)
        assert list(result) == ["goal.ambition", "risk.limits"] and result["goal.ambition"].n == 1


class TestCompareCohorts:
    def test_scale(self):
        """Scale answers per cohort: n, mean, median; a cohort below the minimum keeps only its n."""
        ex = CAT.exercise("goal.ambition")
        data = rows("goal.ambition", [2, 4, 6], cohort="a") + rows("goal.ambition", [8, 10], cohort="b")
        result = compare_cohorts(ex, data)
        expected = pd.DataFrame({"cohort": ["a", "b"], "moment": "Answer", "n": pd.Series([3, 2], dtype="int64"), "mean": [4.0, math.nan], "median": [4.0, math.nan]})
        pdt.assert_frame_equal(result, expected)

    def test_pick(self):
        """Pick answers per cohort: count and share per option."""
        ex = CAT.exercise("goal.timeframe")
        data = rows("goal.timeframe", [["Within 1 year"], ["Within 1 year"], ["3 to 5 years"]], cohort="a")
        result = compare_cohorts(ex, data)
        assert result["share"].tolist() == pytest.approx([2 / 3, 0, 1 / 3, 0])
        assert result["n"].tolist() == [3, 3, 3, 3]

    def test_other_kinds_refused(self):
        """Comparisons are for scale and pick exercises; others get a clear error."""
        with pytest.raises(ValueError, match="scale and pick"):
            compare_cohorts(CAT.exercise("goal.statement"), [])


class TestCompareOverTime:
    def test_scale_matched(self):
        """Only people who answered both times count; the change is theirs."""
        ex = CAT.exercise("risk.authority")
        before = [row("a", ex.id, 3, cohort="start"), row("b", ex.id, 5, cohort="start"), row("c", ex.id, 7, cohort="start"), row("d", ex.id, 1, cohort="start")]
        after = [row("a", ex.id, 6, cohort="later"), row("b", ex.id, 5, cohort="later"), row("c", ex.id, 6, cohort="later"), row("e", ex.id, 10, cohort="later")]
        result = compare_over_time(ex, before, after)
        expected = pd.DataFrame(
            {"moment": ["Answer"], "matched": pd.Series([3], dtype="int64"), "mean_before": [5.0], "mean_after": [17 / 3], "mean_change": [2 / 3], "up": [1.0], "down": [1.0], "same": [1.0]}
        )
        pdt.assert_frame_equal(result, expected)

    def test_pick_matched_and_small(self):
        """Pick shares before and after for the matched people; too few matched gives NaN."""
        ex = CAT.exercise("iwe.succession")
        before = [row(p, ex.id, [], cohort="s") for p in "abc"]
        after = [row(p, ex.id, ["I am mentoring someone"], cohort="f") for p in "abc"]
        result = compare_over_time(ex, before, after).set_index("option")
        assert result.loc["I am mentoring someone", "change"] == 1.0
        small = compare_over_time(ex, before[:2], after)
        assert small["matched"].iloc[0] == 2 and small["share_after"].isna().all()


class TestLatestRowsAndNames:
    def test_latest_flag_matches_deduplicating(self):
        """Rows already reduced to the latest answers give the same summary with latest=True as without it."""
        history = rows("goal.ambition", [2, 4, 4, 10]) + [row("person0", "goal.ambition", 7, t=9)]
        latest = latest_only(history)
        ex = CAT.exercise("goal.ambition")
        assert summarise(ex, latest, latest=True).fingerprint() == summarise(ex, history).fingerprint()
        assert summarise(ex, latest, latest=True).figures["Mean"] == 6.25

    def test_tallies_match_rows(self):
        """Distinct answers with counts summarise exactly as the rows they stand for."""
        ex = CAT.exercise("risk.appetite")
        answers = [{"now": 2, "target": 7}, {"now": 2, "target": 7}, {"now": 5, "target": 5}, {"now": 8, "target": 3}, {"now": 2, "target": 7}]
        tallies = [({"now": 2, "target": 7}, 3), ({"now": 5, "target": 5}, 1), ({"now": 8, "target": 3}, 1)]
        assert summarise_tallies(ex, tallies).fingerprint() == summarise(ex, rows(ex.id, answers)).fingerprint()
        figures = summarise_tallies(ex, tallies).figures
        assert (figures["Median shift"], figures["Want more"], figures["Want less"], figures["No change"]) == (5.0, 3, 1, 1)

    def test_display_names_with_names_on(self):
        """With names on, a participant's display name is shown where one is given, else their key."""
        answers = rows("goal.statement", ["Shared record", "Fewer handovers", "A calmer ward"])
        s = summarise(CAT.exercise("goal.statement"), answers, names=True, display={"person0": "Siân O'Neil", "person2": "Mo Chen"})
        assert sorted(s.table["participant"]) == ["Mo Chen", "Siân O'Neil", "person1"]

    def test_display_names_ignored_when_anonymous(self):
        """Display names, and keys, never appear while names are off."""
        answers = rows("goal.statement", ["Shared record", "Fewer handovers", "A calmer ward"])
        s = summarise(CAT.exercise("goal.statement"), answers, display={"person0": "Siân"})
        shown = s.table.to_string() + "".join(v.to_string() for v in s.extras.values())
        assert "Siân" not in shown and "person" not in shown and list(s.table.columns) == ["answer"]
