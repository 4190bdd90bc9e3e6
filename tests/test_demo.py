"""The demo cohort: valid, varied answers to every exercise, reproducible by seed, written in bulk."""

from __future__ import annotations

import pytest

from workshop_kit.catalogue.answers import validate_answer
from workshop_kit.catalogue.model import default_catalogue
from workshop_kit.store.demo import demo_rows, make_demo_cohort, participant_names
from workshop_kit.store.responses import ResponseStore

CAT = default_catalogue()


class TestDemoRows:
    def test_every_answer_valid(self):
        """Every generated answer passes the same checks as a participant's save, unchanged."""
        for r in demo_rows(40, "demo", seed=1):
            assert validate_answer(CAT.exercise(r.exercise_id), r.answer) == r.answer, r.exercise_id

    def test_every_exercise_answered_and_varied(self):
        """Every exercise in the catalogue gets answers, and they are not all the same."""
        rows = demo_rows(30, "demo", seed=2)
        for ex in CAT.exercises:
            answers = [repr(r.answer) for r in rows if r.exercise_id == ex.id]
            assert len(answers) >= 15, ex.id
            assert len(set(answers)) > 1, ex.id

    def test_same_seed_same_rows(self):
        """The same seed gives the same participants, answers and row ids."""
        a, b = demo_rows(5, "demo", seed=9), demo_rows(5, "demo", seed=9)
        assert [(r.uid, r.participant, r.answer) for r in a] == [(r.uid, r.participant, r.answer) for r in b]
        assert [r.uid for r in demo_rows(5, "demo", seed=10)] != [r.uid for r in a]

    def test_names_distinct(self):
        """Participant names stay distinct well beyond the first-and-last-name combinations."""
        names = participant_names(5000)
        assert len(set(names)) == 5000 and all(len(n) <= 64 for n in names)


class TestMakeDemoCohort:
    def test_fills_the_store_once(self):
        """The demo lands in WORKSHOP_KIT_STORE; running it again with the same seed adds nothing."""
        added = make_demo_cohort(participants=10, cohort="rehearsal", seed=3)
        with ResponseStore() as store:
            assert store.count("rehearsal") == added > 0
            assert len(store.participants("rehearsal")) == 10
            assert make_demo_cohort(store, participants=10, cohort="rehearsal", seed=3) == 0

    @pytest.mark.slow
    def test_report_shows_the_closing_feedback(self, tmp_path):
        """A demo cohort's report has a Closing feedback part with the rating's mean and the minute cards."""
        import re

        from workshop_kit.views.report import cohort_report

        with ResponseStore(tmp_path / "demo.sqlite") as store:
            make_demo_cohort(store, participants=12, cohort="demo", seed=5)
            html = cohort_report(store, "demo", tmp_path / "report").html.read_text(encoding="utf-8")
        part = html.split('<section id="closing-feedback">', 1)[1]
        assert re.search(r"Average rating: <strong>[1-5]\.\d</strong> out of 5", part)
        cards = re.findall(r"<li>([^<]*)</li>", part)
        assert len(cards) >= 6 and not any("board expects" in c for c in cards)  # feedback-like words, not the generic filler
