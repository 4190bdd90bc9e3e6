"""Tests for workshop_kit.catalogue.answers: each kind's stored form, and plain-English refusals."""

from __future__ import annotations

import datetime as dt

import pytest

from workshop_kit.catalogue.answers import validate_answer
from workshop_kit.catalogue.model import Catalogue
from workshop_kit.errors import AnswerError


def refuse(catalogue: Catalogue, exercise_id: str, answer: object) -> str:
    """The message validate_answer gives for a bad answer (it must name the exercise)."""
    exercise = catalogue.exercise(exercise_id)
    with pytest.raises(AnswerError) as caught:
        validate_answer(exercise, answer)
    message = str(caught.value)
    assert message.startswith(f"{exercise.title} ({exercise_id}): "), message
    return message


class TestScale:
    def test_whole_number_in_range(self, catalogue: Catalogue) -> None:
        """A single scale stores an integer; an integral float is accepted as that integer."""
        exercise = catalogue.exercise("brand.value")
        assert validate_answer(exercise, 1) == 1
        assert validate_answer(exercise, 10) == 10
        stored = validate_answer(exercise, 7.0)
        assert stored == 7 and type(stored) is int

    @pytest.mark.parametrize("answer", [0, 11, -3])
    def test_out_of_range(self, catalogue: Catalogue, answer: int) -> None:
        """A value outside the scale is refused, saying the range and what arrived."""
        message = refuse(catalogue, "brand.value", answer)
        assert f"must be a whole number from 1 to 10 (got {answer})" in message

    @pytest.mark.parametrize("answer", [True, 7.5, float("nan"), float("inf"), "7", None])
    def test_not_a_whole_number(self, catalogue: Catalogue, answer: object) -> None:
        """Booleans, fractions, NaN, infinity, text and None are not scale answers."""
        assert "must be a whole number from 1 to 10" in refuse(catalogue, "brand.value", answer)

    def test_paired_scale(self, catalogue: Catalogue) -> None:
        """A paired scale stores {'now', 'target'}, each checked against the scale."""
        exercise = catalogue.exercise("risk.appetite")
        assert validate_answer(exercise, {"now": 3, "target": 8}) == {"now": 3, "target": 8}
        assert "'Needed for the role' must be a whole number from 1 to 10 (got 12)" in refuse(
            catalogue, "risk.appetite", {"now": 3, "target": 12}
        )

    @pytest.mark.parametrize("answer", [5, {"now": 3}, {"now": 3, "target": 4, "extra": 1}])
    def test_paired_scale_needs_both_values(self, catalogue: Catalogue, answer: object) -> None:
        """A paired scale without exactly its two values is refused, naming the two moments."""
        assert "needs two values, 'Now' and 'Needed for the role'" in refuse(catalogue, "risk.appetite", answer)


class TestPick:
    def test_exact_count(self, catalogue: Catalogue) -> None:
        """Three brand attributes are stored as a list, with option spelling restored."""
        exercise = catalogue.exercise("brand.seen-today")
        assert validate_answer(exercise, ["strategic", " Decisive ", "People Skills"]) == ["Strategic", "Decisive", "People Skills"]

    @pytest.mark.parametrize("answer", [["Strategic", "Decisive"], ["Strategic", "Decisive", "Friendly", "Supportive"], []])
    def test_wrong_count(self, catalogue: Catalogue, answer: list[str]) -> None:
        """Picking other than exactly three is refused, saying how many are needed and how many came."""
        assert f"please choose exactly 3 (you chose {len(answer)})" in refuse(catalogue, "brand.seen-today", answer)

    def test_range_of_counts(self, catalogue: Catalogue) -> None:
        """An exercise allowing 1 to 2 picks says so when given three."""
        options = list(catalogue.exercise("risk.domains").options[:3])
        assert "please choose between 1 and 2 (you chose 3)" in refuse(catalogue, "risk.domains", options)

    def test_duplicate_picks(self, catalogue: Catalogue) -> None:
        """The same option twice (in any letter case) is refused."""
        message = refuse(catalogue, "brand.seen-today", ["Strategic", "strategic", "Decisive"])
        assert "chosen more than once" in message

    def test_own_choice(self, catalogue: Catalogue) -> None:
        """One choice of the participant's own is allowed where the exercise says so."""
        exercise = catalogue.exercise("brand.seen-today")
        assert validate_answer(exercise, ["Strategic", "Decisive", "Resilient"]) == ["Strategic", "Decisive", "Resilient"]

    def test_two_own_choices(self, catalogue: Catalogue) -> None:
        """Two choices of one's own are refused."""
        assert "only one choice of your own" in refuse(catalogue, "brand.seen-today", ["Strategic", "Resilient", "Curious"])

    def test_own_choice_where_not_allowed(self, catalogue: Catalogue) -> None:
        """A choice not in the list is refused where own choices are not allowed."""
        assert "“Golf club” is not one of the options" in refuse(catalogue, "iceberg.network", ["Golf club"])

    def test_own_choice_too_long(self, catalogue: Catalogue) -> None:
        """An own choice longer than its limit is refused, saying the limit."""
        assert "the limit is 40" in refuse(catalogue, "brand.seen-today", ["Strategic", "Decisive", "x" * 41])

    @pytest.mark.parametrize("answer", ["Strategic", None, {"a": 1}])
    def test_not_a_list(self, catalogue: Catalogue, answer: object) -> None:
        """An answer that is not a list of choices is refused."""
        assert "must be a list of choices" in refuse(catalogue, "brand.seen-today", answer)

    def test_none_is_allowed_where_minimum_is_zero(self, catalogue: Catalogue) -> None:
        """An exercise whose minimum is zero accepts an empty list."""
        assert validate_answer(catalogue.exercise("iwe.succession"), []) == []


class TestText:
    def test_clean_text(self, catalogue: Catalogue) -> None:
        """Text is stored with surrounding white space removed and Windows line endings made plain."""
        exercise = catalogue.exercise("goal.statement")
        assert validate_answer(exercise, "  One shared record.\r\nFor everyone.  ") == "One shared record.\nFor everyone."

    @pytest.mark.parametrize("answer", ["", "   \n\t "])
    def test_empty(self, catalogue: Catalogue, answer: str) -> None:
        """Empty or blank text is refused with a request to write something."""
        assert "is empty; please write something" in refuse(catalogue, "goal.statement", answer)

    def test_too_long(self, catalogue: Catalogue) -> None:
        """Text over the limit is refused, giving its length and the limit."""
        assert "is 281 characters long; the limit is 280" in refuse(catalogue, "goal.statement", "a" * 281)

    def test_at_the_limit(self, catalogue: Catalogue) -> None:
        """Text exactly at the limit is accepted."""
        assert validate_answer(catalogue.exercise("goal.statement"), "a" * 280) == "a" * 280

    def test_control_characters(self, catalogue: Catalogue) -> None:
        """Invisible control characters are refused."""
        assert "invisible control characters" in refuse(catalogue, "goal.statement", "hello\x00world")

    def test_not_text(self, catalogue: Catalogue) -> None:
        """A number is not a text answer."""
        assert "must be text" in refuse(catalogue, "goal.statement", 42)


class TestBudget:
    GOOD = {"Operations": 40, "Change": 30, "Relationships": 20, "Strategy": 10}

    def test_adds_up(self, catalogue: Catalogue) -> None:
        """Shares adding up to 100 are stored for every heading."""
        assert validate_answer(catalogue.exercise("week.time-budget"), dict(self.GOOD)) == self.GOOD

    def test_not_adding_up(self, catalogue: Catalogue) -> None:
        """Shares adding up to other than 100 are refused, saying the sum."""
        answer = {**self.GOOD, "Strategy": 20}
        assert "the shares add up to 110; they must add up to exactly 100" in refuse(catalogue, "week.time-budget", answer)

    def test_missing_heading(self, catalogue: Catalogue) -> None:
        """A missing heading is named."""
        answer = {k: v for k, v in self.GOOD.items() if k != "Strategy"}
        assert "a share is missing for Strategy" in refuse(catalogue, "week.time-budget", answer)

    def test_unknown_heading(self, catalogue: Catalogue) -> None:
        """A heading not in the exercise is named."""
        assert "“Golf” is not one of the headings" in refuse(catalogue, "week.time-budget", {**self.GOOD, "Golf": 0})

    def test_negative_share(self, catalogue: Catalogue) -> None:
        """A negative share is refused even if the sum is 100."""
        answer = {"Operations": 110, "Change": -10, "Relationships": 0, "Strategy": 0}
        assert "must be a number from 0 to 100" in refuse(catalogue, "week.time-budget", answer)

    def test_decimal_shares_add_exactly(self, catalogue: Catalogue) -> None:
        """Shares with decimals count as typed and add exactly (12.5 is not 12; 33.33 + 33.33 + 33.34 is 100)."""
        ex = catalogue.exercise("week.time-budget")
        answer = {"Operations": 12.5, "Change": 37.5, "Relationships": 20.0, "Strategy": 30}
        assert validate_answer(ex, answer) == {"Operations": 12.5, "Change": 37.5, "Relationships": 20, "Strategy": 30}
        thirds = {"Operations": 33.33, "Change": 33.33, "Relationships": 33.34, "Strategy": 0}
        assert validate_answer(ex, thirds) == thirds
        assert "add up to 99.5" in refuse(catalogue, "week.time-budget", {**answer, "Operations": 12})

    def test_more_than_two_decimal_places(self, catalogue: Catalogue) -> None:
        """A share with more than two decimal places is refused, asking for it to be rounded."""
        answer = {"Operations": 33.333, "Change": 33.333, "Relationships": 33.334, "Strategy": 0}
        assert "more than 2 decimal places (got 33.333); please round it" in refuse(catalogue, "week.time-budget", answer)


class TestGrid:
    ITEM = {"name": "Chief nurse", "x": 8, "y": 9, "tag": "My organisation"}

    def test_items(self, catalogue: Catalogue) -> None:
        """Grid items are stored with their position, tag and (empty) extra fields."""
        stored = validate_answer(catalogue.exercise("system.map"), [dict(self.ITEM, bring="Shared record")])
        assert stored == [{"name": "Chief nurse", "x": 8, "y": 9, "tag": "My organisation", "bring": "Shared record", "expect": ""}]

    def test_off_the_grid(self, catalogue: Catalogue) -> None:
        """A position off the grid is refused, naming the item and the axis."""
        message = refuse(catalogue, "system.map", [dict(self.ITEM, x=11)])
        assert "item 1 (Chief nurse)" in message and "from 1 to 10 (got 11)" in message

    def test_unknown_tag(self, catalogue: Catalogue) -> None:
        """A tag not in the list is refused."""
        assert "must be one of" in refuse(catalogue, "system.map", [dict(self.ITEM, tag="Mars")])

    def test_same_item_twice(self, catalogue: Catalogue) -> None:
        """The same item placed twice is refused."""
        assert "appears twice" in refuse(catalogue, "system.map", [self.ITEM, dict(self.ITEM, name="chief nurse")])

    def test_unexpected_field(self, catalogue: Catalogue) -> None:
        """An item with an unknown entry is refused, naming it."""
        assert "unexpected entries: colour" in refuse(catalogue, "system.map", [dict(self.ITEM, colour="red")])

    def test_empty_grid(self, catalogue: Catalogue) -> None:
        """An empty grid is refused with a request to add an item."""
        assert "add at least one item" in refuse(catalogue, "system.map", [])

    def test_too_many_items(self, catalogue: Catalogue) -> None:
        """More items than the limit are refused."""
        items = [dict(self.ITEM, name=f"Person {i}") for i in range(16)]
        assert "has 16 items; the limit is 15" in refuse(catalogue, "iceberg.horizon", [dict(i, tag="Policy") for i in items])


class TestLog:
    def test_rows(self, catalogue: Catalogue) -> None:
        """Log rows are stored with every field; dates become ISO text; empty optional fields stay empty."""
        stored = validate_answer(
            catalogue.exercise("relationships.log"),
            [{"stakeholder": "Finance director", "planned": dt.date(2026, 3, 2), "due": "2026-04-01", "status": "Planned"}],
        )
        assert stored == [
            {"stakeholder": "Finance director", "planned": "2026-03-02", "heard": "", "deliverable": "", "due": "2026-04-01", "status": "Planned"}
        ]

    def test_required_field(self, catalogue: Catalogue) -> None:
        """A row without its required field is refused, naming the row and the field."""
        assert "row 1: 'Stakeholder' must be filled in" in refuse(catalogue, "relationships.log", [{"heard": "Budget pressure"}])

    def test_bad_date(self, catalogue: Catalogue) -> None:
        """A date that is not a date is refused with an example of the right form."""
        message = refuse(catalogue, "relationships.log", [{"stakeholder": "CEO", "due": "next Tuesday"}])
        assert "must be a date like 2026-03-31" in message

    def test_bad_choice(self, catalogue: Catalogue) -> None:
        """A status outside its choices is refused, listing them."""
        assert "must be one of" in refuse(catalogue, "relationships.log", [{"stakeholder": "CEO", "status": "Maybe"}])

    def test_not_rows(self, catalogue: Catalogue) -> None:
        """A log that is not a list of rows is refused."""
        assert "must be a list of rows" in refuse(catalogue, "relationships.log", "CEO")
