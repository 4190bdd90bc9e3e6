"""The follow-up: the widget saves under the cohort's follow-up wave, shows the workshop answer, and the plan shows before and after."""

from __future__ import annotations

from widget_helpers import *  # noqa: F403

import workshop_kit as kit
from workshop_kit.pages.followup import before_and_after, change_words
from workshop_kit.views.plan import build_plan
from workshop_kit.widgets import ExerciseWidget

BUDGET = {"Operations": 70, "Change": 10, "Relationships": 10, "Strategy": 10}


def widgets_in(panel):
    return [w for w in panel.children if isinstance(w, ExerciseWidget)]


class TestFollowUpWidget:
    def test_asks_the_catalogue_list_and_shows_the_workshop_answer(self, kit_store):
        kit_store.save("risk.appetite", {"now": 3, "target": 8}, participant="ada", cohort="leeds")
        panel = kit.follow_up(store=kit_store, participant="ada", cohort="leeds")
        shown = widgets_in(panel)
        assert [w.exercise.id for w in shown] == list(kit_store.catalogue.follow_up.exercises)
        before = [w.value for w in panel.children if "wk-follow-up-before" in w._dom_classes]
        appetite = before[[w.exercise.id for w in shown].index("risk.appetite")]
        assert "Now: 3 · Needed for the role: 8" in appetite
        assert "did not answer this at the workshop" in before[0]
        assert "leeds@follow-up" in panel.children[0].value

    def test_saving_goes_to_the_wave_and_leaves_the_workshop_answer(self, kit_store):
        kit_store.save("risk.appetite", {"now": 3, "target": 8}, participant="ada", cohort="leeds")
        panel = kit.follow_up(store=kit_store, participant="ada", cohort="leeds")
        appetite = next(w for w in widgets_in(panel) if w.exercise.id == "risk.appetite")
        appetite.sliders[0].value = 6
        appetite.save_button.click()
        assert "Saved" in appetite.status.value
        assert kit_store.latest("risk.appetite", participant="ada", cohort="leeds").answer == {"now": 3, "target": 8}
        assert kit_store.latest("risk.appetite", participant="ada", cohort="leeds@follow-up").answer["now"] == 6

    def test_opened_from_the_follow_up_cohort_it_still_finds_the_workshop(self, kit_store):
        kit_store.save("risk.authority", 4, participant="ada", cohort="leeds")
        panel = kit.follow_up(store=kit_store, participant="ada", cohort="leeds@follow-up")
        assert "leeds@follow-up@" not in panel.children[0].value
        assert any("4, on a scale" in w.value for w in panel.children if "wk-follow-up-before" in w._dom_classes)

    def test_hostile_workshop_answer_is_escaped(self, kit_store):
        row = [{"stakeholder": "<img src=x onerror=alert(1)>", "status": "Met"}]
        kit_store.save("relationships.log", row, participant="ada", cohort="leeds")
        panel = kit.follow_up(store=kit_store, participant="ada", cohort="leeds")
        html = "".join(w.value for w in panel.children if "wk-follow-up-before" in w._dom_classes)
        assert "<img" not in html and "&lt;img src=x" in html


class TestBeforeAndAfter:
    def test_change_in_words(self, catalogue):
        ex = catalogue.exercise("week.time-budget")
        assert change_words(ex, BUDGET, {**BUDGET, "Operations": 50, "Change": 30})[:2] == ("Operations: 70% → 50% (-20 points)", "Change: 10% → 30% (+20 points)")
        log = catalogue.exercise("relationships.log")
        before = [{"stakeholder": "a", "status": "Planned"}, {"stakeholder": "b", "status": "Met"}]
        after = [{"stakeholder": "a", "status": "Delivered"}, {"stakeholder": "b", "status": "Delivered"}, {"stakeholder": "c"}]
        assert change_words(log, before, after) == ("Rows: 2 → 3", "Status Delivered: 0 of 2 → 2 of 3")

    def test_plan_shows_both_only_once_the_follow_up_has_answers(self, store):
        store.save("week.time-budget", BUDGET, participant="ada", cohort="leeds")
        assert build_plan(store, "ada", "leeds").follow_up == ()
        store.save("week.time-budget", {**BUDGET, "Operations": 60, "Strategy": 20}, participant="ada", cohort="leeds@follow-up")
        store.save("risk.authority", 7, participant="ada", cohort="leeds@follow-up")
        plan = build_plan(store, "ada", "leeds")
        md, html = plan.to_markdown(), plan.to_html()
        assert "## Before and after: Six to twelve weeks on" in md
        assert "- Operations: 70% → 60% \\(-10 points\\)" in md or "- Operations: 70% → 60% (-10 points)" in md
        assert "answered at the follow-up only" in md and "not answered at the follow-up yet" in md
        assert "<li>Strategy: 10% → 20% (+10 points)</li>" in html
        assert plan.answered == 1, "follow-up answers are not counted as workshop answers"

    def test_another_participant_is_never_mixed_in(self, store):
        store.save("risk.authority", 2, participant="ada", cohort="leeds")
        store.save("risk.authority", 9, participant="ben", cohort="leeds@follow-up")
        pairs = {p.exercise.id: p for p in before_and_after(store, "ada", "leeds")}
        assert pairs["risk.authority"].before == 2 and pairs["risk.authority"].after is None
