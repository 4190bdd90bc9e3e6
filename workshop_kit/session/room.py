"""Identity in a room served by Voilà: personal codes carried in each page's link.

In a room every Voilà kernel runs as the facilitator's operating-system user, so neither the
login nor a saved profile tells participants apart.  Instead the welcome page gives each
participant an unguessable personal code (``secrets.token_urlsafe``, 128 bits) and a personal
link that carries it (``…/00-welcome.ipynb?code=…``); every page's links carry it on.  Voilà
hands each kernel the page's query string in ``QUERY_STRING``, so a page knows whose it is.

- Only codes this store issued are accepted (the ``people`` table); a typed name or a guessed
  code never opens anyone's answers.
- Answers are saved under a key derived from the code (``room-…``), so exports and the
  facilitator's views never carry the code itself.
- The display name is shown to the participant, and to the facilitator only when the
  dashboard's names switch is on (:func:`display_names`).

Room mode is on when ``WORKSHOP_KIT_ROOM`` is set (``workshop-kit serve`` sets it).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import os
import re
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard
from urllib.parse import parse_qs, urlencode

from .. import settings
from ..errors import IdentityError

if TYPE_CHECKING:  # pragma: no cover
    from ..store.responses import ResponseStore

ROOM_ENV, ROOM_URL_ENV, ROOM_TOKEN_ENV = settings.ROOM_ENV, settings.ROOM_URL_ENV, settings.ROOM_TOKEN_ENV
CODE_PARAM = "code"
CODE_BYTES = 16  # 128 bits of randomness; token_urlsafe gives 22 characters
WELCOME_PAGE = "00-welcome.ipynb"
_CODE = re.compile(r"^[A-Za-z0-9_-]{22,64}$")
_PAGE = re.compile(r"^(\d\d)-[\w.-]+\.ipynb$")

NO_CODE_MESSAGE = (
    "This page was opened without your personal link, so your answers could not be kept apart from "
    "other people's. Please open your personal link from the welcome page (it ends in “?code=…”), "
    "then come back to this section from there."
)
UNKNOWN_CODE_MESSAGE = (
    "This personal link is not one this workshop gave out, so nothing here can be saved. Please open "
    "your personal link from the welcome page, or ask your facilitator for help."
)


class RoomCodeError(IdentityError):
    """A page in a room was opened without a valid personal code; nothing may be saved."""


@dataclass(frozen=True)
class Person:
    """A participant known to the room: their code, the key their answers use, and their name."""

    cohort: str
    code: str
    participant: str
    display_name: str
    created_at: dt.datetime


def in_room() -> bool:
    """True when the pages are served to a room (``WORKSHOP_KIT_ROOM`` set to anything but 0/false)."""
    return settings.in_room()


def participant_key(code: str) -> str:
    """The key a participant's answers are saved under: derived from the code, never the code itself."""
    return "room-" + hashlib.sha256(code.encode("utf-8")).hexdigest()[:20]


def new_code() -> str:
    """A fresh, unguessable personal code (128 bits)."""
    return secrets.token_urlsafe(CODE_BYTES)


def looks_like_code(value: object) -> TypeGuard[str]:
    """True when the value has the shape of a personal code (it may still not have been issued)."""
    return isinstance(value, str) and bool(_CODE.match(value))


def query_string() -> str:
    """This page's query string, as Voilà handed it to the kernel.

    A pooled (preheated) kernel learns its request only once, through Voilà's request-info
    socket; this waits for it the first time and keeps it (Voilà sends it once, so asking
    again would wait for ever)."""
    global _request_seen
    if request_pending():
        os.environ.update(_request_info())  # the request's QUERY_STRING among them
        _request_seen = True
    return os.environ.get(settings.QUERY_STRING_ENV, "")


def _request_socket_url() -> str:
    """Where Voilà sends a pooled kernel its request (as ``voila.utils.wait_for_request`` works it out)."""
    env = os.environ
    server_url = env.get(settings.VOILA_SERVER_URL_ENV, "/")
    return (
        f"{env.get(settings.VOILA_WS_PROTOCOL_ENV, 'ws')}://{env.get(settings.VOILA_APP_IP_ENV, '127.0.0.1')}:"
        f"{env.get(settings.VOILA_APP_PORT_ENV, '8866')}{env.get(settings.VOILA_WS_BASE_URL_ENV, server_url)}"
        f"voila/query/{env.get(settings.VOILA_KERNEL_ID_ENV, '')}"
    )


def _request_info(attempts: int = 5) -> dict[str, str]:
    """Wait for this pooled kernel's request on Voilà's request socket: its details (query string, path, …).

    What ``voila.utils.wait_for_request`` does, with Tornado's websocket client (already in every
    kernel): importing ``voila.utils`` brings in Voilà's whole server, about a second of CPU at
    every kernel's start.  Runs an event loop of its own, so it is called from a thread with none
    running (the room page's waiting thread)."""

    async def ask() -> dict[str, str]:
        from tornado.websocket import websocket_connect

        for attempt in range(attempts):
            try:
                socket = await websocket_connect(_request_socket_url(), connect_timeout=10)
            except OSError:  # the server not answering yet: try again shortly
                if attempt == attempts - 1:
                    raise
                await asyncio.sleep(1 + attempt)
                continue
            try:
                message = await socket.read_message()
            finally:
                socket.close()
            if message is None:
                raise ConnectionError("Voilà closed the request socket before sending the request")
            return {str(k): str(v) for k, v in json.loads(message).items()}
        raise ConnectionError("Voilà's request socket could not be reached")  # pragma: no cover - the loop raises first

    return asyncio.run(ask())


_request_seen = False


def request_pending() -> bool:
    """True in a pooled (preheated) kernel whose page request has not come yet (:func:`query_string` would wait)."""
    return os.environ.get(settings.VOILA_PREHEAT_ENV, "False") == "True" and not _request_seen


PREBUILD_ENV = settings.PREBUILD_ENV


def code_from_query(query: str | None = None) -> str | None:
    """The ``code`` parameter of a query string (this page's by default), or None."""
    values = parse_qs(query_string() if query is None else query).get(CODE_PARAM, [])
    return values[0].strip() if values else None


# --- the people table ----------------------------------------------------------------------------

_known: dict[tuple[str, str], Person] = {}  # (url, code) -> Person, so a page does not ask the store on every save
_known_lock = threading.Lock()


def _store(store: ResponseStore | None) -> ResponseStore:
    if store is not None:
        return store
    from ..store.responses import default_store

    return default_store()


def _cohort(cohort: str | None) -> str:
    from .identity import resolve_cohort

    return resolve_cohort(cohort)[0]


def issue_code(display_name: str, *, cohort: str | None = None, store: ResponseStore | None = None) -> Person:
    """Record a new participant under a fresh personal code and return them."""
    from sqlalchemy import insert

    from .identity import validate_name
    from ..store.responses import people

    store = _store(store)
    code = new_code()
    person = Person(
        cohort=_cohort(cohort),
        code=code,
        participant=participant_key(code),
        display_name=validate_name(display_name, "name"),
        created_at=dt.datetime.now(dt.timezone.utc),
    )
    with store._write("save your name to") as conn:
        conn.execute(
            insert(people).values(
                cohort=person.cohort,
                code=person.code,
                participant=person.participant,
                display_name=person.display_name,
                created_at=person.created_at,
            )
        )
    with _known_lock:
        _known[(store.url, person.code)] = person
    return person


def find_person(code: str | None, *, cohort: str | None = None, store: ResponseStore | None = None) -> Person | None:
    """The participant this store issued the code to in this cohort, or None (also for a malformed code)."""
    if not looks_like_code(code):
        return None
    from sqlalchemy import select

    from ..store.responses import people

    store = _store(store)
    cohort = _cohort(cohort)
    with _known_lock:
        known = _known.get((store.url, code))
    if known is None:
        with store._read() as conn:
            row = conn.execute(select(people).where(people.c.code == code)).mappings().first()
        if row is None:
            return None
        known = Person(row["cohort"], row["code"], row["participant"], row["display_name"], row["created_at"])
        with _known_lock:
            _known[(store.url, code)] = known
    return known if known.cohort == cohort else None


def issued_person(code: str, *, cohort: str | None = None, store: ResponseStore | None = None) -> Person | None:
    """The participant the store issued this code to in this cohort, asking the store itself (no cache),
    so a link withdrawn by ``workshop-kit forget`` in another process is refused at once."""
    if not looks_like_code(code):
        return None
    from sqlalchemy import select

    from ..store.responses import people

    with _store(store)._read() as conn:
        row = conn.execute(select(people).where(people.c.code == code)).mappings().first()
    if row is None or row["cohort"] != _cohort(cohort):
        return None
    return Person(row["cohort"], row["code"], row["participant"], row["display_name"], row["created_at"])


def room_person(*, store: ResponseStore | None = None) -> Person:
    """The participant whose personal link opened this page, or :class:`RoomCodeError` in plain English."""
    code = code_from_query()
    if not code:
        raise RoomCodeError(NO_CODE_MESSAGE)
    person = find_person(code, store=store)
    if person is None:
        raise RoomCodeError(UNKNOWN_CODE_MESSAGE)
    return person


WITHDRAWN_MESSAGE = (
    "This personal link has been withdrawn (your answers were deleted at your or the facilitator's "
    "request), so nothing more can be saved with it. Ask your facilitator for a new link."
)


def check_still_issued(participant: str, cohort: str, *, store: ResponseStore | None = None) -> None:
    """Raise :class:`RoomCodeError` if the room record behind this answer key is gone (``workshop-kit forget``).

    Asks the store each time, not this kernel's cache: the forget command runs in another
    process, and an open page must not go on saving for someone who was forgotten.
    """
    from sqlalchemy import select

    from ..store.responses import people

    query = select(people.c.id).where(people.c.participant == participant, people.c.cohort == cohort).limit(1)
    with _store(store)._read() as conn:
        if conn.execute(query).first() is None:
            raise RoomCodeError(WITHDRAWN_MESSAGE)


def display_names(cohort: str, *, store: ResponseStore | None = None) -> dict[str, str]:
    """Participant key → display name for a cohort's room participants (for the dashboard's names switch)."""
    from sqlalchemy import select

    from ..store.responses import people

    with _store(store)._read() as conn:
        rows = conn.execute(select(people.c.participant, people.c.display_name).where(people.c.cohort == cohort).order_by(people.c.id))
        return {participant: name for participant, name in rows}


def find_codes(display_name: str, cohort: str, *, store: ResponseStore | None = None) -> list[Person]:
    """Every code issued under a name in a cohort, newest first (for a facilitator re-sending a lost link)."""
    from sqlalchemy import select

    from ..store.responses import people

    def folded(text: str) -> str:  # in Python: SQLite's lower() folds A-Z only, not É
        return " ".join(text.split()).casefold()

    query = select(people).where(people.c.cohort == cohort).order_by(people.c.id.desc())
    with _store(store)._read() as conn:
        rows = [r for r in conn.execute(query).mappings() if folded(r["display_name"]) == folded(display_name)]
    return [Person(r["cohort"], r["code"], r["participant"], r["display_name"], r["created_at"]) for r in rows]


# --- links ----------------------------------------------------------------------------------------


def page_link(page: str, code: str, *, absolute: bool = False, exercise: str | None = None) -> str:
    """A link to one page of the room carrying the code: relative (``?code=…&page=01-x.ipynb``)
    or the full shareable URL (with the room's token, so it works on its own); ``exercise``
    (an exercise id) makes the page open on that exercise (``&exercise=risk.appetite``)."""
    query = [(CODE_PARAM, code)] if page == WELCOME_PAGE else [(CODE_PARAM, code), ("page", page)]
    if exercise:
        query.append(("exercise", exercise))
    base = os.environ.get(ROOM_URL_ENV, "") if absolute else ""
    token = os.environ.get(ROOM_TOKEN_ENV, "")
    if absolute and base and token:
        query.insert(0, ("token", token))
    return f"{base}?{urlencode(query)}"


def is_follow_up(page: str) -> bool:
    """True for the follow-up notebook (``12-follow-up.ipynb``), taken weeks after the workshop."""
    return "follow-up" in page


def section_pages(folder: str | os.PathLike[str] | None = None, *, follow_up: bool = False) -> list[tuple[str, str]]:
    """The section pages beside the welcome page as (file name, title), in order; the follow-up
    only with ``follow_up`` (self-study offers it; the workshop room leaves it out)."""
    folder = Path(folder or os.getcwd())
    pages = []
    for path in sorted(folder.glob("[0-9][0-9]-*.ipynb")):
        if path.name == WELCOME_PAGE or not _PAGE.match(path.name) or (is_follow_up(path.name) and not follow_up):
            continue  # the follow-up is taken weeks later, not in the workshop room
        pages.append((path.name, _title(path)))
    return pages


def _title(path: Path) -> str:
    """The notebook's first markdown heading, or a title made from its file name."""
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        for cell in notebook.get("cells", []):
            if cell.get("cell_type") != "markdown":
                continue
            source = cell.get("source", "")
            text = "".join(source) if isinstance(source, list) else str(source)
            for line in text.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    except (OSError, ValueError, AttributeError):
        pass
    return path.stem[3:].replace("-", " ").capitalize()
