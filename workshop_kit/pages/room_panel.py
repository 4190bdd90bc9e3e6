"""The room's pieces of a participant page: the welcome page's personal-link panel, and the plain message a
page shows instead of exercises when its link carries no valid personal code.

The codes themselves (issuing, checking, the people table) are ``workshop_kit.session.room``; this
module only shows them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from .. import templating
from ..session.room import (
    NO_CODE_MESSAGE,
    UNKNOWN_CODE_MESSAGE,
    WELCOME_PAGE,
    Person,
    RoomCodeError,
    code_from_query,
    find_person,
    issue_code,
    page_link,
    room_person,
)
from ..errors import IdentityError
from ..settings import in_room

if TYPE_CHECKING:  # pragma: no cover
    from ..store.responses import ResponseStore


def links_html(person: Person) -> str:
    """The participant's personal link, as escaped HTML (the room page lists the sections itself)."""
    personal = page_link(WELCOME_PAGE, person.code, absolute=True)
    return str(templating.macros("room.html").links(templating.markup(templating.style("room.css")), person.display_name, personal))


def room_links() -> Any:
    """The welcome page's room panel: the participant's links, or a form that gives them a personal link."""
    return RoomWelcome()


def missing_code_widget(message: str = NO_CODE_MESSAGE) -> Any:
    """A plain message shown instead of an exercise when a room page has no valid personal code."""
    box = widgets.HTML(_alert(message))
    box.add_class("wk-room-missing")
    return box


def _alert(message: str) -> str:
    return str(templating.macros("messages.html").alert(message))


def gate() -> Any | None:
    """In a room without a valid code: the message widget to show instead of an exercise; otherwise None."""
    if not in_room():
        return None
    try:
        room_person()
    except RoomCodeError as exc:
        return missing_code_widget(str(exc))
    return None


class RoomWelcome(widgets.VBox):
    """The room part of the welcome page: ask for a name once, then show the personal link and sections."""

    def __init__(self, store: ResponseStore | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self._store = store
        self.add_class("wk-room")
        self.status = widgets.HTML()
        self.status.add_class("wk-room-status")
        self.links = widgets.HTML()
        self.links.add_class("wk-room-links-box")
        code = code_from_query()
        person = find_person(code, store=store) if code else None
        if person is not None:
            self.person: Person | None = person
            self.links.value = links_html(person)
            self.children = [self.links]
            return
        self.person = None
        self.name = widgets.Text(description="Your name", placeholder="e.g. Sam Patel", style={"description_width": "initial"})
        self.name.add_class("wk-room-name")
        self.button = widgets.Button(description="Get my personal link", button_style="primary")
        self.button.add_class("wk-room-issue")
        self.button.on_click(self._on_issue_click)
        intro = widgets.HTML(str(templating.macros("room.html").intro(UNKNOWN_CODE_MESSAGE if code else None)))
        self.children = [intro, widgets.HBox([self.name, self.button]), self.status, self.links]

    def _on_issue_click(self, _button: Any) -> None:
        self.issue(self.name.value)

    def issue(self, name: str) -> Person | None:
        """Give this page's participant a personal code (once) and show their links; errors shown in words."""
        if self.person is not None:
            return self.person
        try:
            self.person = issue_code(name, store=self._store)
        except IdentityError as exc:
            self.status.value = _alert(str(exc))
            return None
        except Exception as exc:  # noqa: BLE001 - a store error must reach the participant, not a log
            self.status.value = _alert(f"Your link could not be made: {exc}")
            return None
        self.status.value = ""
        self.button.disabled = True
        self.name.disabled = True
        self.links.value = links_html(self.person)
        return self.person
