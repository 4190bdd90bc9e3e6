"""Cohort comparison: aggregates per kind, the minimum group size, and nothing raw from others."""

from __future__ import annotations

import pytest
from widget_helpers import *  # noqa: F403
from widget_helpers import seed

from workshop_kit.catalogue.model import default_catalogue
from workshop_kit.summaries.compare import (
    cohort_comparison,
    compare_answer,
    compare_budget,
    compare_grid,
    compare_log,
    compare_pick,
    compare_scale,
    compare_text,
    not_ready_message,
    others_answers,
    position,
    quadrant_counts,
)
from workshop_kit.session.identity import Identity

ALICE = Identity("alice", "cohort-a")


def ex(exercise_id):
    return default_catalogue().exercise(exercise_id)


def item(name, x, y, tag="My team"):
    return {"name": name, "x": x, "y": y, "tag": tag, "bring": "", "expect": ""}


class TestCohortComparison:
    def test_needs_min_cohort_others(self, kit_store):
        """Below min_cohort others there is no aggregate, only how many more are needed."""
        seed(kit_store, "goal.ambition", [2, 4, 6, 8])
        kit_store.save("goal.ambition", 5, participant="alice", cohort="cohort-a")
        result = cohort_comparison(kit_store, ex("goal.ambition"), ALICE, 5)
        assert not result.ready and result.others == 4
        assert "1 more needed" in result.lines[0]
        assert cohort_comparison(kit_store, ex("goal.ambition"), ALICE, 5, min_cohort=4).ready

    def test_only_others_in_the_same_cohort(self, kit_store):
        """The participant's own answer and other cohorts are left out; latest answers only."""
        seed(kit_store, "goal.ambition", [1, 1, 1, 1, 1])
        seed(kit_store, "goal.ambition", [9] * 5, cohort="cohort-b")
        seed(kit_store, "goal.ambition", [3], prefix="other")  # other01 changes their mind: 1 -> 3
        kit_store.save("goal.ambition", 10, participant="alice", cohort="cohort-a")
        assert sorted(others_answers(kit_store, ex("goal.ambition"), ALICE)) == [1, 1, 1, 1, 3]

    def test_answers_that_no_longer_fit_are_skipped(self, kit_store, monkeypatch):
        """An answer saved under an older catalogue is left out rather than breaking the view."""
        seed(kit_store, "goal.timeframe", [["1 to 2 years"]] * 2)
        from workshop_kit.catalogue.model import PickExercise

        e = ex("goal.timeframe")
        changed = PickExercise(**{**e.__dict__, "options": ("Soon", "Later")})
        assert others_answers(kit_store, changed, ALICE) == []

    def test_not_ready_wording(self):
        """The waiting message counts people in plain words."""
        assert not_ready_message(0, 5).startswith("Nobody else in your cohort has saved")
        assert "So far 1 other person in your cohort has saved" in not_ready_message(1, 5)
        assert "(2 more needed)" in not_ready_message(3, 5)


class TestScale:
    def test_single(self):
        """Mean, median and position for a single scale."""
        (line,) = compare_scale(ex("goal.ambition"), 7, [3, 5, 7, 8, 9])
        assert line == "5 others in your cohort: average 6.4, median 7. You chose 7: higher than 2, the same as 1, lower than 2 of them."

    def test_pair(self):
        """Each moment of a pair, and the average shift wanted."""
        others = [{"now": 2, "target": 6}, {"now": 4, "target": 6}, {"now": 3, "target": 5}, {"now": 3, "target": 7}, {"now": 3, "target": 6}]
        lines = compare_scale(ex("risk.appetite"), {"now": 3, "target": 9}, others)
        assert lines[0] == "Now: 5 others average 3.0, median 3. You chose 3: higher than 1, the same as 3, lower than 1 of them."
        assert lines[1].startswith("Needed for the role: 5 others average 6.0")
        assert lines[2] == "Others want to move by +3.0 points on average; you want to move by +6 points."

    def test_position(self):
        """Position lists only the counts that are not zero."""
        assert position(5, [5, 5]) == "the same as 2 of them"
        assert position(5, [1, 9]) == "higher than 1, lower than 1 of them"


class TestPick:
    def test_counts_for_my_choices(self):
        """How many others chose each of my choices (own entries matched without case), and the favourites."""
        others = [["Strategic", "Decisive", "calm"], ["Strategic", "Friendly", "Innovative"], ["Decisive", "Strategic", "Friendly"]]
        lines = compare_pick(ex("brand.seen-today"), ["Strategic", "Approachable", "Calm"], others)
        assert lines == [
            "Strategic: also chosen by 3 of the 3 others.",
            "Approachable: also chosen by none of the 3 others.",
            "Calm: also chosen by 1 of the 3 others.",
            "Chosen most often by others: Strategic (3 of 3).",
        ]

    def test_none_chosen(self):
        """An empty pick compares how many others chose."""
        lines = compare_pick(ex("iwe.succession"), [], [[], ["I am mentoring someone"]])
        assert lines[0] == "You chose none; the 2 others chose 0.5 on average."

    def test_custom_entries_of_others_never_named(self):
        """Only catalogue options are named as favourites, never another person's own entry."""
        others = [["Strategic", "Decisive", "SECRET"]] * 6
        assert not any("SECRET" in line for line in compare_pick(ex("brand.seen-today"), ["Friendly", "Supportive", "Decisive"], others))


class TestText:
    def test_only_a_count(self):
        """Text comparisons say how many answered, and nothing of what they wrote."""
        lines = compare_text(ex("risk.limits"), "mine", ["SECRET one", "SECRET two"])
        assert lines == ["2 others in your cohort have answered this too. Written answers stay private to each person."]


class TestBudget:
    def test_mean_share_per_heading(self):
        """The cohort's mean share per heading against mine."""
        e = ex("week.time-budget")
        others = [{"Operations": 60, "Change": 20, "Relationships": 10, "Strategy": 10}, {"Operations": 40, "Change": 30, "Relationships": 20, "Strategy": 10}]
        lines = compare_budget(e, {"Operations": 25, "Change": 25, "Relationships": 25, "Strategy": 25}, others)
        assert lines[1:] == [
            "Operations: you 25%, others 50% on average.",
            "Change: you 25%, others 25% on average.",
            "Relationships: you 25%, others 15% on average.",
            "Strategy: you 25%, others 10% on average.",
        ]


class TestGrid:
    def test_quadrants(self):
        """The catalogue's names (Mendelow's for interest × influence), counted top right first."""
        e = ex("system.map")
        assert list(quadrant_counts(e, [item("a", 9, 9), item("b", 1, 1)]).items()) == [("Manage closely", 1), ("Keep satisfied", 0), ("Keep informed", 0), ("Monitor", 1)]

    def test_grid_counts(self):
        """Average items and items per quadrant, without any names of others."""
        e = ex("system.map")
        others = [[item("SECRET", 9, 9), item("x", 1, 1)], [item("y", 9, 9)]]
        lines = compare_grid(e, [item("mine", 2, 9)], others)
        assert lines[0] == "You placed 1 item; the 2 others placed 1.5 on average."
        assert "Manage closely: you 0, others 1.0 on average." in lines
        assert "Keep satisfied: you 1, others 0.0 on average." in lines
        assert not any("SECRET" in line for line in lines)


class TestLog:
    def test_rows_and_status(self):
        """Average rows, and for each choice the share of rows."""
        e = ex("relationships.log")
        row = lambda status: {"stakeholder": "SECRET", "planned": "", "heard": "", "deliverable": "", "due": "", "status": status}  # noqa: E731
        lines = compare_log(e, [row("Met")], [[row("Met"), row("Delivered")], [row("Planned"), row("Met")]])
        assert lines[0] == "You have 1 row; the 2 others have 2.0 on average."
        assert "Status Met: you 1 of 1, others 50% of their rows." in lines
        assert not any("SECRET" in line for line in lines)


def sample_answer(e):
    """A valid answer to any exercise, built from its settings."""
    if e.kind == "scale":
        return {"now": e.min, "target": e.max} if e.paired else e.max
    if e.kind == "pick":
        return list(e.options[: max(e.min_picks, 1)])
    if e.kind == "text":
        return "An answer"
    if e.kind == "budget":
        return {h: (e.total if i == 0 else 0) for i, h in enumerate(e.headings)}
    row = {f.name: (f.choices[0] if f.type == "choice" else f.min if f.type == "number" else "") for f in e.fields}
    if e.kind == "grid":
        return [{"name": "A", "x": e.max, "y": e.min, "tag": e.tags[0], **row}]
    return [{**row, e.fields[0].name: e.fields[0].choices[0] if e.fields[0].type == "choice" else "Someone"}]


@pytest.mark.parametrize("exercise_id", [e.id for e in default_catalogue().exercises])
def test_every_exercise_compares(kit_store, exercise_id):
    """Every exercise in the catalogue has a comparison once enough others answered."""
    e = ex(exercise_id)
    answer = sample_answer(e)
    seed(kit_store, exercise_id, [answer] * 5)
    kit_store.save(exercise_id, answer, participant="alice", cohort="cohort-a")  # the sixth answer makes the first release
    result = cohort_comparison(kit_store, e, ALICE, answer)
    assert result.ready and result.lines


class TestHideUntilReveal:
    """In a room the facilitator leads, the comparison waits for their reveal; counts of answers still show."""

    @pytest.fixture
    def answered(self, kit_store):
        seed(kit_store, "goal.ambition", [2, 4, 6, 8, 9, 3])
        kit_store.save("goal.ambition", 5, participant="alice", cohort="cohort-a")
        return kit_store

    def test_hidden_in_a_led_room_until_revealed(self, answered):
        """Before the reveal: the message and the live count only; after it, the usual figures."""
        from workshop_kit.store import live
        from workshop_kit.summaries.compare import HIDDEN_MESSAGE, comparison_for

        hidden = comparison_for(answered, ex("goal.ambition"), ALICE, 5, led=True)
        assert not hidden.ready and hidden.lines == (HIDDEN_MESSAGE, "So far 6 others in your cohort have saved this exercise.")
        assert hidden.others == 6 and not any("average" in line for line in hidden.lines)
        live.reveal(answered, "cohort-a", "goal.ambition")
        shown = comparison_for(answered, ex("goal.ambition"), ALICE, 5, led=True)
        assert shown == cohort_comparison(answered, ex("goal.ambition"), ALICE, 5) and shown.ready
        live.reveal(answered, "cohort-a", "goal.ambition", shown=False)
        assert comparison_for(answered, ex("goal.ambition"), ALICE, 5, led=True).lines[0] == HIDDEN_MESSAGE

    def test_show_live_needs_no_reveal_and_other_exercises_stay_hidden(self, answered):
        from workshop_kit.store import live
        from workshop_kit.summaries.compare import HIDDEN_MESSAGE, comparison_for

        live.set_show_live(answered, "cohort-a", "goal.ambition", True)
        assert comparison_for(answered, ex("goal.ambition"), ALICE, 5, led=True).ready
        seed(answered, "goal.timeframe", [["1 to 2 years"]] * 6)
        assert comparison_for(answered, ex("goal.timeframe"), ALICE, ["1 to 2 years"], led=True).lines[0] == HIDDEN_MESSAGE

    def test_reveal_is_per_cohort(self, answered):
        """Revealing for another cohort reveals nothing here."""
        from workshop_kit.store import live
        from workshop_kit.summaries.compare import comparison_for

        live.reveal(answered, "cohort-b", "goal.ambition")
        assert not comparison_for(answered, ex("goal.ambition"), ALICE, 5, led=True).ready

    def test_self_study_shows_as_before(self, answered, monkeypatch):
        """Without a facilitator (no WORKSHOP_KIT_ROOM) nothing waits for a reveal; with it set, results do."""
        from workshop_kit.summaries.compare import HIDDEN_MESSAGE, comparison_for

        monkeypatch.delenv("WORKSHOP_KIT_ROOM", raising=False)
        assert comparison_for(answered, ex("goal.ambition"), ALICE, 5).ready
        monkeypatch.setenv("WORKSHOP_KIT_ROOM", "1")
        assert comparison_for(answered, ex("goal.ambition"), ALICE, 5).lines[0] == HIDDEN_MESSAGE

    def test_wording_of_the_count(self):
        from workshop_kit.summaries.compare import hidden_comparison

        assert hidden_comparison(0).lines[1] == "Nobody else in your cohort has saved this exercise."
        assert hidden_comparison(1).lines[1] == "So far 1 other person in your cohort has saved this exercise."

    def test_the_widget_line_waits_for_the_reveal(self, answered, monkeypatch):
        """The exercise widget's compare line in a room: the message before the reveal, the figures after Update."""
        from workshop_kit.store import live

        monkeypatch.setenv("WORKSHOP_KIT_ROOM", "1")
        w = make("goal.ambition", answered)
        assert "Results appear when the facilitator reveals them" in w.compare_text.value and "average" not in w.compare_text.value
        assert "So far 6 others" in w.compare_text.value
        live.reveal(answered, "cohort-a", "goal.ambition")
        w.compare_button.click()
        assert "average" in w.compare_text.value and "reveals them" not in w.compare_text.value
