"""Tests for workshop_kit.session.room: personal codes in a room served by Voilà, and the identity they give."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import text

from workshop_kit.pages import room_panel
from workshop_kit.session import room
from workshop_kit.errors import IdentityError
from workshop_kit.kit import current_identity
from workshop_kit.session.identity import resolve_participant
from workshop_kit.store.responses import ResponseStore, people


@pytest.fixture
def in_room(monkeypatch: pytest.MonkeyPatch) -> None:
    """Room mode for cohort Leeds, as `workshop-kit serve` sets it."""
    monkeypatch.setenv("WORKSHOP_KIT_ROOM", "1")
    monkeypatch.setenv("WORKSHOP_KIT_COHORT", "Leeds")
    room._known.clear()


def open_page(monkeypatch: pytest.MonkeyPatch, code: str | None) -> None:
    """Pretend Voilà opened this kernel for a page whose link carries code."""
    monkeypatch.setenv("QUERY_STRING", "" if code is None else f"code={code}")


def write_notebook(path: Path, heading: str | None) -> None:
    cells = [{"cell_type": "markdown", "metadata": {}, "source": [f"# {heading}\n", "Some text."]}] if heading else []
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}), encoding="utf-8")


class TestCodes:
    def test_code_is_unguessable(self, store: ResponseStore, in_room: None) -> None:
        """Issued codes carry at least 96 bits of randomness and are never repeated."""
        codes = {room.issue_code("Sam", store=store).code for _ in range(50)}
        assert len(codes) == 50
        assert all(re.fullmatch(r"[A-Za-z0-9_-]{22,}", c) for c in codes)  # 22 url-safe characters = 132 bits

    def test_issued_code_is_recorded(self, store: ResponseStore, in_room: None) -> None:
        """An issued code is kept in the people table with its cohort, name and answer key."""
        person = room.issue_code("  Sam   Patel ", store=store)
        with store.engine.connect() as conn:
            row = conn.execute(people.select()).mappings().one()
        assert (row["cohort"], row["code"], row["display_name"]) == ("Leeds", person.code, "Sam Patel")
        assert row["participant"] == room.participant_key(person.code) == person.participant
        assert person.code not in person.participant

    def test_unknown_and_malformed_codes_are_refused(self, store: ResponseStore, in_room: None) -> None:
        """A code this store did not issue, or one of the wrong shape, finds nobody."""
        room.issue_code("Sam", store=store)
        assert room.find_person(room.new_code(), store=store) is None
        assert room.find_person("Sam", store=store) is None
        assert room.find_person("'; DROP TABLE people; --", store=store) is None
        assert room.find_person(None, store=store) is None

    def test_code_from_another_cohort_is_refused(self, store: ResponseStore, in_room: None, monkeypatch: pytest.MonkeyPatch) -> None:
        """A code issued in one cohort does not open a page of another cohort."""
        person = room.issue_code("Sam", store=store)
        monkeypatch.setenv("WORKSHOP_KIT_COHORT", "York")
        assert room.find_person(person.code, store=store) is None

    def test_invalid_name_is_refused_and_nothing_written(self, store: ResponseStore, in_room: None) -> None:
        """A name the kit cannot accept is refused with a plain message and no code is issued."""
        with pytest.raises(IdentityError, match="empty"):
            room.issue_code("   ", store=store)
        assert room.display_names("Leeds", store=store) == {}

    def test_display_names_for_the_dashboard(self, store: ResponseStore, in_room: None) -> None:
        """display_names maps each answer key of a cohort to the name the participant typed."""
        a = room.issue_code("Sam", store=store)
        b = room.issue_code("Sam", store=store)
        assert room.display_names("Leeds", store=store) == {a.participant: "Sam", b.participant: "Sam"}
        assert room.display_names("York", store=store) == {}

    def test_find_codes_for_a_lost_link(self, store: ResponseStore, in_room: None) -> None:
        """find_codes lists the codes issued under a name, newest first, ignoring case and spaces."""
        old = room.issue_code("Sam Patel", store=store)
        new = room.issue_code("sam patel", store=store)
        assert [p.code for p in room.find_codes("SAM  PATEL", "Leeds", store=store)] == [new.code, old.code]


class TestIdentityInARoom:
    def test_code_in_link_gives_the_participant(self, store: ResponseStore, in_room: None, monkeypatch: pytest.MonkeyPatch) -> None:
        """In a room the participant is the key of the code in the page's link."""
        person = room.issue_code("Sam", store=store)
        open_page(monkeypatch, person.code)
        who = current_identity(store=store)
        assert (who.participant, who.participant_source, who.cohort) == (person.participant, "personal link", "Leeds")

    def test_no_code_is_refused_in_plain_english(self, store: ResponseStore, in_room: None, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without a code in the link the page is told to use the personal link, not saved as someone."""
        open_page(monkeypatch, None)
        with pytest.raises(room.RoomCodeError, match="open your personal link from the welcome page"):
            current_identity(store=store)

    def test_guessed_code_is_refused(self, store: ResponseStore, in_room: None, monkeypatch: pytest.MonkeyPatch) -> None:
        """A well-formed code the store never issued opens nobody's answers."""
        room.issue_code("Sam", store=store)
        open_page(monkeypatch, room.new_code())
        with pytest.raises(room.RoomCodeError, match="not one this workshop gave out"):
            current_identity(store=store)

    def test_saved_profile_and_os_user_are_ignored(self, store: ResponseStore, in_room: None, monkeypatch: pytest.MonkeyPatch) -> None:
        """A profile saved on the shared login never decides who a room participant is."""
        from workshop_kit.session.identity import save_profile

        monkeypatch.delenv("WORKSHOP_KIT_ROOM")
        save_profile(participant="Facilitator")
        monkeypatch.setenv("WORKSHOP_KIT_ROOM", "1")
        open_page(monkeypatch, None)
        with pytest.raises(room.RoomCodeError):
            current_identity(store=store)
        with pytest.raises(IdentityError, match="comes from the personal link"):
            resolve_participant()  # the room-blind resolution refuses rather than guess

    def test_two_people_with_one_name_stay_apart(self, store: ResponseStore, in_room: None, monkeypatch: pytest.MonkeyPatch) -> None:
        """Two participants who type the same name save and read back their own answers only."""
        first = room.issue_code("Sam", store=store)
        second = room.issue_code("Sam", store=store)
        def me() -> dict[str, str]:
            who = current_identity(store=store)
            return {"participant": who.participant, "cohort": who.cohort}

        open_page(monkeypatch, first.code)
        store.save("risk.appetite", {"now": 3, "target": 7}, **me())
        open_page(monkeypatch, second.code)
        store.save("risk.appetite", {"now": 9, "target": 9}, **me())
        assert store.latest("risk.appetite", **me()).answer == {"now": 9, "target": 9}
        open_page(monkeypatch, first.code)
        assert store.latest("risk.appetite", **me()).answer == {"now": 3, "target": 7}
        assert len(store.participants("Leeds")) == 2

    def test_outside_a_room_the_code_is_not_used(self, store: ResponseStore, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without WORKSHOP_KIT_ROOM a code in the query string changes nothing (self-study, JupyterHub)."""
        monkeypatch.setenv("JUPYTERHUB_USER", "sam")
        open_page(monkeypatch, room.new_code())
        assert resolve_participant() == ("sam", "JupyterHub")

    def test_the_code_is_checked_in_the_store_handed_on(self, store: ResponseStore, in_room: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        """A code issued by a store that is not the default one is found in that store (the default never issued it),
        and an exercise built on that store saves under its owner's key."""
        from workshop_kit.kit import exercise

        other = ResponseStore(tmp_path / "another-room.sqlite")
        person = room.issue_code("Sam", cohort="Leeds", store=other)
        open_page(monkeypatch, person.code)
        assert current_identity(store=other).participant == person.participant
        with pytest.raises(room.RoomCodeError):
            current_identity(store=store)  # the default store never gave this code out
        page = exercise("brand.value", store=other)
        page.save_button.click()
        assert [r.participant for r in other.latest_answers("Leeds")] == [person.participant] and store.count() == 0

    def test_query_string_parsing(self) -> None:
        """The code is read from its own parameter among others; absent means None."""
        assert room.code_from_query("token=abc&code=XYZ_-1&x=1") == "XYZ_-1"
        assert room.code_from_query("token=abc") is None
        assert room.code_from_query("") is None


class TestLinks:
    def test_section_pages_in_order_with_titles(self, tmp_path: Path) -> None:
        """Section pages are listed by number with their first heading; welcome and dashboard left out."""
        write_notebook(tmp_path / "00-welcome.ipynb", "Welcome")
        write_notebook(tmp_path / "02-risk.ipynb", "Risk: forgiveness or permission?")
        write_notebook(tmp_path / "01-managing-to-leading.ipynb", None)
        write_notebook(tmp_path / "facilitator-dashboard.ipynb", "Dashboard")
        assert room.section_pages(tmp_path) == [
            ("01-managing-to-leading.ipynb", "Managing to leading"),
            ("02-risk.ipynb", "Risk: forgiveness or permission?"),
        ]

    def test_personal_link_carries_the_code_and_escapes_the_name(self, tmp_path: Path, store: ResponseStore, in_room: None) -> None:
        """The welcome panel's personal link carries the code; the name is shown escaped."""
        person = room.Person("Leeds", room.new_code(), "room-x", "O'Neil <b>", None)  # type: ignore[arg-type]
        page = room_panel.links_html(person)
        assert f'href="?code={person.code}"' in page
        assert "O&#x27;Neil &lt;b&gt;" in page and "<b>" not in page

    def test_personal_link_is_complete_when_the_room_url_is_known(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """The personal link includes the room's address and token, so it works on its own."""
        monkeypatch.setenv(room.ROOM_URL_ENV, "http://10.0.0.5:8866/")
        monkeypatch.setenv(room.ROOM_TOKEN_ENV, "T0K")
        assert room.page_link("00-welcome.ipynb", "C0DE", absolute=True) == "http://10.0.0.5:8866/?token=T0K&code=C0DE"
        assert room.page_link("01-a.ipynb", "C0DE") == "?code=C0DE&page=01-a.ipynb"


class TestWelcomePanel:
    def test_form_issues_a_code_once(self, tmp_path: Path, store: ResponseStore, in_room: None, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without a code the panel asks for a name; pressing the button issues one code and shows the links."""
        open_page(monkeypatch, None)
        panel = room_panel.RoomWelcome(store=store)
        panel.name.value = "Sam"
        panel.button.click()
        person = panel.person
        assert person is not None and person.code in panel.links.value
        assert panel.button.disabled
        panel.issue("Someone else")
        assert room.display_names("Leeds", store=store) == {person.participant: "Sam"}

    def test_refused_name_shows_a_message(self, tmp_path: Path, store: ResponseStore, in_room: None, monkeypatch: pytest.MonkeyPatch) -> None:
        """An unacceptable name is explained on the panel and no code is issued."""
        open_page(monkeypatch, None)
        panel = room_panel.RoomWelcome(store=store)
        panel.name.value = "<script>"
        panel.button.click()
        assert panel.person is None and 'role="alert"' in panel.status.value and "&lt;script&gt;" in panel.status.value
        assert room.display_names("Leeds", store=store) == {}

    def test_returning_participant_sees_their_links(self, tmp_path: Path, store: ResponseStore, in_room: None, monkeypatch: pytest.MonkeyPatch) -> None:
        """With a valid code the panel greets the participant by name and asks nothing."""
        person = room.issue_code("Sam", store=store)
        open_page(monkeypatch, person.code)
        panel = room_panel.RoomWelcome(store=store)
        assert panel.person == person and "Sam" in panel.links.value and not hasattr(panel, "button")

    def test_gate_outside_and_inside_a_room(self, store: ResponseStore, monkeypatch: pytest.MonkeyPatch) -> None:
        """gate() gives a message widget only in a room without a valid code."""
        assert room_panel.gate() is None
        monkeypatch.setenv("WORKSHOP_KIT_ROOM", "1")
        open_page(monkeypatch, None)
        assert "personal link" in room_panel.gate().value
        person = room.issue_code("Sam", store=store)
        open_page(monkeypatch, person.code)
        assert room_panel.gate() is None


class TestPeopleTable:
    def test_added_to_a_store_made_before_it(self, kit_env: Path) -> None:
        """A store created before the people table existed gets it on first use, answers untouched."""
        path = kit_env / "old.sqlite"
        with ResponseStore(path) as old:
            old.save("risk.appetite", {"now": 2, "target": 5}, participant="Sam", cohort="Leeds")
            with old.engine.begin() as conn:
                conn.execute(text("DROP TABLE people"))
        with ResponseStore(path) as reopened:
            person = room.issue_code("Sam", cohort="Leeds", store=reopened)
            assert room.display_names("Leeds", store=reopened) == {person.participant: "Sam"}
            assert reopened.count() == 1


class TestExercisePagesInARoom:
    def test_exercise_without_code_shows_the_message(self, store: ResponseStore, in_room: None, monkeypatch: pytest.MonkeyPatch) -> None:
        """In a room, an exercise opened without a personal code is replaced by the plain request for the personal link."""
        from workshop_kit.kit import exercise

        open_page(monkeypatch, None)
        shown = exercise("brand.value", store=store)
        assert "wk-room-missing" in shown._dom_classes
        assert "open your personal link from the welcome page" in shown.value


    def test_open_page_of_a_forgotten_participant_saves_nothing(self, store: ResponseStore, in_room: None, monkeypatch: pytest.MonkeyPatch) -> None:
        """Once a participant is forgotten, a page they still have open refuses to save instead of filing new answers for them."""
        from workshop_kit.session import room
        from workshop_kit.commands.admin import forget_participant
        from workshop_kit.kit import exercise

        person = room.issue_code("Sam", cohort="Leeds", store=store)
        open_page(monkeypatch, person.code)
        page = exercise("brand.value", store=store)
        page.save_button.click()
        assert store.count() == 1
        forget_participant(store, "Sam", "Leeds")
        page.save_button.click()
        assert store.count() == 0
        assert "withdrawn" in page.status.value


def test_find_codes_matches_accented_capitals(tmp_path):
    """A name with an accented capital is found however it is typed (SQLite's lower() alone would miss it)."""
    from workshop_kit.session import room
    from workshop_kit.store.responses import ResponseStore

    store = ResponseStore(tmp_path / "r.sqlite")
    issued = room.issue_code("Élise Martin", cohort="c1", store=store)
    assert [p.code for p in room.find_codes("élise  martin", "c1", store=store)] == [issued.code]
    assert room.find_codes("Elise Martin", "c1", store=store) == []
