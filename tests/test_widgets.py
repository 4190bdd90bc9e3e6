"""Exercise widgets without a browser: set values, click Save, check the screen and the store."""

from __future__ import annotations

import datetime as dt
import html
import shutil
import sqlite3

import ipywidgets as widgets
import pytest
from widget_helpers import *  # noqa: F403
from widget_helpers import make, seed

import workshop_kit as kit
from workshop_kit import widgets as kit_widgets
from workshop_kit.catalogue.model import Exercise, ScaleExercise, default_catalogue
from workshop_kit.errors import CatalogueError
from workshop_kit.session.identity import Identity
from workshop_kit.store.responses import ResponseStore
from workshop_kit.widgets.base import not_saved_message, saved_message
from workshop_kit.widgets.budget import total_message
from workshop_kit.widgets.grid import draw_grid, summary_html
from workshop_kit.widgets.log import control_value, field_value, rows_message
from workshop_kit.widgets.pick import count_message as pick_count, picks_from, split_answer
from workshop_kit.widgets.scale import ScaleWidget
from workshop_kit.widgets.text import count_message as text_count

ALICE = dict(participant="alice", cohort="cohort-a")


def ex(exercise_id: str) -> Exercise:
    return default_catalogue().exercise(exercise_id)


def rows(store, exercise_id: str) -> list:
    return [r for r in store.all_responses() if r.exercise_id == exercise_id]


def classes(widget) -> set[str]:
    return set(widget._dom_classes)


def walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


# --- the shared frame ---------------------------------------------------------------------------


class TestExerciseFactory:
    def test_public_api(self):
        """kit.exercise is the composition module's: the notebooks' front door."""
        from workshop_kit import kit as front

        assert kit.exercise is front.exercise
        assert "exercise" in kit.__all__

    @pytest.mark.slow
    def test_every_catalogue_exercise(self, kit_store):
        """Every exercise in the catalogue builds the widget of its kind, shows title and prompt, and saves nothing."""
        for e in default_catalogue().exercises:
            w = make(e.id, kit_store)
            assert isinstance(w, kit_widgets.WIDGETS[e.kind])
            assert isinstance(w, widgets.VBox)
            header = next(c for c in w.children if "wk-prompt" in classes(c))
            assert e.prompt.replace("'", "&#x27;").replace('"', "&quot;") in header.value
            assert "wk-exercise" in classes(w)
            assert not w.dirty
            assert "Not saved yet" in w.status.value
        assert kit_store.count() == 0

    def test_default_store_and_identity(self, widget_env, monkeypatch):
        """Without arguments the widget uses WORKSHOP_KIT_STORE and the resolved identity."""
        monkeypatch.setenv("WORKSHOP_KIT_COHORT", "north")
        kit.save_profile("Dana")
        w = kit.exercise("goal.ambition")
        w.sliders[0].value = 8
        w.save_button.click()
        with ResponseStore(widget_env / "answers.sqlite") as store:
            (row,) = store.all_responses()
        assert (row.participant, row.cohort, row.answer) == ("Dana", "north", 8)

    def test_unknown_exercise(self, kit_store):
        """An id not in the catalogue is a plain-English CatalogueError."""
        with pytest.raises(CatalogueError, match="no exercise called 'risk.nope'"):
            make("risk.nope", kit_store)

    def test_catalogue_text_escaped(self, kit_store):
        """Title, prompt and help from the catalogue are escaped before they are shown."""
        e = ScaleExercise(id="x.y", section="risk", title="<b>Bold</b>", prompt="<script>alert(1)</script>", help="a & b", low_label="<i>lo", high_label="hi>")
        w = ScaleWidget(e, identity=Identity("alice", "cohort-a"), store=kit_store)
        html_text = " ".join(c.value for c in walk(w) if isinstance(c, widgets.HTML))
        assert "<script>" not in html_text and "&lt;script&gt;" in html_text
        assert "&lt;b&gt;Bold" in html_text and "a &amp; b" in html_text and "&lt;i&gt;lo" in html_text

    def test_sensitive_says_private(self, kit_store):
        """A sensitive exercise tells the participant that the answer stays private."""
        assert "Private" in make("risk.limits", kit_store).children[1].value
        assert "Private" not in make("goal.statement", kit_store).children[1].value

    def test_css_classes(self, kit_store):
        """The parts carry wk-* classes so tests and styles can find them."""
        w = make("brand.seen-today", kit_store)
        found = set().union(*(classes(c) for c in walk(w)))
        assert {"wk-exercise", "wk-prompt", "wk-save", "wk-status", "wk-unsaved", "wk-compare", "wk-pick-option", "wk-count"} <= found

    def test_every_control_has_a_visible_label(self, kit_store):
        """Every input control has a description (a visible label), not only a tooltip."""
        for exercise_id in ("risk.appetite", "brand.seen-today", "risk.limits", "week.time-budget", "system.map", "relationships.log"):
            w = make(exercise_id, kit_store)
            for c in walk(w):
                if isinstance(c, (widgets.ValueWidget, widgets.Button)) and not isinstance(c, (widgets.HTML, widgets.Image)):
                    assert c.description.strip(), f"{exercise_id}: a {type(c).__name__} has no label"


class TestUnsavedAndSaved:
    def test_unsaved_marker(self, kit_store):
        """A change marks the answer unsaved, in words; a save clears the marker."""
        w = make("goal.ambition", kit_store)
        assert w.unsaved.value == ""
        w.sliders[0].value = 9
        assert w.dirty and "Unsaved changes" in w.unsaved.value
        w.save_button.click()
        assert not w.dirty and w.unsaved.value == ""
        assert "✓ Saved at" in w.status.value

    def test_saved_message_local_time(self):
        """Saved times are shown in local time, with the date when not today."""
        saved = dt.datetime(2026, 3, 3, 14, 2, tzinfo=dt.timezone.utc)
        local = saved.astimezone()
        assert saved_message(saved, now=saved) == f"✓ Saved at {local:%H:%M}"
        later = saved_message(saved, now=saved + dt.timedelta(days=3))
        assert later.startswith(f"✓ Saved on {local.day} ") and local.strftime("%H:%M") in later

    def test_not_saved_message_drops_the_id(self):
        """A refusal reads without the exercise id; a store failure says the answer is kept."""
        e = ex("goal.timeframe")
        assert not_saved_message(e, kit.AnswerError("By when? (goal.timeframe): please choose exactly 1 (you chose 2).")) == (
            "✗ Not saved: Please choose exactly 1 (you chose 2)."
        )
        assert "still here" in not_saved_message(e, kit.StoreError("Could not save to the file x: it is read-only."))

    @pytest.mark.parametrize("typed", ["CEO", "ceo", "iPad rollout", "NHS England"])
    def test_refusal_quotes_the_text_as_typed(self, kit_store, typed):
        """A refusal that names the participant's own words quotes them exactly as typed, case and all."""
        catalogue = kit_store.catalogue
        grid = catalogue.exercise("system.map")
        item = {"name": typed, "x": 5, "y": 5, "tag": grid.tags[0]}
        item.update({f.name: "" if f.type != "number" else None for f in grid.fields})
        with pytest.raises(kit.AnswerError) as caught:
            kit_store.save("system.map", [item, dict(item)], participant="ann", cohort="c1")
        assert f"✗ Not saved: “{typed}” appears twice" in not_saved_message(grid, caught.value)

    def test_second_save_appends(self, kit_store):
        """A second save is a new row; the first stays in the history."""
        w = make("goal.ambition", kit_store)
        w.sliders[0].value = 3
        w.save_button.click()
        w.sliders[0].value = 4
        w.save_button.click()
        assert [r.answer for r in rows(kit_store, "goal.ambition")] == [3, 4]

    def test_reload_shows_saved_answer_and_time(self, kit_store):
        """A fresh widget (a reopened notebook) shows the saved answer, not marked unsaved."""
        kit_store.save("goal.ambition", 2, **ALICE)
        w = make("goal.ambition", kit_store)
        assert w.sliders[0].value == 2 and not w.dirty
        assert "✓ Saved" in w.status.value

    def test_other_people_do_not_load(self, kit_store):
        """Another participant's answer, or one from another cohort, is never loaded."""
        kit_store.save("goal.statement", "Bob's secret goal", participant="bob", cohort="cohort-a")
        kit_store.save("goal.statement", "Alice elsewhere", participant="alice", cohort="cohort-b")
        assert make("goal.statement", kit_store).box.value == ""


class TestFailedSaves:
    def test_folder_removed(self, tmp_path, widget_env):
        """A store whose folder was removed refuses the save, says so, and keeps the entries."""
        folder = tmp_path / "gone"
        folder.mkdir()
        store = ResponseStore(folder / "answers.sqlite")
        w = make("goal.statement", store)
        w.box.value = "Every clinician sees one record"
        store.close()
        shutil.rmtree(folder)
        w.save_button.click()
        assert "✗ Not saved" in w.status.value and "folder" in w.status.value
        assert w.box.value == "Every clinician sees one record"
        assert w.dirty and "Unsaved" in w.unsaved.value
        assert w.compare_box.layout.display == "none"

    @pytest.mark.slow
    def test_locked_database(self, kit_store, monkeypatch):
        """A database locked by another writer refuses the save, keeps the entries, and a retry works."""
        monkeypatch.setattr("workshop_kit.store.responses.BUSY_TIMEOUT_SECONDS", 1)
        store = ResponseStore(kit_store.url)
        w = make("brand.seen-today", store)
        for button in w.options[:2]:
            button.value = True
        w.custom.value = "Resilient"
        blocker = sqlite3.connect(store.url.removeprefix("sqlite:///"), isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")
        try:
            w.save_button.click()
            assert "✗ Not saved" in w.status.value and "busy" in w.status.value
            assert w.get_answer() == ["Approachable", "Friendly", "Resilient"]
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        assert rows(store, "brand.seen-today") == []
        w.save_button.click()
        assert "✓ Saved" in w.status.value
        assert rows(store, "brand.seen-today")[0].answer == ["Approachable", "Friendly", "Resilient"]
        store.close()

    def test_read_only_store(self, kit_store):
        """A read-only store refuses the save in words and keeps the entries."""
        kit_store.save("goal.ambition", 5, participant="bob", cohort="cohort-a")
        path = kit_store.url.removeprefix("sqlite:///")
        with ResponseStore(f"sqlite:///file:{path}?mode=ro&uri=true") as read_only:
            w = make("goal.ambition", read_only)
            w.sliders[0].value = 7
            w.save_button.click()
            assert "✗ Not saved" in w.status.value and "read-only" in w.status.value
            assert w.sliders[0].value == 7 and w.dirty
        assert len(kit_store.all_responses()) == 1

    def test_store_missing_when_shown(self, tmp_path, monkeypatch, widget_env):
        """If the default store cannot be opened the widget still appears, explains, and saves once it can."""
        folder = tmp_path / "not-yet"
        monkeypatch.setenv("WORKSHOP_KIT_STORE", str(folder / "answers.sqlite"))
        w = kit.exercise("goal.ambition", **ALICE)
        assert "could not be loaded" in w.status.value
        w.sliders[0].value = 6
        w.save_button.click()
        assert "✗ Not saved" in w.status.value and w.sliders[0].value == 6
        folder.mkdir()
        w.save_button.click()
        assert "✓ Saved" in w.status.value
        with ResponseStore(folder / "answers.sqlite") as store:
            assert store.latest("goal.ambition", **ALICE).answer == 6

    def test_callback_errors_are_caught(self, callback_errors):
        """The test fixture notices an exception that ipywidgets swallowed in a click callback."""
        button = widgets.Button(description="Boom")
        button.on_click(lambda b: 1 / 0)
        button.click()
        assert len(callback_errors.records) == 1
        callback_errors.records.clear()


class TestCohortComparison:
    def test_hidden_until_saved(self, kit_store):
        """Nothing about the cohort is shown before the participant has saved."""
        seed(kit_store, "goal.ambition", [3, 4, 5, 6, 7])
        w = make("goal.ambition", kit_store)
        assert w.compare_box.layout.display == "none"
        w.save_button.click()
        assert w.compare_box.layout.display is None
        assert "average 5.0" in w.compare_text.value

    def test_too_few_others(self, kit_store):
        """With fewer than min_cohort others it says how many more are needed."""
        seed(kit_store, "goal.ambition", [3, 4])
        w = make("goal.ambition", kit_store)
        w.save_button.click()
        assert "3 more needed" in w.compare_text.value and "average" not in w.compare_text.value
        w = make("goal.ambition", kit_store, min_cohort=2)
        assert "average 3.5" in w.compare_text.value

    def test_update_button(self, kit_store):
        """'Update comparison' reads the cohort's latest answers again."""
        seed(kit_store, "goal.ambition", [3, 4, 5, 6])
        w = make("goal.ambition", kit_store)
        w.save_button.click()
        assert "1 more needed" in w.compare_text.value
        seed(kit_store, "goal.ambition", [9], prefix="late")
        w.compare_button.click()
        assert "average 5.4" in w.compare_text.value

    def test_never_shows_others_text(self, kit_store):
        """Free text, own entries and item names of others never reach the screen."""
        seed(kit_store, "goal.statement", [f"SECRET goal {i}" for i in range(6)])
        seed(kit_store, "brand.seen-today", [["Strategic", "Decisive", f"SECRET{i}"] for i in range(6)])
        grid = [{"name": "SECRET board", "x": 8, "y": 9, "tag": "National", "bring": "SECRET", "expect": ""}]
        seed(kit_store, "system.map", [grid] * 6)
        w = make("goal.statement", kit_store)
        w.box.value = "Mine"
        w.save_button.click()
        p = make("brand.seen-today", kit_store)
        for button in p.options[4:7]:
            button.value = True
        p.save_button.click()
        g = make("system.map", kit_store)
        g.items[0].name.value = "Mine"
        g.save_button.click()
        for widget in (w, p, g):
            assert "SECRET" not in widget.compare_text.value
            assert widget.compare_text.value
        assert "6 others" in w.compare_text.value
        assert "Strategic: also chosen by 6 of the 6 others" in p.compare_text.value
        assert "Manage closely: you 0, others 1.0 on average" in g.compare_text.value

    def test_own_text_escaped_in_comparison(self, kit_store):
        """The participant's own entry is escaped where the comparison repeats it."""
        seed(kit_store, "brand.seen-today", [["Strategic", "Decisive", "Innovative"]] * 5)
        w = make("brand.seen-today", kit_store)
        w.options[0].value = w.options[1].value = True
        w.custom.value = "<b>Bold</b>"
        w.save_button.click()
        assert "&lt;b&gt;Bold&lt;/b&gt;: also chosen by none" in w.compare_text.value


# --- one class per kind -------------------------------------------------------------------------


class TestScale:
    def test_single(self, kit_store):
        """A single scale saves an integer and reloads it."""
        w = make("risk.authority", kit_store)
        assert len(w.sliders) == 1
        ends = next(c for c in walk(w) if "wk-scale-ends" in classes(c)).value
        assert "1 = Very unclear" in ends and "10 = Completely clear" in ends
        w.sliders[0].value = 8
        w.save_button.click()
        assert kit_store.latest("risk.authority", **ALICE).answer == 8
        assert make("risk.authority", kit_store).sliders[0].value == 8

    def test_pair_side_by_side(self, kit_store):
        """A paired scale shows both moments side by side and saves {now, target}."""
        w = make("risk.appetite", kit_store)
        assert [s.description for s in w.sliders] == ["Now", "Needed for the role"]
        row = next(c for c in walk(w) if "wk-scale" in classes(c))
        assert isinstance(row, widgets.HBox) and len(row.children) == 2
        w.sliders[0].value, w.sliders[1].value = 3, 8
        w.save_button.click()
        assert kit_store.latest("risk.appetite", **ALICE).answer == {"now": 3, "target": 8}
        again = make("risk.appetite", kit_store)
        assert [s.value for s in again.sliders] == [3, 8] and not again.dirty


    def test_number_box_is_the_same_value(self, kit_store):
        """The labelled number box beside each slider moves with it, and typing a number there is what gets saved."""
        w = make("risk.authority", kit_store)
        box = next(c for c in walk(w) if "wk-scale-number" in classes(c))
        assert box.description.startswith("Your answer") and (box.min, box.max) == (1, 10)
        w.sliders[0].value = 4
        assert box.value == 4
        box.value = 9
        assert w.sliders[0].value == 9 and w.dirty
        w.save_button.click()
        assert kit_store.latest("risk.authority", **ALICE).answer == 9

    def test_save_in_a_kernel_waits_for_a_held_back_value(self, kit_store):
        """In a kernel (an event loop running), Save waits until the controls are still, so a value the
        browser held back and sent after the click is the one saved; a second click saves nothing more."""
        import asyncio

        from workshop_kit.widgets.base import SETTLE_S

        w = make("risk.authority", kit_store)

        async def participant() -> None:
            w.sliders[0].value = 6
            w.save_button.click()
            assert "Saving" in w.status.value and kit_store.count() == 0
            await asyncio.sleep(0.05)
            w.sliders[0].value = 9  # the slider's last value, arriving after the click
            w.save_button.click()
            while "Saving" in w.status.value:
                await asyncio.sleep(0.02)
            assert [r.answer for r in rows(kit_store, "risk.authority")] == [9]
            assert "Saved" in w.status.value and not w.dirty
            w.sliders[0].value = 3
            await asyncio.sleep(SETTLE_S)
            w.save_button.click()  # still for a while: saved at once
            assert [r.answer for r in rows(kit_store, "risk.authority")] == [9, 3]

        asyncio.run(asyncio.wait_for(participant(), 10))


class TestPick:
    def test_exactly_three(self, kit_store):
        """Four picks are refused (and stay on screen); three are saved and reloaded."""
        w = make("brand.seen-today", kit_store)
        assert "0 of 3 chosen" in w.count.value
        for button in w.options[:4]:
            button.value = True
        assert "✗ 4 of 3 chosen: 1 too many" in w.count.value
        w.save_button.click()
        assert "✗ Not saved: Please choose exactly 3 (you chose 4)." in w.status.value
        assert sum(b.value for b in w.options) == 4 and rows(kit_store, "brand.seen-today") == []
        w.options[0].value = False
        assert "✓ 3 of 3 chosen" in w.count.value
        w.save_button.click()
        assert kit_store.latest("brand.seen-today", **ALICE).answer == ["Friendly", "Technical Expert", "Delivery-focused"]
        again = make("brand.seen-today", kit_store)
        assert [b.value for b in again.options[:4]] == [False, True, True, True]

    def test_own_entry(self, kit_store):
        """An entry of the participant's own counts as a pick and comes back in the box."""
        w = make("brand.seen-today", kit_store)
        w.options[4].value = w.options[10].value = True
        w.custom.value = "  Calm under pressure "
        assert "3 of 3 chosen" in w.count.value
        w.save_button.click()
        assert kit_store.latest("brand.seen-today", **ALICE).answer == ["Strategic", "Politically Astute", "Calm under pressure"]
        assert make("brand.seen-today", kit_store).custom.value == "Calm under pressure"

    def test_no_own_entry_where_not_allowed(self, kit_store):
        """Exercises without allow_custom show no entry box."""
        assert make("iceberg.network", kit_store).custom is None

    def test_none_allowed(self, kit_store):
        """Where min_picks is 0, saving nothing ticked is an answer."""
        w = make("iwe.succession", kit_store)
        assert "0 chosen (up to 3)" in w.count.value and "✓" in w.count.value
        w.save_button.click()
        assert kit_store.latest("iwe.succession", **ALICE).answer == []

    def test_range(self, kit_store):
        """A 1-to-2 pick says how many more are needed."""
        w = make("risk.domains", kit_store)
        assert "✗ 0 chosen (1 to 2): choose 1 more." in w.count.value
        w.save_button.click()
        assert "Not saved" in w.status.value

    def test_keyboard_buttons(self, kit_store):
        """Options are toggle buttons (keyboard-focusable) showing a tick as well as their pressed state."""
        w = make("goal.timeframe", kit_store)
        assert all(isinstance(b, widgets.ToggleButton) for b in w.options)
        w.options[2].value = True
        assert w.options[2].icon == "check"

    def test_plain_functions(self):
        """picks_from, split_answer and count_message."""
        e = ex("brand.seen-today")
        assert picks_from([True, False, True], ("A", "B", "C"), " own ") == ["A", "C", "own"]
        assert split_answer(e, ["strategic", "Mine"]) == ({"Strategic"}, "Mine")
        assert pick_count(e, 2) == "✗ 2 of 3 chosen: choose 1 more."
        assert pick_count(ex("development.needs"), 3) == "✓ 3 chosen (1 to 7)"


class TestText:
    def test_live_count_and_save(self, kit_store):
        """The count follows typing; the saved text is trimmed and reloads."""
        w = make("goal.statement", kit_store)
        assert "0 of 280 characters" in w.count.value
        w.box.value = "  One shared record for every clinician.  "
        assert "38 of 280 characters" in w.count.value
        w.save_button.click()
        assert kit_store.latest("goal.statement", **ALICE).answer == "One shared record for every clinician."
        assert make("goal.statement", kit_store).box.value == "One shared record for every clinician."

    def test_too_long_refused_and_kept(self, kit_store):
        """Text over the limit is refused with the reason; every character stays on screen."""
        w = make("goal.statement", kit_store)
        long_text = "x" * 300
        w.box.value = long_text
        assert "✗ 300 of 280 characters: 20 over the limit" in w.count.value
        w.save_button.click()
        assert "300 characters long; the limit is 280" in w.status.value
        assert w.box.value == long_text and w.dirty
        assert rows(kit_store, "goal.statement") == []

    def test_empty_refused(self, kit_store):
        """An empty answer is refused in words."""
        w = make("goal.statement", kit_store)
        w.save_button.click()
        assert "empty" in w.status.value

    def test_count_message(self):
        """The count ignores outer spaces, as the store does."""
        assert text_count(" ab \r\n", 5) == "2 of 5 characters"
        assert text_count("abcdef", 5) == "✗ 6 of 5 characters: 1 over the limit, please shorten it."


class TestBudget:
    def test_save_only_when_it_adds_up(self, kit_store):
        """Save stays disabled (and a click saves nothing) until the shares add up to 100."""
        w = make("week.time-budget", kit_store)
        assert w.save_button.disabled
        for heading, value in zip(w.shares, (40, 30, 20, 0)):
            w.shares[heading].value = value
        assert w.save_button.disabled and "10% still to share" in w.total.value
        w.save_button.click()
        assert rows(kit_store, "week.time-budget") == []
        assert "Not saved" in w.status.value
        w.shares["Strategy"].value = 10
        assert not w.save_button.disabled and "✓ Total 100%" in w.total.value
        w.save_button.click()
        assert kit_store.latest("week.time-budget", **ALICE).answer == {"Operations": 40, "Change": 30, "Relationships": 20, "Strategy": 10}
        again = make("week.time-budget", kit_store)
        assert again.get_answer()["Operations"] == 40 and not again.save_button.disabled and not again.dirty

    def test_too_much(self, kit_store):
        """More than 100 says how much to take away."""
        w = make("week.time-budget", kit_store)
        w.shares["Operations"].value = 80
        w.shares["Change"].value = 40
        assert "20% too much" in w.total.value and w.save_button.disabled

    def test_decimal_share_counts_as_typed(self, kit_store):
        """A share typed as 12.5 counts as 12.5: a total of 100 reads 100% and Save is enabled; it is stored as typed."""
        w = make("week.time-budget", kit_store)
        for heading, value in zip(w.shares, (12.5, 37.5, 20, 30)):
            w.shares[heading].value = value
        assert "✓ Total 100%" in w.total.value and not w.save_button.disabled
        w.save_button.click()
        assert kit_store.latest("week.time-budget", **ALICE).answer == {"Operations": 12.5, "Change": 37.5, "Relationships": 20, "Strategy": 30}
        w.shares["Operations"].value = 12.555
        assert "at most 2 decimal places" in w.total.value and w.save_button.disabled

    def test_total_message(self):
        """The message names the total and what is left."""
        e = ex("week.time-budget")
        assert total_message(e, {"a": 50, "b": 50}).startswith("✓ Total 100%")
        assert total_message(e, {"a": 50}) == "✗ Total 50%: 50% still to share out before you can save."


class TestGrid:
    def fill(self, w):
        first = w.items[0]
        first.name.value, first.x.value, first.y.value, first.tag.value = "Chief executive", 8, 9, "My organisation"
        first.fields["bring"].value = "A plan"
        second = w.add_button.click() or w.items[-1]
        second.name.value, second.x.value, second.y.value = "Ward clerks", 9, 2
        third = w.add_item()
        third.name.value = "To remove"
        third.remove_button.click()
        return w

    def test_number_boxes_place_an_item(self, kit_store):
        """Each axis has a labelled number box; typing a number there places the item."""
        w = make("system.map", kit_store)
        item = w.items[0]
        assert item.x_number.description.startswith("Interest") and item.y_number.description.startswith("Influence")
        item.name.value = "Medical director"
        item.x_number.value, item.y_number.value = 7, 10
        assert (item.x.value, item.y.value) == (7, 10)
        w.save_button.click()
        assert kit_store.latest("system.map", **ALICE).answer[0]["x"] == 7

    def test_add_place_tag_remove_save_reload(self, kit_store):
        """Items are added, placed, tagged and removed; the saved list reloads into a fresh widget."""
        w = self.fill(make("system.map", kit_store))
        assert len(w.items) == 2
        w.save_button.click()
        saved = kit_store.latest("system.map", **ALICE).answer
        assert saved == [
            {"name": "Chief executive", "x": 8, "y": 9, "tag": "My organisation", "bring": "A plan", "expect": ""},
            {"name": "Ward clerks", "x": 9, "y": 2, "tag": "My team", "bring": "", "expect": ""},
        ]
        again = make("system.map", kit_store)
        assert again.get_answer() == saved and not again.dirty

    def test_live_chart_and_summary(self, kit_store):
        """The chart is redrawn as items move; the summary names Mendelow's quadrants."""
        w = make("system.map", kit_store)
        before = w.chart.value
        assert before.startswith("<svg") and 'role="img"' in before
        w.items[0].name.value = "Board"
        w.items[0].x.value = 9
        assert w.chart.value != before and ">Board</text>" in w.chart.value
        assert "Keep informed</strong> (1): Board" in w.summary.value
        for q in ("Manage closely", "Keep satisfied", "Keep informed", "Monitor"):
            assert q in w.summary.value

    def test_unnamed_item_refused_and_kept(self, kit_store):
        """An item without a name is refused with the field named; the items stay."""
        w = make("system.map", kit_store)
        w.items[0].x.value = 2
        w.save_button.click()
        assert "Stakeholder" in w.status.value and "empty" in w.status.value
        assert w.items[0].x.value == 2 and rows(kit_store, "system.map") == []

    def test_limit(self, kit_store):
        """Add is disabled once the exercise's item limit is reached."""
        w = make("iceberg.horizon", kit_store)
        while not w.add_button.disabled:
            w.add_button.click()
        assert len(w.items) == 15

    def test_names_escaped_in_summary(self):
        """Names typed by the participant are escaped in the summary."""
        e = ex("system.map")
        html_text = summary_html(e, [{"name": "<img src=x onerror=alert(1)>", "x": 1, "y": 1, "tag": "National"}])
        assert "<img" not in html_text and "&lt;img" in html_text
        chart = draw_grid(e, [{"name": "<img src=x onerror=alert(1)>", "x": 1, "y": 1, "tag": "National"}])
        assert "<img" not in chart and "&lt;img" in chart

    def test_other_axes(self):
        """A grid that is not interest × influence shows its own quadrant names from the catalogue."""
        e = ex("iceberg.horizon")
        html_text = summary_html(e, [{"name": "AI", "x": 9, "y": 9, "tag": "Technology"}])
        assert "Plan for it now</strong> (1): AI" in html_text
        chart = draw_grid(e, [{"name": "AI", "x": 9, "y": 9, "tag": "Technology"}])
        assert chart.startswith("<svg") and "Plan for it now" in chart and "<title" in chart


class TestLog:
    def test_add_edit_remove_save_reload(self, kit_store):
        """Rows are added, edited and removed; dates and choices are saved in stored form and reload."""
        w = make("relationships.log", kit_store)
        first = w.rows[0].controls
        first["stakeholder"].value = "Finance director"
        first["planned"].value = dt.date(2026, 4, 1)
        first["status"].value = "Met"
        w.add_button.click()
        w.rows[1].controls["stakeholder"].value = "Gone"
        w.rows[1].remove_button.click()
        w.add_row()
        w.rows[1].controls["stakeholder"].value = "Medical director"
        w.rows[1].controls["deliverable"].value = "Fix the e-prescribing login"
        assert "2 rows (limit 20)" in w.row_count.value
        w.save_button.click()
        saved = kit_store.latest("relationships.log", **ALICE).answer
        assert saved[0] == {"stakeholder": "Finance director", "planned": "2026-04-01", "heard": "", "deliverable": "", "due": "", "status": "Met"}
        assert saved[1]["stakeholder"] == "Medical director" and saved[1]["status"] == ""
        again = make("relationships.log", kit_store)
        assert len(again.rows) == 2 and again.rows[0].controls["planned"].value == dt.date(2026, 4, 1)
        assert again.get_answer() == saved and not again.dirty

    def test_required_field_refused_and_kept(self, kit_store):
        """A row without its required field is refused, naming the field; the row stays."""
        w = make("relationships.log", kit_store)
        w.rows[0].controls["heard"].value = "Budget pressure"
        w.save_button.click()
        assert "Row 1: 'Stakeholder' must be filled in." in html.unescape(w.status.value)
        assert w.rows[0].controls["heard"].value == "Budget pressure"

    def test_field_values(self):
        """Control values become stored values and back, for each field type."""
        from workshop_kit.catalogue.model import Field

        number = Field(name="n", label="N", type="number", min=0, max=9)
        date = Field(name="d", label="D", type="date")
        choice = Field(name="c", label="C", type="choice", choices=("A", "B"))
        assert field_value(number, " 7 ") == 7 and field_value(number, "") is None and field_value(number, "seven") == "seven"
        assert field_value(date, dt.date(2026, 1, 2)) == "2026-01-02" and field_value(date, None) == ""
        assert control_value(date, "2026-01-02") == dt.date(2026, 1, 2) and control_value(date, "nonsense") is None
        assert control_value(choice, "Z") == "" and control_value(number, 3) == "3"
        assert rows_message(20, 20).endswith("remove one to add another.")


class TestRangeSlider:
    def test_value_kept_within_the_ends(self):
        """The slider's value is set after its ends, and a value past an end is held at it."""
        from workshop_kit.widgets.slider import RangeSlider

        slider = RangeSlider(value=50, min=0, max=100, description="Share")
        assert slider.value == 50
        slider.value = 140
        assert slider.value == 100

    def test_label_names_the_native_range_input(self):
        """The front end draws a native range input inside a label holding the description (its accessible name)."""
        from workshop_kit.widgets.slider import RangeSlider

        slider = RangeSlider(description="Interest:", style={"description_width": "10em"}, continuous_update=False)
        assert slider.description_width == "10em"
        assert 'input.type = "range"' in slider._esm and "label.append(text, input)" in slider._esm

    def test_scales_and_grids_use_it(self, kit_store):
        """Scale and grid exercises draw the labelled slider, linked to the number box beside it."""
        from workshop_kit.widgets.slider import RangeSlider

        scale = make("risk.appetite", kit_store)
        assert all(isinstance(s, RangeSlider) for s in scale.sliders)
        scale.sliders[0].value = 7
        number = [w for w in scale.children[2].children[0].children if "wk-scale-number" in w._dom_classes][0]
        assert number.value == 7
        grid = make("system.map", kit_store)
        assert isinstance(grid.items[0].x, RangeSlider)
