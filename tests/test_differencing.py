"""No differencing: two readings of "compare with the cohort" never give away one other person's answer.

The attack from issue 18: read the comparison, let one more person save, press Update,
and subtract (6 × 5.7 − 5 × 5.0 = 9.2: the newcomer chose 9).  It is run here on scale,
pick, budget and grid comparisons, through the widget as a participant would, with and
without the attacker changing their own answer in between; then a long random session
checks the rule itself against the test's own record of everyone's answers: every reading
is the cohort as it really stood at some moment, and two different readings are always
at least MIN_COHORT other people's changes apart.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest
from widget_helpers import *  # noqa: F403
from widget_helpers import make

from workshop_kit.catalogue.model import default_catalogue
from workshop_kit.summaries.compare import cohort_comparison, released
from workshop_kit.privacy import MIN_COHORT, release_step
from workshop_kit.session.identity import Identity
from workshop_kit.views.plan import build_plan

COHORT = "cohort-a"
ATTACKER = Identity("alice", COHORT)


def grid(x: int, y: int) -> list[dict]:
    return [{"name": "Board", "x": x, "y": y, "tag": "National", "bring": "", "expect": ""}]


# exercise -> (the five others' answers, the newcomer's, the attacker's first and second answers)
CASES = {
    "goal.ambition": ([5, 5, 4, 6, 5], 9, 5, 8),
    "brand.seen-today": ([["Approachable", "Friendly", "Strategic"]] * 5, ["Supportive", "Decisive", "Innovative"], ["Approachable", "Strategic", "Decisive"], ["Friendly", "Supportive", "Innovative"]),
    "week.time-budget": (
        [{"Operations": 70, "Change": 10, "Relationships": 10, "Strategy": 10}] * 5,
        {"Operations": 0, "Change": 0, "Relationships": 0, "Strategy": 100},
        {"Operations": 25, "Change": 25, "Relationships": 25, "Strategy": 25},
        {"Operations": 40, "Change": 20, "Relationships": 20, "Strategy": 20},
    ),
    "system.map": ([grid(2, 2)] * 5, grid(9, 9), grid(9, 2), grid(2, 9)),
}


def save(store, exercise_id, answer, who):
    store.save(exercise_id, answer, participant=who, cohort=COHORT)


def fill_controls(widget, answer) -> None:
    """Put an answer on screen, as the participant would, through the widget's own controls."""
    widget.set_answer(answer)
    widget._changed()


@pytest.fixture(params=sorted(CASES))
def case(request, kit_store):
    exercise_id = request.param
    others, newcomer, first, second = CASES[exercise_id]
    for i, answer in enumerate(others):
        save(kit_store, exercise_id, answer, f"other{i}")
    widget = make(exercise_id, kit_store)
    fill_controls(widget, first)
    widget.save_button.click()  # the sixth answer: the first release
    assert widget.saved is not None, widget.status.value
    return kit_store, exercise_id, widget, newcomer, second


class TestTheAttack:
    def test_one_more_save_changes_nothing_seen(self, case):
        """Read, one more person saves, Update: the figures are exactly the same, so there is nothing to subtract."""
        store, exercise_id, widget, newcomer, _ = case
        before = cohort_comparison(store, widget.exercise, ATTACKER, widget.saved.answer)
        shown_before = widget.compare_text.value
        assert before.ready and before.others == MIN_COHORT
        save(store, exercise_id, newcomer, "newcomer")
        widget.compare_button.click()
        after = cohort_comparison(store, widget.exercise, ATTACKER, widget.saved.answer)
        assert after.lines == before.lines
        assert shown_before.split('<p class="wk-help">')[0] == widget.compare_text.value.split('<p class="wk-help">')[0]
        assert "(1 so far)" in widget.compare_text.value  # only that someone's answer is waiting

    def test_save_read_change_read(self, case):
        """The attacker changes their own answer between readings while the newcomer saves: the others' figures stay put."""
        store, exercise_id, widget, newcomer, second = case
        before = cohort_comparison(store, widget.exercise, ATTACKER, second)  # what their new answer will be compared with
        save(store, exercise_id, newcomer, "newcomer")
        fill_controls(widget, second)
        widget.save_button.click()
        assert widget.saved.answer == second
        after = cohort_comparison(store, widget.exercise, ATTACKER, second)
        assert after.lines == before.lines

    def test_the_attacker_cannot_push_a_release(self, case):
        """Four others and the attacker change (five of the six a release needs): still nothing moves."""
        store, exercise_id, widget, newcomer, second = case
        before = cohort_comparison(store, widget.exercise, ATTACKER, second)
        save(store, exercise_id, newcomer, "newcomer")
        for i in range(3):
            save(store, exercise_id, newcomer, f"other{i}")
        for flip in (second, CASES[exercise_id][2], second):  # changing back and forth counts once
            save(store, exercise_id, flip, "alice")
        assert released(store, COHORT, exercise_id, release_step(MIN_COHORT)).pending == 5
        assert cohort_comparison(store, widget.exercise, ATTACKER, second).lines == before.lines

    def test_a_release_mixes_at_least_five_others(self, case):
        """When the figures do move, the newcomer's answer arrives mixed with five other people's changes."""
        store, exercise_id, widget, newcomer, second = case
        first = cohort_comparison(store, widget.exercise, ATTACKER, second)
        save(store, exercise_id, newcomer, "newcomer")
        for i in range(4):
            save(store, exercise_id, newcomer, f"other{i}")
            assert cohort_comparison(store, widget.exercise, ATTACKER, second).lines == first.lines
        save(store, exercise_id, newcomer, "late")  # the sixth change
        moved = cohort_comparison(store, widget.exercise, ATTACKER, second)
        assert moved.lines != first.lines and moved.others == MIN_COHORT + 2


def test_the_issue_numbers(kit_store):
    """The exact reading from the issue: '5 others: average 5.0' stays '5 others: average 5.0' after a 9 is saved."""
    for i, value in enumerate([5, 5, 4, 6, 5]):
        save(kit_store, "goal.ambition", value, f"other{i}")
    save(kit_store, "goal.ambition", 6, "alice")
    ex = default_catalogue().exercise("goal.ambition")
    first = cohort_comparison(kit_store, ex, ATTACKER, 6).lines[0]
    save(kit_store, "goal.ambition", 9, "newcomer")
    second = cohort_comparison(kit_store, ex, ATTACKER, 6).lines[0]
    assert first == second == "5 others in your cohort: average 5.0, median 5. You chose 6: higher than 4, the same as 1 of them."


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_session_against_the_record(kit_store, seed):
    """300 random saves (new answers, changes, re-saves of the same answer) by 14 people.

    After every save the attacker reads.  The test keeps its own record of everyone's
    answer after each save; every reading must equal the others' answers at some recorded
    moment, and whenever the reading changes, the two moments must differ in at least
    MIN_COHORT other people's answers.
    """
    rng = random.Random(seed)
    ex = default_catalogue().exercise("goal.ambition")
    people = ["alice"] + [f"p{i:02d}" for i in range(13)]
    truth: dict[str, int] = {}
    moments: list[dict[str, int]] = [{}]
    last_reading, last_moment = None, None
    changes = 0
    for _ in range(300):
        who = rng.choice(people)
        value = truth.get(who, 5) if rng.random() < 0.2 else rng.randint(1, 10)  # a fifth re-save the same answer
        save(kit_store, "goal.ambition", value, who)
        truth[who] = value
        moments.append({p: v for p, v in truth.items() if p != "alice"})
        if "alice" not in truth:
            continue
        release = released(kit_store, COHORT, "goal.ambition", release_step(MIN_COHORT))
        reading = {p: int(v) for p, v in release.answers.items() if p != "alice"}
        matches = [i for i, m in enumerate(moments) if m == reading]
        assert matches, "a reading that never was the cohort's real state"
        if last_reading is not None and reading != last_reading:
            differ = {p for p in set(reading) | set(last_reading) if reading.get(p) != last_reading.get(p)}
            assert len(differ) >= MIN_COHORT, (last_moment, matches, differ)
            changes += 1
        if reading:
            comparison = cohort_comparison(kit_store, ex, ATTACKER, truth["alice"])
            assert comparison.ready and comparison.others == len(reading)
        last_reading, last_moment = reading, matches[-1]
    assert changes >= 10  # the figures did move, many times, over the session


def test_the_plan_holds_no_cohort_figure(kit_store):
    """The personal plan is built from the participant's own answers only: others saving changes nothing in it."""
    save(kit_store, "goal.ambition", 7, "alice")
    save(kit_store, "goal.statement", "One record for every patient.", "alice")
    day = dt.date(2026, 3, 31)
    before = build_plan(kit_store, "alice", COHORT, today=day)
    for i in range(8):
        save(kit_store, "goal.ambition", 1 + i, f"other{i}")
        save(kit_store, "goal.statement", f"Other goal {i}", f"other{i}")
    assert build_plan(kit_store, "alice", COHORT, today=day) == before


@pytest.mark.parametrize("seed", [4, 5])
def test_a_kept_walk_reads_what_a_fresh_one_does_reading_only_new_rows(kit_store, seed):
    """The projector keeps its walk between polls: after every save (and after people are forgotten, which
    deletes rows) it gives the same release as a walk from the start, and a poll reads only the rows since."""
    from workshop_kit.summaries.compare import ReleaseWalk

    rng = random.Random(seed)
    step = release_step(MIN_COHORT)
    kept = ReleaseWalk(COHORT, "goal.ambition", step)
    read_rows: list[int] = []
    answer_history_since = kit_store.answer_history_since

    def counting(cohort, exercise_id, after_id):
        rows, total = answer_history_since(cohort, exercise_id, after_id)
        read_rows.append(len(rows))
        return rows, total

    kit_store.answer_history_since = counting
    people = [f"p{i:02d}" for i in range(12)]
    for n in range(160):
        save(kit_store, "goal.ambition", rng.randint(1, 10), rng.choice(people))
        if n in (70, 120):  # someone asks to be forgotten: their rows go, and the walk must start again
            kit_store.forget(rng.choice(people), COHORT)
        read_rows.clear()
        mine = kept.read(kit_store)
        walked_now = list(read_rows)
        assert mine == released(kit_store, COHORT, "goal.ambition", step), n
        assert walked_now == [1] or n in (70, 120), (n, walked_now)  # one new row read, not the whole history
