"""The welcome notebook's widgets: name and cohort form, and the progress table."""

from __future__ import annotations

import json
import logging

import pytest

from workshop_kit.catalogue.model import default_catalogue
from workshop_kit.session.identity import current_identity, load_profile
from workshop_kit.store.responses import ResponseStore
from workshop_kit.pages.welcome import progress, progress_html, welcome


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKSHOP_KIT_PROFILE", str(tmp_path / "profile.json"))
    monkeypatch.setenv("WORKSHOP_KIT_STORE", str(tmp_path / "answers.sqlite"))
    monkeypatch.delenv("WORKSHOP_KIT_COHORT", raising=False)
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)


@pytest.fixture
def callback_errors(caplog):
    """ipywidgets only logs exceptions raised in callbacks; collect them so a test can fail on them."""
    caplog.set_level(logging.WARNING)
    yield lambda: [r for r in caplog.records if "Exception in callback" in r.getMessage() or r.exc_info]


class TestWelcome:
    def test_nothing_saved_on_load(self, tmp_path):
        """Showing the form writes no profile and no store."""
        w = welcome()
        assert not (tmp_path / "profile.json").exists()
        assert not (tmp_path / "answers.sqlite").exists()
        assert "Type your name and cohort" in w.status.value

    def test_save(self, tmp_path, callback_errors):
        """Save keeps the names in the profile, and the identity follows them."""
        w = welcome()
        w.name.value = "  Sam   Patel "
        w.cohort.value = "north-2026"
        w.save_button.click()
        assert not callback_errors()
        assert load_profile() == {"participant": "Sam Patel", "cohort": "north-2026"}
        who = current_identity()
        assert (who.participant, who.cohort) == ("Sam Patel", "north-2026")
        assert "Saved." in w.status.value
        assert w.name.value == "Sam Patel"

    def test_prefilled_from_profile(self, tmp_path):
        """A returning participant sees the names saved last time."""
        (tmp_path / "profile.json").write_text(json.dumps({"participant": "Sam", "cohort": "c1"}))
        w = welcome()
        assert (w.name.value, w.cohort.value) == ("Sam", "c1")

    @pytest.mark.parametrize(
        ("name", "cohort", "message"),
        [
            ("", "c1", "participant name is empty"),
            ("Sam", "   ", "cohort name is empty"),
            ("<script>", "c1", "can use letters, numbers"),
            ("x" * 65, "c1", "the limit is 64"),
        ],
    )
    def test_refused_in_plain_english(self, tmp_path, callback_errors, name, cohort, message):
        """A bad name is refused with a plain-English message, escaped, and nothing is saved."""
        w = welcome()
        w.name.value, w.cohort.value = name, cohort
        w.save_button.click()
        assert not callback_errors()
        assert "Not saved." in w.status.value
        assert message in w.status.value.replace("&#x27;", "'")
        assert "<script>" not in w.status.value
        assert not (tmp_path / "profile.json").exists()

    def test_facilitator_cohort(self, monkeypatch):
        """When the facilitator sets the cohort, the box shows it and cannot be edited."""
        monkeypatch.setenv("WORKSHOP_KIT_COHORT", "room-a")
        w = welcome()
        assert w.cohort.disabled and w.cohort.value == "room-a"
        assert "facilitator has set the cohort" in w.notes.value
        w.name.value = "Sam"
        w.save_button.click()
        assert load_profile() == {"participant": "Sam"}

    def test_hub_user(self, monkeypatch):
        """Signed in through JupyterHub, the name comes from the sign-in."""
        monkeypatch.setenv("JUPYTERHUB_USER", "spatel")
        w = welcome()
        assert w.name.disabled and w.name.value == "spatel"


class TestProgress:
    def test_html_marks_in_words(self):
        """Saved exercises read '✓ saved', the rest 'not yet', and the caption says where to pick up."""
        catalogue = default_catalogue()
        first = catalogue.exercises_in("managing-to-leading")
        page = progress_html(catalogue, {e.id for e in first})
        assert page.count("✓ saved") == len(first)
        assert page.count("not yet") == len(catalogue.exercises) - len(first)
        assert "Pick up at notebook 02: Risk" in page
        assert f"{len(first)} of {len(first)}" in page

    def test_nothing_saved(self):
        """With no answers the table says to start at notebook 01."""
        assert "start with notebook 01" in progress_html(default_catalogue(), set())

    def test_all_saved(self):
        """With everything saved it points to the development plan."""
        catalogue = default_catalogue()
        assert "notebook 11" in progress_html(catalogue, {e.id for e in catalogue.exercises})

    def test_widget_reads_the_store(self, tmp_path, callback_errors):
        """The widget shows the participant's saved answers and refreshes on request, without writing."""
        store = ResponseStore(tmp_path / "answers.sqlite")
        w = progress(store, participant="Sam", cohort="c1")
        assert not (tmp_path / "answers.sqlite").exists()
        store.save("risk.appetite", {"now": 2, "target": 6}, participant="Sam", cohort="c1")
        store.save("risk.appetite", {"now": 2, "target": 6}, participant="Alex", cohort="c1")
        w.refresh_button.click()
        assert not callback_errors()
        assert w.table.value.count("✓ saved") == 1
        assert store.count() == 2

    def test_escaped(self, tmp_path):
        """Section and exercise titles are escaped (a facilitator's own catalogue might contain markup)."""
        catalogue = default_catalogue()
        import dataclasses

        section = dataclasses.replace(catalogue.sections[0], title="<i>x</i>")
        hostile = dataclasses.replace(catalogue, sections=(section, *catalogue.sections[1:]))
        assert "<i>x</i>" not in progress_html(hostile, set())


class TestRoom:
    def test_progress_without_personal_link(self, monkeypatch, callback_errors):
        """In a room, the welcome page's progress table asks for the personal link instead of showing an error."""
        monkeypatch.setenv("WORKSHOP_KIT_ROOM", "1")
        w = progress()
        assert "once you are using your personal link" in w.heading.value
        assert w.table.value == ""

    def test_progress_with_personal_link(self, monkeypatch, tmp_path):
        """With a valid personal link, progress is headed with the display name, not the answer key."""
        from workshop_kit.session import room
        from workshop_kit.store.responses import default_store

        monkeypatch.setenv("WORKSHOP_KIT_ROOM", "1")
        person = room.issue_code("Sam Patel", cohort="room-a")
        monkeypatch.setenv("QUERY_STRING", f"code={person.code}")
        monkeypatch.setenv("WORKSHOP_KIT_COHORT", "room-a")
        from workshop_kit.kit import current_identity

        who = current_identity(store=default_store())
        default_store().save("goal.ambition", 7, participant=who.participant, cohort=who.cohort)
        w = progress()
        assert "Sam Patel" in w.heading.value and person.participant not in w.heading.value
        assert w.table.value.count("✓ saved") == 1


class TestStudyPages:
    def test_study_pages_name_where_the_cohort_came_from(self, tmp_path, monkeypatch):
        """On `workshop-kit study` pages the fixed cohort is said to be chosen at start-up, never by a facilitator."""
        monkeypatch.setenv("WORKSHOP_KIT_PROFILE", str(tmp_path / "profile.json"))
        monkeypatch.setenv("WORKSHOP_KIT_COHORT", "self-study")
        monkeypatch.setenv("WORKSHOP_KIT_STUDY", "1")
        monkeypatch.delenv("WORKSHOP_KIT_ROOM", raising=False)
        form = welcome()
        shown = form.status.value + form.notes.value
        assert "facilitator" not in shown and "chosen when these pages were started" in shown
        assert "workshop-kit study --cohort NAME" in shown and "Type your name, then press" in shown

    def test_next_unanswered_exercise_is_linked(self, tmp_path):
        """The progress table names the next unanswered exercise and links to its notebook (or, with a personal code, its page)."""
        from workshop_kit.catalogue.model import default_catalogue

        catalogue = default_catalogue()
        first = catalogue.exercises_in(catalogue.sections[0].id)
        page = progress_html(catalogue, {first[0].id})
        assert 'href="01-managing-to-leading.ipynb"' in page and first[1].title in page
        linked = progress_html(catalogue, {e.id for e in first}, href=lambda name, exercise: f"?code=C&page={name}&exercise={exercise}")
        second = catalogue.exercises_in(catalogue.sections[1].id)[0]
        assert f'href="?code=C&amp;page=02-risk.ipynb&amp;exercise={second.id}"' in linked


def test_page_href_keeps_the_personal_code_and_names_the_exercise():
    """On a page opened with a personal code the link keeps it and names the exercise to land on; in JupyterLab it is the notebook file."""
    from workshop_kit.pages.welcome import page_href

    assert page_href("02-risk.ipynb", "risk.appetite", "code=ABC&token=T") == "?code=ABC&page=02-risk.ipynb&exercise=risk.appetite"
    assert page_href("02-risk.ipynb", None, "code=ABC") == "?code=ABC&page=02-risk.ipynb"
    assert page_href("02-risk.ipynb", "risk.appetite", "") == "02-risk.ipynb"
