"""Tests for workshop_kit.room_app: the room page that shows every section inside one kernel."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_helpers import NOTEBOOKS

import workshop_kit as kit
from workshop_kit.catalogue import default_catalogue
from workshop_kit import room, room_app
from workshop_kit.store import ResponseStore


@pytest.fixture
def person(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> room.Person:
    """A room participant with an issued code, this page's query string carrying it."""
    store_file = tmp_path / "answers.sqlite"
    monkeypatch.setenv("WORKSHOP_KIT_STORE", str(store_file))
    monkeypatch.setenv("WORKSHOP_KIT_COHORT", "Leeds")
    monkeypatch.setenv(room.ROOM_ENV, "1")
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    with ResponseStore(store_file) as store:
        issued = room.issue_code("Ann", cohort="Leeds", store=store)
    monkeypatch.setenv("QUERY_STRING", f"token=t&code={issued.code}&page=02-risk.ipynb")
    return issued


def test_sections_are_read_once_with_their_links_marked(tmp_path: Path) -> None:
    sections = room_app.read_sections(NOTEBOOKS)
    assert list(sections)[0] == "00-welcome.ipynb" and "11-development-plan.ipynb" in sections
    assert "facilitator-dashboard.ipynb" not in sections
    risk = sections["02-risk.ipynb"]
    assert risk.title.startswith("2. Risk")
    code_cells = [c.text for c in risk.cells if c.kind == "code"]
    assert code_cells == [f'kit.exercise("{e.id}")' for e in default_catalogue().exercises_in("risk")]
    assert len(code_cells) == 7
    markdown = "".join(c.text for c in risk.cells if c.kind == "markdown")
    assert f'href="?code={room_app._CODE_MARK}&amp;page=03-audacious-goals.ipynb"' in markdown
    assert ".ipynb\"" not in markdown.replace("page=03-audacious-goals.ipynb\"", "")  # no link left that would drop the code


def test_markdown_is_escaped_not_trusted() -> None:
    assert "<script>" not in room_app.markdown_html("Hello <script>alert(1)</script>")


def test_page_opens_on_the_asked_section_and_moves_inside_the_page(person: room.Person) -> None:
    room_app.warm(NOTEBOOKS)
    app = room_app.show(NOTEBOOKS)
    assert isinstance(app, room_app.RoomApp) and app.current == "02-risk.ipynb"
    risk = app.built["02-risk.ipynb"]
    exercises = [w for w in risk.children if "wk-exercise" in getattr(w, "_dom_classes", ())]
    assert len(exercises) == len(default_catalogue().exercises_in("risk")) and all(w.identity.participant == person.participant for w in exercises)
    assert "wk-nav-03-audacious-goals" in app.next_button._dom_classes
    app.next_button.click()
    assert app.current == "03-audacious-goals.ipynb" and "wk-nav-02-risk" in app.previous_button._dom_classes
    app.previous_button.click()
    assert app.built["02-risk.ipynb"] is risk  # kept: unsaved entries survive moving back and forth
    links = "".join(w.value for w in app.built["03-audacious-goals.ipynb"].children if hasattr(w, "value") and isinstance(w.value, str))
    assert f"?code={person.code}&amp;page=04-system.ipynb" in links and room_app._CODE_MARK not in links


def test_last_and_first_pages_hide_what_leads_nowhere(person: room.Person) -> None:
    room_app.warm(NOTEBOOKS)
    app = room_app.RoomApp(room_app._SECTIONS, person, {"kit": kit})
    app.show_page("00-welcome.ipynb")
    assert app.previous_button.layout.display == "none" and app.home_button.layout.display == "none"
    app.show_page("11-development-plan.ipynb")
    assert app.next_button.layout.display == "none" and app.bottom_next.layout.display == "none"
    app.show_page("not-a-page.ipynb")
    assert app.current == "00-welcome.ipynb"


def test_an_unknown_code_shows_a_message_not_a_page(person: room.Person, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUERY_STRING", f"code={room.new_code()}")
    room_app.warm(NOTEBOOKS)
    shown = room_app.show(NOTEBOOKS)
    assert "wk-room-missing" in shown._dom_classes and "not one this workshop gave out" in shown.value


def test_cells_are_evaluated_like_a_notebook() -> None:
    namespace: dict[str, object] = {}
    assert room_app.evaluate("x = 2\nx * 3", namespace) == 6
    assert room_app.evaluate("y = 1", namespace) is None and namespace["y"] == 1
