"""The facilitator's data-protection tools: export, import and forget one person's answers.

Plain functions behind the ``workshop-kit export``, ``import`` and ``forget`` commands
(a subject access request, an offline participant's file, an erasure request).  Each
takes an open :class:`ResponseStore`; names are checked the same way the kit checks them
when answers are saved, so a typo gets a plain-English message rather than a silent
"0 rows".

A person is found in one of two ways (:func:`find_subject`):

- by the name their answers were saved under (self-study, JupyterHub, an imported file);
- in a room served by ``workshop-kit serve``, by the name they typed on the welcome page:
  the ``people`` table turns it into the key their answers are saved under (``room-…``).
  ``--code`` (the code at the end of their personal link) names one room participant
  exactly, and ``--participant room-…`` does the same by answer key.

When a name fits more than one of these, nothing is done and the message says how many
matched and how to name one; an export never carries the personal code itself.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import delete, func, select

from . import hub
from ..session import room
from ..errors import KitError
from ..session.identity import validate_name
from ..store.responses import ResponseStore, forget_signals, people, responses
from ..store.transfer import ImportResult, export_answers, import_answers


class ExportFileError(KitError):
    """The export file could not be written (missing folder, no permission, disk full)."""


class ConfirmationRefused(KitError):
    """The person at the keyboard did not confirm a deletion; nothing was deleted."""


class AmbiguousParticipant(KitError):
    """A name fits more than one person (e.g. two room participants typed it); nothing was done."""


class UnknownCode(KitError):
    """``--code`` names no room participant of the cohort; nothing was done."""


@dataclass(frozen=True)
class Subject:
    """The one person an export or erasure is about: the key their answers use, and how to describe them.

    Holds no personal code, so it can be printed or logged.
    """

    cohort: str
    key: str  # the participant value on their answer rows
    name: str  # the name as typed (room) or as saved (everyone else)
    in_room: bool = False  # True: a room participant with a row in the people table
    joined: dt.datetime | None = None  # when a room participant got their personal link

    @property
    def described(self) -> str:
        """The person as messages name them: ``Sam Jones``, or ``Sam Jones (room participant room-…)``."""
        return f"{self.name} (room participant {self.key})" if self.in_room else self.name


@dataclass(frozen=True)
class Forgotten:
    """What an erasure deleted: answer rows, and room records (name typed and personal code)."""

    answers: int
    room_records: int = 0

    @property
    def anything(self) -> bool:
        """True when at least one row of any kind went."""
        return bool(self.answers or self.room_records)


def _who(participant: str, cohort: str) -> tuple[str, str]:
    return validate_name(participant, "participant name"), validate_name(cohort, "cohort name")


def _code_from(value: str) -> str:
    """The code itself, from a code or a whole personal link pasted in (``…?code=…``)."""
    value = value.strip()
    if "code=" in value:
        return room.code_from_query(urlsplit(value).query or value) or ""
    return value


def _room_subject(row: dict) -> Subject:
    return Subject(cohort=row["cohort"], key=row["participant"], name=row["display_name"], in_room=True, joined=row["created_at"])


def _answer_count(conn, cohort: str, key: str) -> int:
    query = select(func.count()).select_from(responses).where(responses.c.cohort == cohort, responses.c.participant == key)
    return int(conn.execute(query).scalar_one())


def find_subject(
    store: ResponseStore,
    cohort: str,
    participant: str | None = None,
    *,
    code: str | None = None,
    name_only: bool = False,
    doing: str = "done",
) -> Subject:
    """The one person ``participant`` / ``code`` names in ``cohort``, or a plain-English :class:`KitError`.

    - ``code``: the room participant given that personal code (a whole personal link also
      works); with ``participant`` as well, the two must agree.
    - ``participant``: a room answer key (``room-…``) names that room participant; otherwise
      the name matches answers saved under it *and* room participants who typed it on the
      welcome page (case and spacing ignored).  More than one match raises
      :class:`AmbiguousParticipant`; ``name_only`` keeps just the answers saved under the name.
    - No match at all gives the name itself (an export or erasure of nothing).

    ``doing`` finishes the refusal's "Nothing was …" sentence (``exported``, ``deleted``).
    """
    cohort = validate_name(cohort, "cohort name")
    if participant is not None:
        participant = validate_name(participant, "participant name")
    if code is not None and name_only:
        raise KitError("--code names a room participant and --name-only leaves room participants out: use one or the other.")
    if code is not None:
        return _subject_by_code(store, cohort, _code_from(code), participant, doing)
    if participant is None:
        raise KitError("Say who: --participant NAME, or --code=CODE for a room participant.")
    if name_only:
        return Subject(cohort, participant, participant)
    folded = participant.casefold()
    with store._read() as conn:
        # compared here, not with SQL lower(): SQLite's lower() leaves É, Ø, Ł … as they are
        cohort_people = [dict(r) for r in conn.execute(select(people).where(people.c.cohort == cohort).order_by(people.c.id)).mappings()]
        by_key = [r for r in cohort_people if r["participant"] == participant]
        if by_key:  # an answer key is exact: no ambiguity
            return _room_subject(by_key[0])
        rows = [r for r in cohort_people if r["display_name"].casefold() == folded]
        plain = _answer_count(conn, cohort, participant)
        counts = {r["participant"]: _answer_count(conn, cohort, r["participant"]) for r in rows}
    if not rows:
        return Subject(cohort, participant, participant)
    if len(rows) == 1 and not plain:
        return _room_subject(rows[0])
    raise AmbiguousParticipant(_ambiguity(participant, cohort, rows, counts, plain, doing))


def _subject_by_code(store: ResponseStore, cohort: str, code: str, participant: str | None, doing: str) -> Subject:
    row = None
    if room.looks_like_code(code):
        with store._read() as conn:
            found = conn.execute(select(people).where(people.c.code == code, people.c.cohort == cohort)).mappings().first()
            row = dict(found) if found else None
    if row is None:
        raise UnknownCode(
            f"No room participant in {cohort} has that personal code (check it against the end of their "
            f"personal link, after 'code='). Nothing was {doing}."
        )
    subject = _room_subject(row)
    if participant is not None and participant.casefold() != subject.name.casefold() and participant != subject.key:
        raise UnknownCode(
            f"That personal code belongs to the room participant {subject.described}, not {participant}. Nothing was {doing}."
        )
    return subject


def _ambiguity(name: str, cohort: str, rows: list[dict], counts: dict[str, int], plain: int, doing: str) -> str:
    matches = len(rows) + (1 if plain else 0)
    parts = [f"{len(rows)} room participant{'s' if len(rows) != 1 else ''} who typed that name on the welcome page"]
    if plain:
        parts.append(f"{_answers(plain)} saved under the name itself (outside the room)")
    listed = "\n".join(
        f"  - {r['participant']}: link given {r['created_at']:%Y-%m-%d %H:%M} UTC, {_answers(counts[r['participant']])}" for r in rows
    )
    how = [
        "--code=CODE (the code at the end of that person's personal link)",
        "--participant with one of the answer keys above",
    ]
    if plain:
        how.append("--name-only for just the answers saved under the name itself")
    return (
        f"{name!r} in {cohort} matches {matches} people: {' and '.join(parts)}:\n{listed}\n"
        f"Nothing was {doing}. Name one person exactly with " + ", or ".join(how) + "."
    )


def _answers(n: int) -> str:
    return f"{n} answer" if n == 1 else f"{n} answers"


# --- export and import ------------------------------------------------------------------------


def export_subject(store: ResponseStore, subject: Subject, out: str | os.PathLike[str]) -> int:
    """Write every answer of one person (history included) to a JSON file; returns how many.

    The file names the person by their answer key only: a room participant's personal code
    is never written.
    """
    try:
        return export_answers(store, Path(out), subject.cohort, participant=subject.key)
    except OSError as exc:
        raise ExportFileError(f"Could not write {out}: {exc.strerror or exc}. Nothing was exported.") from None


def export_participant(
    store: ResponseStore,
    participant: str | None,
    cohort: str,
    out: str | os.PathLike[str],
    *,
    code: str | None = None,
    name_only: bool = False,
) -> int:
    """Write every answer one participant saved in one cohort (history included) to a JSON file; returns how many.

    A room participant is found by the name they typed, their answer key or ``code``
    (see :func:`find_subject`).
    """
    subject = find_subject(store, cohort, participant, code=code, name_only=name_only, doing="exported")
    return export_subject(store, subject, out)


def import_file(store: ResponseStore, path: str | os.PathLike[str], *, allow_contact_details: bool = False) -> ImportResult:
    """Add the answers in an export file to the store: all or nothing, rows already present skipped."""
    return import_answers(store, Path(path), allow_contact_details=allow_contact_details)


# --- forget ------------------------------------------------------------------------------------


def count_answers(store: ResponseStore, participant: str, cohort: str) -> int:
    """How many rows (saves, history included) are saved under one participant key in one cohort."""
    participant, cohort = _who(participant, cohort)
    with store._read() as conn:
        return _answer_count(conn, cohort, participant)


def confirmation_prompt(subject: Subject, answers: int) -> str:
    """The question asked before deleting, naming everything that will go: the person must type ``yes``."""
    record = ", and 1 room record (the name they typed and their personal link)" if subject.in_room else ""
    return f"Type yes to delete {answers} answers by {subject.described} in {subject.cohort}{record}: "


def forget_subject(store: ResponseStore, subject: Subject, *, confirm: Callable[[str], str] | None = None) -> Forgotten:
    """Delete one person's answers in one cohort and, for a room participant, their people row.

    With ``confirm`` (e.g. :func:`input`) the person is first asked to type ``yes``;
    anything else raises :class:`ConfirmationRefused` and deletes nothing.  Both deletions
    happen in one transaction.
    """
    if confirm is not None:
        answers = count_answers(store, subject.key, subject.cohort)
        if answers == 0 and not subject.in_room:
            return Forgotten(0)
        reply = confirm(confirmation_prompt(subject, answers))
        if reply.strip().lower() != "yes":
            raise ConfirmationRefused(f"Nothing was deleted: the answer was {reply.strip()!r}, not 'yes'.")
    if not subject.in_room:
        gone = store.forget(subject.key, subject.cohort)
        hub.forget_member(store, subject.key, subject.cohort)
        return Forgotten(gone)
    with store._write("delete from") as conn:
        deleted = conn.execute(delete(responses).where(responses.c.cohort == subject.cohort, responses.c.participant == subject.key))
        records = conn.execute(delete(people).where(people.c.cohort == subject.cohort, people.c.participant == subject.key))
        forget_signals(conn, subject.key, subject.cohort)
    _drop_cached(store, subject.key)
    return Forgotten(int(deleted.rowcount or 0), int(records.rowcount or 0))


def forget_participant(
    store: ResponseStore,
    participant: str | None,
    cohort: str,
    *,
    code: str | None = None,
    name_only: bool = False,
    confirm: Callable[[str], str] | None = None,
) -> Forgotten:
    """Delete every answer of one participant in one cohort (and a room participant's people row).

    A room participant is found by the name they typed, their answer key or ``code``
    (see :func:`find_subject`); a name that fits several people deletes nothing.
    """
    subject = find_subject(store, cohort, participant, code=code, name_only=name_only, doing="deleted")
    return forget_subject(store, subject, confirm=confirm)


def _drop_cached(store: ResponseStore, key: str) -> None:
    """Forget this process's cached copy of a deleted room participant, so their code stops working here at once."""
    with room._known_lock:
        for cached in [k for k, person in room._known.items() if k[0] == store.url and person.participant == key]:
            del room._known[cached]
