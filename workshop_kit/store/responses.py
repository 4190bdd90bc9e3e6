"""The response store: every answer every participant saves, append-only.

SQLite by default (a file in the user's data folder), or any path or SQLAlchemy URL from
``WORKSHOP_KIT_STORE``; PostgreSQL by URL for a shared programme.  A save is always a new
row; "the answer" is the latest row for (cohort, participant, exercise): the latest
``saved_at``, a tie going to the later row.  Each write flags that row ``is_current`` in
the same transaction, so cohort views read current answers straight from an index
instead of sifting every earlier version.  Answers are checked against the catalogue
before anything is written.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import threading
import time
import uuid
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    create_engine,
    delete,
    event,
    false,
    func,
    insert,
    inspect,
    select,
    text,
    true,
    type_coerce,
    update,
)
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.sql import ColumnElement
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError
from sqlalchemy.schema import CreateColumn
from sqlalchemy.types import TypeDecorator

from .. import settings
from .._version import __version__
from ..catalogue.answers import validate_answer
from ..catalogue.model import Catalogue, default_catalogue
from ..errors import AnswerError, CatalogueError, StoreError
from ..catalogue.identifiers import check_identifiers
from ..catalogue.names import validate_name

STORE_ENV = settings.STORE_ENV
SCHEMA_VERSION = 3  # 2: responses.is_current; 3: the retention table
BUSY_TIMEOUT_SECONDS = 30


class UTCDateTime(TypeDecorator):
    """A UTC timestamp, stored without a zone and read back as an aware datetime."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        return value.replace(tzinfo=dt.timezone.utc) if value is not None else None


metadata = MetaData()
responses = Table(
    "responses",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("uid", String(36), nullable=False, unique=True),
    Column("cohort", String(64), nullable=False),
    Column("participant", String(64), nullable=False),
    Column("exercise_id", String(100), nullable=False),
    Column("answer", Text, nullable=False),
    Column("saved_at", UTCDateTime, nullable=False),
    Column("kit_version", String(32), nullable=False),
    Column("is_current", Boolean, nullable=False, server_default=false()),
    Index("ix_responses_history", "cohort", "participant", "exercise_id", "saved_at", "id"),  # an answer's versions, in order
    Index("ix_responses_cohort_order", "cohort", "id"),
)
IS_CURRENT = responses.c.is_current == true()  # written out literally, so the partial indexes below are used
# Current answers by cohort and exercise.  On SQLite the index holds the answer (and the
# flag, which SQLite otherwise looks up in the table) so a cohort's answers are counted
# from the index alone; PostgreSQL limits an index entry to about 2.7 kB, less than a long
# answer, so there the index leads to the rows.
CURRENT_INDEXES = (
    Index(
        "ix_responses_current", *(responses.c[name] for name in ("cohort", "exercise_id", "answer", "is_current")), sqlite_where=IS_CURRENT
    ).ddl_if(dialect="sqlite"),
    Index("ix_responses_current_pg", responses.c.cohort, responses.c.exercise_id, postgresql_where=IS_CURRENT).ddl_if(
        dialect="postgresql"
    ),
)
_FIELD_NAMES = ("uid", "cohort", "participant", "exercise_id", "answer", "saved_at", "kit_version")
# saved_at is read raw and turned into a datetime by _responses (datetime.fromisoformat is
# cheaper than the column type's own processing, row by row).
_RESPONSE_FIELDS = tuple(
    type_coerce(responses.c[name], String).label(name) if name == "saved_at" else responses.c[name] for name in _FIELD_NAMES
)
kit_meta = Table("kit_meta", metadata, Column("key", String(64), primary_key=True), Column("value", String(200), nullable=False))
# Personal codes issued in a room served by Voila (see room.py): the code is the participant's
# capability link; ``participant`` is the key their answers are saved under (derived from the
# code, so exports and views never carry the code itself); the name is shown to them, and to
# the facilitator only when the dashboard's names switch is on.
people = Table(
    "people",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("cohort", String(64), nullable=False),
    Column("code", String(64), nullable=False, unique=True),
    Column("participant", String(64), nullable=False, unique=True),
    Column("display_name", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)


# How long a cohort's answers are kept (see ``purge``): at most one rule per cohort, either a
# date on which all of its answers and room records expire or an age past which each one does.
retention = Table(
    "retention",
    metadata,
    Column("cohort", String(64), primary_key=True),
    Column("expires_on", Date, nullable=True),
    Column("keep_days", Integer, nullable=True),
    Column("set_at", UTCDateTime, nullable=False),
)


# The facilitated room's live state (see live.py): one row per cohort holding its JSON
# (which section and exercise the room is on, which results are revealed, the timer).
room_live = Table(
    "room_live",
    metadata,
    Column("cohort", String(64), primary_key=True),
    Column("state", Text, nullable=False),
    Column("updated", UTCDateTime, nullable=False),
)
# A participant's "done" or "need help" on one exercise (live.py); counted, never shown by name.
room_signals = Table(
    "room_signals",
    metadata,
    Column("cohort", String(64), primary_key=True),
    Column("participant", String(64), primary_key=True),
    Column("exercise_id", String(100), primary_key=True),
    Column("signal", String(8), nullable=False),
    Column("updated", UTCDateTime, nullable=False),
)


@dataclass(frozen=True)
class Retention:
    """A cohort's retention rule: everything expires on ``expires_on``, or each answer ``keep_days`` after it was saved."""

    cohort: str
    expires_on: dt.date | None
    keep_days: int | None
    set_at: dt.datetime

    def describe(self) -> str:
        """'deleted on 30 June 2026' or 'each answer deleted 90 days after it was saved'."""
        if self.expires_on is not None:
            return f"all answers and room records deleted by the first purge on or after {self.expires_on.day} {self.expires_on:%B %Y}"
        return f"each answer (and room record) deleted by the first purge more than {self.keep_days} days after it was saved (or issued)"


@dataclass(frozen=True)
class Purged:
    """What a purge deleted (or, on a dry run, would delete) in one cohort."""

    cohort: str
    rule: Retention
    answers: int
    room_records: int


@dataclass(frozen=True)
class Response:
    """One saved answer: who, to what, what, when, and with which kit version."""

    uid: str
    cohort: str
    participant: str
    exercise_id: str
    answer: Any
    saved_at: dt.datetime
    kit_version: str

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the export file's row format)."""
        return {
            "uid": self.uid,
            "cohort": self.cohort,
            "participant": self.participant,
            "exercise_id": self.exercise_id,
            "answer": self.answer,
            "saved_at": self.saved_at.isoformat(),
            "kit_version": self.kit_version,
        }


def default_store_path() -> Path:
    """The embedded store's file in this user's data folder."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("workshop-kit", appauthor=False)) / "answers.sqlite"


def resolve_store_url(location: str | os.PathLike[str] | None = None) -> str:
    """An SQLAlchemy URL from a path or URL, ``WORKSHOP_KIT_STORE``, or the default file."""
    location = location or os.environ.get(STORE_ENV) or None
    if location is None:
        path = default_store_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    text = os.fspath(location)
    if "://" not in text:
        return f"sqlite:///{Path(text).expanduser().resolve()}"
    if text.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + text.split("://", 1)[1]
    return text


def _sqlite_file(url: str) -> Path:
    """The file behind an SQLite URL, also for URI form (``sqlite:///file:PATH?mode=ro&uri=true``)."""
    parsed = make_url(url)
    database = parsed.database or ""
    if parsed.query.get("uri") == "true" and database.startswith("file:"):
        database = database[len("file:") :]
    return Path(database or ".")


def _describe(url: str) -> str:
    """The store's location for messages, without any password."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"the file {_sqlite_file(url)}"
    return f"the shared store at {parsed.render_as_string(hide_password=True)}"


def _friendly(exc: Exception, url: str, action: str) -> StoreError:
    """Turn a database error into a message a participant can act on."""
    text = str(getattr(exc, "orig", exc) or exc).lower()
    where = _describe(url)
    if "locked" in text or "busy" in text:
        reason = "it is busy with other saves and did not free up in time. Please try again in a moment"
    elif "permission denied for" in text or "row-level security" in text:  # PostgreSQL's grants and row security (workshop_kit.commands.hub)
        reason = "this login is not allowed to do that: on a shared programme only facilitators can read everyone's answers, and each participant only their own"
    elif "readonly" in text or "read-only" in text or "permission denied" in text:
        reason = "it is read-only. Ask your facilitator to check the store's permissions"
    elif "unable to open" in text or "no such file" in text or "does not exist" in text:
        reason = _why_unopenable(url)
    elif "full" in text or "no space" in text:
        reason = "the disk is full. Free some space, then try again"
    elif "password authentication failed" in text or "no password supplied" in text:
        reason = "it refused this login (wrong user name or password). Ask your facilitator to check WORKSHOP_KIT_STORE"
    elif "connection" in text or "could not connect" in text or "refused" in text:
        reason = "it cannot be reached. Check the network, or ask your facilitator"
    else:
        reason = f"the database said: {getattr(exc, 'orig', exc)}"
    return StoreError(f"Could not {action} {where}: {reason}.")


def _why_unopenable(url: str) -> str:
    """Why SQLite said "unable to open": a missing folder, a read-only disk, or a missing file."""
    if make_url(url).get_backend_name() != "sqlite":
        return "it does not exist. Ask your facilitator to check WORKSHOP_KIT_STORE"
    path = _sqlite_file(url)
    if not path.parent.is_dir():
        return "its folder cannot be found. Ask your facilitator to check WORKSHOP_KIT_STORE"
    try:
        read_only_disk = bool(os.statvfs(path.parent).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # no statvfs on Windows
        read_only_disk = False
    if read_only_disk or not os.access(path.parent, os.W_OK):
        return "its folder is read-only, so the store cannot be opened. Ask your facilitator to check the store's permissions"
    if not path.exists():
        return "the file does not exist. Ask your facilitator to check WORKSHOP_KIT_STORE"
    return "the file cannot be opened. Ask your facilitator to check WORKSHOP_KIT_STORE"



@dataclass(frozen=True)
class _Key:
    participant: str
    cohort: str


def _who(participant: str, cohort: str) -> _Key:
    """The checked names an answer is keyed by.  The store never works out who is answering:
    the caller says (``workshop_kit.current_identity`` does it for a notebook)."""
    return _Key(validate_name(participant, "participant name"), validate_name(cohort, "cohort name"))


class ResponseStore:
    """The front door for answers: save, read back, summarise, export, import, forget.

    ``ResponseStore()`` opens the store named by ``WORKSHOP_KIT_STORE`` (or the default
    file); pass a path or URL to choose another.  Usable in a ``with`` block.
    """

    def __init__(self, location: str | os.PathLike[str] | None = None, *, catalogue: Catalogue | None = None):
        self.url = resolve_store_url(location)
        self._catalogue = catalogue
        self._engine: Engine | None = None
        self._hub_participant: bool | None = None  # see database_release
        self._ready = False
        self._lock = threading.Lock()
        self._lock_path = f"{self.sqlite_path}-writers.lock" if self.sqlite_path else None
        if self.is_sqlite:
            folder = _sqlite_file(self.url).parent
            if not folder.is_dir():
                raise StoreError(f"Could not open {_describe(self.url)}: the folder {folder} does not exist.")

    # --- connection --------------------------------------------------------------------

    @property
    def sqlite_path(self) -> Path | None:
        """The SQLite file behind the store, or None for a server or an in-memory database."""
        if not self.is_sqlite:
            return None
        path = _sqlite_file(self.url)
        return None if path.name in ("", ".", ":memory:") else path

    @property
    def is_sqlite(self) -> bool:
        """True when the store is an SQLite file (rather than a shared server)."""
        return make_url(self.url).get_backend_name() == "sqlite"

    @property
    def catalogue(self) -> Catalogue:
        """The catalogue answers are checked against (``WORKSHOP_KIT_CATALOGUE`` unless one was given)."""
        return self._catalogue or default_catalogue()

    @property
    def location(self) -> str:
        """Where the answers are kept, in words (no password)."""
        return _describe(self.url)

    def _make_engine(self) -> Engine:
        try:
            if self.is_sqlite:
                engine = create_engine(self.url, connect_args={"timeout": BUSY_TIMEOUT_SECONDS})
                event.listen(engine, "connect", _sqlite_on_connect)
                event.listen(engine, "begin", _sqlite_on_begin)
                return engine
            return create_engine(self.url, pool_pre_ping=True, pool_size=2, max_overflow=4)
        except (ArgumentError, SQLAlchemyError, ImportError) as exc:
            raise StoreError(f"The store address {self.url!r} is not one the kit understands ({exc}).") from None

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine, created (and the schema checked) on first use."""
        with self._lock:
            if self._engine is None:
                self._engine = self._make_engine()
        if not self._ready:
            self._ensure_schema(self._engine)
        return self._engine

    @contextmanager
    def _write(self, action: str = "save to") -> Iterator[Connection]:
        """A write transaction (SQLite: BEGIN IMMEDIATE, so writers queue instead of colliding)."""
        try:
            engine = self.engine
            with self._writers_queue(), engine.connect().execution_options(immediate=True) as conn, conn.begin():
                yield conn
        except (DBAPIError, OSError) as exc:
            raise _friendly(exc, self.url, action) from exc

    @contextmanager
    def _writers_queue(self) -> Iterator[None]:
        """On SQLite, take turns on an OS file lock beside the database before writing.

        SQLite's own busy handler sleeps in steps of up to 100 ms, so under 40 writers a
        save could wait far longer than the lock was held; here the kernel wakes the next
        waiter the moment the lock is free.  Where the lock file cannot be made (read-only folder,
        Windows) the busy timeout alone still keeps saves from colliding.
        """
        lock_path = self._lock_path
        if lock_path is None or fcntl is None:
            yield
            return
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            yield
            return
        if not _take_turn(fd, BUSY_TIMEOUT_SECONDS):
            yield  # the holder is stuck: fall back on SQLite's busy timeout (fd is closed by its waiter)
            return
        try:
            yield
        finally:
            os.close(fd)  # closing releases the lock

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as conn:
                yield conn
        except (DBAPIError, OSError) as exc:
            raise _friendly(exc, self.url, "read from") from exc

    def _ensure_schema(self, engine: Engine) -> None:
        """Create the tables on first use, upgrade an older store, and check the schema version."""
        try:
            with engine.connect() as conn:
                version = _schema_version(conn)
                # a table added later without a format change (people) is created on first use
                missing = version == SCHEMA_VERSION and not all(inspect(conn).has_table(t) for t in metadata.tables)
            if version is None or missing or version in (1, 2):
                try:
                    with engine.connect().execution_options(immediate=True) as conn, conn.begin():
                        if conn.dialect.name == "postgresql":
                            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7204519)")
                        version = _schema_version(conn)  # again: another process may have got here first
                        if version == 1:
                            _upgrade_from_1(conn)
                            version = 2
                        metadata.create_all(conn)  # format 3's retention table, and any table added since
                        if version == 2:
                            conn.execute(update(kit_meta).where(kit_meta.c.key == "schema_version").values(value=str(SCHEMA_VERSION)))
                            version = SCHEMA_VERSION
                        if version is None:
                            conn.execute(insert(kit_meta).values(key="schema_version", value=str(SCHEMA_VERSION)))
                            version = SCHEMA_VERSION
                except (DBAPIError, OSError) as exc:
                    if version in (1, 2):
                        reason = getattr(exc, "orig", None) or exc
                        raise StoreError(
                            f"Could not open {_describe(self.url)}: it was made by an earlier version of workshop-kit and "
                            f"needs a one-off upgrade, which could not be written ({str(reason).splitlines()[0]}). "
                            "Open it once with permission to change it."
                        ) from None
                    if not missing:
                        raise  # an older store opened read-only can still be read
        except (DBAPIError, OSError) as exc:
            raise _friendly(exc, self.url, "open") from exc
        if version != SCHEMA_VERSION:
            raise StoreError(
                f"Could not open {_describe(self.url)}: it was made by a different version of workshop-kit "
                f"(store format {version}; this kit reads format {SCHEMA_VERSION}). Please update the kit."
            )
        self._ready = True

    @property
    def schema_version(self) -> int | None:
        """The format number recorded in the store."""
        with self._read() as conn:
            return _schema_version(conn)

    def close(self) -> None:
        """Release the database connections."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
            self._ready = False

    def __enter__(self) -> ResponseStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ResponseStore({self.location})"

    # --- saving ------------------------------------------------------------------------

    def save(
        self, exercise_id: str, answer: Any, *, participant: str, cohort: str, allow_contact_details: bool = False
    ) -> Response:
        """Check the answer against the catalogue and for identifiers, and append it; returns the saved row.

        Refused answers raise :class:`AnswerError` and write nothing; one holding an NHS
        number, postcode, e-mail address or phone number raises its subclass
        :class:`~workshop_kit.catalogue.identifiers.IdentifierError`.  ``allow_contact_details`` is the
        participant's confirmation that an e-mail address or phone number is meant to be
        there; NHS numbers and postcodes are refused whatever it says.
        """
        try:
            exercise = self.catalogue.exercise(exercise_id)
        except CatalogueError as exc:
            raise AnswerError(str(exc)) from None
        clean = validate_answer(exercise, answer)
        check_identifiers(exercise, clean, allow_contact_details=allow_contact_details)
        who = _who(participant, cohort)
        response = Response(
            uid=str(uuid.uuid4()),
            cohort=who.cohort,
            participant=who.participant,
            exercise_id=exercise_id,
            answer=clean,
            saved_at=dt.datetime.now(dt.timezone.utc),
            kit_version=__version__,
        )
        row = _row(response)
        answer_key = {"the_cohort": response.cohort, "the_participant": response.participant, "the_exercise_id": exercise_id}
        with self._write() as conn:  # statements built once and values passed apart: other writers wait while this runs
            _take_participant(conn, response.cohort, response.participant)
            conn.execute(_INSERT, row)
            conn.execute(_SETTLE_ONE_ANSWER, answer_key)
        return response

    def add_responses(self, rows: list[Response]) -> int:
        """Append already-checked rows in one transaction, skipping any already present; returns how many were added."""
        added = 0
        touched: dict[str, set[str]] = {}  # cohort -> participants with new rows
        with self._write("import into") as conn:
            for cohort, participant in sorted({(r.cohort, r.participant) for r in rows}):
                _take_participant(conn, cohort, participant)
            for chunk in _chunks(rows, 500):
                uids = [r.uid for r in chunk]
                present = set(conn.execute(select(responses.c.uid).where(responses.c.uid.in_(uids))).scalars())
                new = []
                for r in chunk:
                    if r.uid not in present:  # also skips a row repeated within the file
                        present.add(r.uid)
                        new.append(_row(r))
                if new:
                    conn.execute(_INSERT, new)
                    added += len(new)
                    for row in new:
                        touched.setdefault(row["cohort"], set()).add(row["participant"])
            for cohort, participants in touched.items():
                for some in _chunks(sorted(participants), 500):
                    _settle_current(conn, cohort, some)
        return added

    # --- reading -----------------------------------------------------------------------

    def latest(self, exercise_id: str, *, participant: str, cohort: str) -> Response | None:
        """The participant's current answer to one exercise, or None."""
        who = _who(participant, cohort)
        query = (
            select(responses)
            .where(responses.c.cohort == who.cohort, responses.c.participant == who.participant, responses.c.exercise_id == exercise_id)
            .order_by(responses.c.saved_at.desc(), responses.c.id.desc())
            .limit(1)
        )
        with self._read() as conn:
            row = conn.execute(query).mappings().first()
        return _response(row) if row else None

    def history(self, exercise_id: str, *, participant: str, cohort: str) -> list[Response]:
        """Every saved version of one answer, oldest first."""
        who = _who(participant, cohort)
        query = (
            select(responses)
            .where(responses.c.cohort == who.cohort, responses.c.participant == who.participant, responses.c.exercise_id == exercise_id)
            .order_by(responses.c.saved_at, responses.c.id)
        )
        with self._read() as conn:
            return [_response(r) for r in conn.execute(query).mappings()]

    def my_answers(self, *, participant: str, cohort: str) -> dict[str, Response]:
        """The participant's current answer to every exercise they have saved, by exercise id."""
        who = _who(participant, cohort)
        return {r.exercise_id: r for r in self.latest_answers(who.cohort, participant=who.participant)}

    def latest_answers(self, cohort: str | None = None, exercise_id: str | None = None, *, participant: str | None = None) -> list[Response]:
        """The current answer of every participant (optionally one cohort / exercise / participant), in saving order."""
        return self._current_rows(cohort, None if exercise_id is None else [exercise_id], participant)

    def current_answers(self, cohort: str, exercise_ids: Collection[str] | None = None) -> dict[str, list[Response]]:
        """Each participant's current answer in one cohort, by exercise id, in saving order."""
        by_exercise: dict[str, list[Response]] = {}
        for r in self._current_rows(cohort, exercise_ids):
            by_exercise.setdefault(r.exercise_id, []).append(r)
        return by_exercise

    def _current_rows(self, cohort: str | None, exercise_ids: Collection[str] | None, participant: str | None = None) -> list[Response]:
        query = select(*_RESPONSE_FIELDS).where(IS_CURRENT).order_by(responses.c.id)
        if cohort is not None:
            query = query.where(responses.c.cohort == cohort)
        if exercise_ids is not None:
            query = query.where(responses.c.exercise_id.in_(list(exercise_ids)))
        if participant is not None:
            query = query.where(responses.c.participant == participant)
        with paused_gc(), self._read() as conn:
            return _responses(conn.execute(query).all())

    def answer_history_since(self, cohort: str, exercise_id: str, after_id: int) -> tuple[list[tuple[int, str, dt.datetime, str]], int]:
        """The versions saved after row ``after_id`` (row id, participant, saved_at, answer), and how many versions there are in all.

        What :class:`workshop_kit.summaries.compare.ReleaseWalk` reads to go on from where it
        stopped; the count, read after the rows, tells it when rows were deleted.  From the
        start (``after_id`` 0) the rows are all there is, so no count is read.
        """
        where = (responses.c.cohort == cohort, responses.c.exercise_id == exercise_id)
        query = select(responses.c.id, responses.c.participant, responses.c.saved_at, responses.c.answer).where(*where, responses.c.id > after_id).order_by(responses.c.id)
        with self._read() as conn:
            rows = [(row_id, p, saved_at, answer) for row_id, p, saved_at, answer in conn.execute(query)]
            total = len(rows) if after_id == 0 else conn.execute(select(func.count()).select_from(responses).where(*where)).scalar_one()
        return rows, total

    def database_release(self, cohort: str, exercise_id: str) -> tuple[list[str], int, int, int, int, bool] | None:
        """On a JupyterHub store whose login may read only its own rows, the cohort's last release as the database works it out.

        (others' released answers with no names, sorted; others in the release; others with
        an answer now; people moved since; the step; whether this login has answered), from
        ``wk_cohort_release`` (see :mod:`workshop_kit.commands.hub`).  None on any other store, where
        :func:`workshop_kit.summaries.compare.released` reads the rows itself.
        """
        if self._hub_participant is None:
            hub_participant = False
            if make_url(self.url).get_backend_name() == "postgresql":
                check = text(
                    "SELECT EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member"
                    " WHERE g.rolname = 'wk_participants' AND u.rolname = session_user)"  # granted to this login itself (a superuser is in every role)
                    " AND to_regprocedure('wk_cohort_release(text, text)') IS NOT NULL"
                )
                with self._read() as conn:
                    hub_participant = bool(conn.execute(check).scalar())
            self._hub_participant = hub_participant  # only once known: a failed check is asked again next time
        if not self._hub_participant:
            return None
        with self._read() as conn:
            row = conn.execute(text("SELECT * FROM wk_cohort_release(:cohort, :exercise)"), {"cohort": cohort, "exercise": exercise_id}).one()
        return list(row.answers), row.others_released, row.others_now, row.pending, row.step, row.answered

    def answer_tallies(self, cohort: str, exercise_ids: Collection[str]) -> dict[str, list[tuple[Any, int]]]:
        """Each exercise's distinct current answers in one cohort, with how many participants gave each.

        What a cohort summary counts, grouped by the database: at 30,000 participants a
        scale exercise comes back as a few dozen rows instead of 30,000.
        """
        query = (
            select(responses.c.exercise_id, responses.c.answer, func.count())
            .where(responses.c.cohort == cohort, IS_CURRENT, responses.c.exercise_id.in_(list(exercise_ids)))
            .group_by(responses.c.exercise_id, responses.c.answer)
        )
        with paused_gc():
            with self._read() as conn, conn.begin():
                if conn.dialect.name == "postgresql":  # its default 4 MB spills a large cohort's grouping to disk
                    conn.exec_driver_sql("SET LOCAL work_mem = '64MB'")
                rows = conn.execute(query).all()
            answers = json.loads("[" + ",".join([row[1] for row in rows]) + "]")
            tallies: dict[str, list[tuple[Any, int]]] = {}
            for row, answer in zip(rows, answers):
                tallies.setdefault(row[0], []).append((answer, row[2]))
            return tallies

    def answered(self, cohort: str, exercise_ids: Collection[str]) -> dict[str, int]:
        """How many participants of a cohort have a current answer to each of these exercises (answers unread)."""
        query = (
            select(responses.c.exercise_id, func.count())
            .where(responses.c.cohort == cohort, IS_CURRENT, responses.c.exercise_id.in_(list(exercise_ids)))
            .group_by(responses.c.exercise_id)
        )
        with self._read() as conn:
            return {exercise_id: int(count) for exercise_id, count in conn.execute(query)}

    def programme_tallies(self, cohorts: Collection[str], exercise_ids: Collection[str]) -> dict[str, dict[str, list[tuple[Any, int]]]]:
        """:meth:`answer_tallies` for many cohorts in one query: cohort → exercise id → (answer, how many gave it)."""
        query = (
            select(responses.c.cohort, responses.c.exercise_id, responses.c.answer, func.count())
            .where(responses.c.cohort.in_(list(cohorts)), IS_CURRENT, responses.c.exercise_id.in_(list(exercise_ids)))
            .group_by(responses.c.cohort, responses.c.exercise_id, responses.c.answer)
        )
        with paused_gc():
            with self._read() as conn, conn.begin():
                if conn.dialect.name == "postgresql":
                    conn.exec_driver_sql("SET LOCAL work_mem = '64MB'")
                rows = conn.execute(query).all()
            answers = json.loads("[" + ",".join([row[2] for row in rows]) + "]")
            tallies: dict[str, dict[str, list[tuple[Any, int]]]] = {}
            for row, answer in zip(rows, answers):
                tallies.setdefault(row[0], {}).setdefault(row[1], []).append((answer, row[3]))
            return tallies

    def answered_in(self, cohorts: Collection[str], exercise_ids: Collection[str]) -> dict[str, dict[str, int]]:
        """:meth:`answered` for many cohorts in one query: cohort → exercise id → participants with a current answer."""
        query = (
            select(responses.c.cohort, responses.c.exercise_id, func.count())
            .where(responses.c.cohort.in_(list(cohorts)), IS_CURRENT, responses.c.exercise_id.in_(list(exercise_ids)))
            .group_by(responses.c.cohort, responses.c.exercise_id)
        )
        counts: dict[str, dict[str, int]] = {}
        with self._read() as conn:
            for cohort, exercise_id, n in conn.execute(query):
                counts.setdefault(cohort, {})[exercise_id] = int(n)
        return counts

    def participant_counts(self, cohorts: Collection[str]) -> dict[str, int]:
        """How many participants of each cohort have saved anything (cohorts with none are left out)."""
        who = select(responses.c.cohort, responses.c.participant).where(responses.c.cohort.in_(list(cohorts))).distinct().subquery()
        query = select(who.c.cohort, func.count()).group_by(who.c.cohort)
        with self._read() as conn:
            return {cohort: int(n) for cohort, n in conn.execute(query)}

    def current_answers_in(self, cohorts: Collection[str], exercise_ids: Collection[str]) -> list[Response]:
        """Every participant's current answer to these exercises in these cohorts, in saving order."""
        query = (
            select(*_RESPONSE_FIELDS)
            .where(IS_CURRENT, responses.c.cohort.in_(list(cohorts)), responses.c.exercise_id.in_(list(exercise_ids)))
            .order_by(responses.c.id)
        )
        with paused_gc(), self._read() as conn:
            return _responses(conn.execute(query).all())

    def all_responses(self, cohort: str | None = None, *, participant: str | None = None) -> list[Response]:
        """Every row, history included, oldest first (what an export holds)."""
        query = select(*_RESPONSE_FIELDS).order_by(responses.c.id)
        if cohort is not None:
            query = query.where(responses.c.cohort == cohort)
        if participant is not None:
            query = query.where(responses.c.participant == participant)
        with paused_gc(), self._read() as conn:
            return _responses(conn.execute(query).all())

    def cohorts(self) -> list[str]:
        """The cohorts with at least one answer, by name."""
        with self._read() as conn:
            return list(conn.execute(select(responses.c.cohort).distinct().order_by(responses.c.cohort)).scalars())

    def participants(self, cohort: str) -> list[str]:
        """The participants of a cohort who have saved anything, by name."""
        query = select(responses.c.participant).where(responses.c.cohort == cohort).distinct().order_by(responses.c.participant)
        with self._read() as conn:
            return list(conn.execute(query).scalars())

    def participant_count(self, cohort: str) -> int:
        """How many participants of a cohort have saved anything."""
        # a DISTINCT subquery, not count(DISTINCT …): PostgreSQL hashes the one and sorts for the other (0.2 s against 0.7 s at 30,000)
        who = select(responses.c.participant).where(responses.c.cohort == cohort).distinct().subquery()
        query = select(func.count()).select_from(who)
        with self._read() as conn:
            return int(conn.execute(query).scalar_one())

    def issued_count(self, cohort: str) -> int:
        """How many personal links have been issued in a cohort's room (people who joined, whether or not they saved)."""
        query = select(func.count()).select_from(people).where(people.c.cohort == cohort)
        with self._read() as conn:
            return int(conn.execute(query).scalar_one())

    def answers_by_participant(self, cohort: str) -> dict[str, int]:
        """How many exercises each participant of a cohort has a current answer to."""
        query = select(responses.c.participant, func.count()).where(responses.c.cohort == cohort, IS_CURRENT).group_by(responses.c.participant)
        with self._read() as conn:
            return {participant: int(count) for participant, count in conn.execute(query)}

    def cohort_extent(self, cohort: str) -> tuple[int, int]:
        """(rows the cohort holds, its highest row id), 0 and 0 when it has none."""
        query = select(func.count(), func.max(responses.c.id)).where(responses.c.cohort == cohort)
        with self._read() as conn:
            rows, top = conn.execute(query).one()
        return int(rows), int(top or 0)

    def rows_after(self, cohort: str, after_id: int) -> tuple[int, list[tuple[int, str]]]:
        """(rows the cohort holds now, (row id, exercise id) of its rows with a higher id than ``after_id``), from one snapshot.

        The store is append-only, so a live view can ask just for this; rows deleted since
        (a participant forgotten) show up as a count that does not add up.
        """
        count = select(func.count()).select_from(responses).where(responses.c.cohort == cohort)
        new = select(responses.c.id, responses.c.exercise_id).where(responses.c.cohort == cohort, responses.c.id > after_id)
        with self._read() as conn, conn.begin():
            total = int(conn.execute(count).scalar_one())
            return total, [(int(row_id), exercise_id) for row_id, exercise_id in conn.execute(new)]

    def count(self, cohort: str | None = None) -> int:
        """How many rows (saves) the store holds, optionally for one cohort."""
        query = select(func.count()).select_from(responses)
        if cohort is not None:
            query = query.where(responses.c.cohort == cohort)
        with self._read() as conn:
            return int(conn.execute(query).scalar_one())

    # --- retention ----------------------------------------------------------------------

    def set_retention(self, cohort: str, *, expires_on: dt.date | None = None, keep_days: int | None = None) -> Retention | None:
        """Set (or, with neither argument, clear) how long a cohort's answers are kept; ``purge`` applies it."""
        cohort = validate_name(cohort, "cohort name")
        if expires_on is not None and keep_days is not None:
            raise AnswerError("Give either a date the answers expire on or how many days to keep each answer, not both.")
        if keep_days is not None and (isinstance(keep_days, bool) or not isinstance(keep_days, int) or keep_days < 1):
            raise AnswerError(f"The number of days to keep answers must be a whole number of at least 1 (got {keep_days!r}).")
        if expires_on is not None and not isinstance(expires_on, dt.date):
            raise AnswerError(f"The expiry date must be a date like 2026-06-30 (got {expires_on!r}).")
        if isinstance(expires_on, dt.datetime):
            expires_on = expires_on.date()
        with self._write("change the retention setting in") as conn:
            conn.execute(delete(retention).where(retention.c.cohort == cohort))
            if expires_on is None and keep_days is None:
                return None
            rule = Retention(cohort, expires_on, keep_days, dt.datetime.now(dt.timezone.utc))
            conn.execute(insert(retention).values(cohort=cohort, expires_on=expires_on, keep_days=keep_days, set_at=rule.set_at))
        return rule

    def retention_rules(self) -> list[Retention]:
        """Every cohort's retention rule, by cohort."""
        with self._read() as conn:
            rows = conn.execute(select(retention).order_by(retention.c.cohort)).all()
        return [Retention(r.cohort, r.expires_on, r.keep_days, r.set_at) for r in rows]

    def retention_rule(self, cohort: str) -> Retention | None:
        """One cohort's retention rule, or None (kept until deleted by hand)."""
        return next((r for r in self.retention_rules() if r.cohort == cohort), None)

    def purge(self, *, dry_run: bool = False, now: dt.datetime | None = None) -> list[Purged]:
        """Delete every answer and room record that has expired under its cohort's rule, in one transaction.

        With ``dry_run`` the same rows are counted and nothing is deleted.  Cohorts without
        a rule are never touched.  Deleting whole answers (every version older than the
        age) leaves each remaining answer's latest version flagged current, as before.
        """
        now = now or dt.datetime.now(dt.timezone.utc)
        done = []
        with self._write("delete from") as conn:
            rules = [Retention(r.cohort, r.expires_on, r.keep_days, r.set_at) for r in conn.execute(select(retention).order_by(retention.c.cohort))]
            for rule in rules:
                old_answers: tuple[ColumnElement[bool], ...]
                old_records: list[tuple[Table, tuple[ColumnElement[bool], ...]]]
                if rule.expires_on is not None:
                    if now.date() < rule.expires_on:
                        continue
                    old_answers = (responses.c.cohort == rule.cohort,)
                    old_records = [(table, (table.c.cohort == rule.cohort,)) for table in (people, room_signals, room_live)]
                else:
                    assert rule.keep_days is not None  # set_retention stores a date or a number of days
                    cutoff = now - dt.timedelta(days=rule.keep_days)
                    old_answers = (responses.c.cohort == rule.cohort, responses.c.saved_at < cutoff)
                    old_records = [(people, (people.c.cohort == rule.cohort, people.c.created_at < cutoff))]
                    old_records += [(table, (table.c.cohort == rule.cohort, table.c.updated < cutoff)) for table in (room_signals, room_live)]
                if dry_run:
                    answers = conn.execute(select(func.count()).select_from(responses).where(*old_answers)).scalar_one()
                    records = sum(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one() for table, where in old_records)
                else:
                    answers = conn.execute(delete(responses).where(*old_answers)).rowcount
                    records = sum(conn.execute(delete(table).where(*where)).rowcount or 0 for table, where in old_records)
                done.append(Purged(rule.cohort, rule, int(answers or 0), int(records or 0)))
        return done

    # --- forgetting --------------------------------------------------------------------

    def forget(self, participant: str, cohort: str) -> int:
        """Delete every answer (and done / help signal) of one participant in one cohort; returns how many answers went."""
        with self._write("delete from") as conn:
            result = conn.execute(delete(responses).where(responses.c.cohort == cohort, responses.c.participant == participant))
            forget_signals(conn, participant, cohort)
            return int(result.rowcount or 0)

    # --- the live room (live.py) ----------------------------------------------------------

    def live_state_text(self, cohort: str) -> str | None:
        """The room's live state as stored (JSON text), or None if nothing was ever set."""
        with self._read() as conn:
            return conn.execute(select(room_live.c.state).where(room_live.c.cohort == cohort)).scalar()

    def change_live_state(self, cohort: str, change: Callable[[str | None], str]) -> str:
        """Replace the room's live state with ``change(old JSON text or None)``, in one transaction; returns the new text.

        Writers take turns (SQLite's writer queue; on PostgreSQL a lock on the cohort's
        state), so two changes made at once are applied one after the other, neither lost.
        """
        with self._write() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(_HOLD_PARTICIPANT, {"the_key": f"{cohort}\x1froom_live"})
            old = conn.execute(select(room_live.c.state).where(room_live.c.cohort == cohort)).scalar()
            new = change(old)
            now = dt.datetime.now(dt.timezone.utc)
            if old is None:
                conn.execute(insert(room_live).values(cohort=cohort, state=new, updated=now))
            else:
                conn.execute(update(room_live).where(room_live.c.cohort == cohort).values(state=new, updated=now))
        return new

    def set_signal(self, cohort: str, participant: str, exercise_id: str, signal: str | None) -> None:
        """Record one participant's signal ("done", "help") on one exercise, or clear it (None)."""
        key = (room_signals.c.cohort == cohort, room_signals.c.participant == participant, room_signals.c.exercise_id == exercise_id)
        with self._write() as conn:
            conn.execute(delete(room_signals).where(*key))
            if signal is not None:
                now = dt.datetime.now(dt.timezone.utc)
                conn.execute(insert(room_signals).values(cohort=cohort, participant=participant, exercise_id=exercise_id, signal=signal, updated=now))

    def signal_of(self, cohort: str, participant: str, exercise_id: str) -> str | None:
        """One participant's signal on one exercise, or None."""
        query = select(room_signals.c.signal).where(
            room_signals.c.cohort == cohort, room_signals.c.participant == participant, room_signals.c.exercise_id == exercise_id
        )
        with self._read() as conn:
            return conn.execute(query).scalar()

    def signal_counts(self, cohort: str, exercise_id: str) -> dict[str, int]:
        """How many participants of a cohort gave each signal on one exercise (signals with none are left out)."""
        query = (
            select(room_signals.c.signal, func.count())
            .where(room_signals.c.cohort == cohort, room_signals.c.exercise_id == exercise_id)
            .group_by(room_signals.c.signal)
        )
        with self._read() as conn:
            return {signal: int(n) for signal, n in conn.execute(query)}


def forget_signals(conn: Connection, participant: str, cohort: str) -> int:
    """Within a write transaction, delete one participant's done / help signals in one cohort (part of forgetting them)."""
    result = conn.execute(delete(room_signals).where(room_signals.c.cohort == cohort, room_signals.c.participant == participant))
    return int(result.rowcount or 0)


# --- helpers -------------------------------------------------------------------------------


def _sqlite_on_connect(dbapi_connection: Any, record: Any) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy's begin event issues BEGIN itself
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")
    try:
        cursor.execute("PRAGMA journal_mode = WAL")
    except Exception:  # a read-only file cannot switch modes; reading still works
        pass
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _sqlite_on_begin(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("immediate") else "BEGIN")


def _take_turn(fd: int, timeout: float) -> bool:
    """Lock ``fd`` exclusively, waiting at most ``timeout`` seconds; False if the wait was abandoned.

    The kernel wakes a blocked waiter the moment the lock is released.  The blocking wait
    runs in a helper thread so that a stuck holder cannot hang a participant's Save; an
    abandoned waiter closes ``fd`` itself once it finally gets the lock.
    """
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        pass
    decided = threading.Lock()
    state = {"got": False, "abandoned": False}
    got = threading.Event()

    def wait() -> None:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with decided:
            if state["abandoned"]:
                os.close(fd)
                return
            state["got"] = True
        got.set()

    threading.Thread(target=wait, daemon=True, name="workshop-kit-writer-queue").start()
    got.wait(timeout)
    with decided:
        state["abandoned"] = not state["got"]
        return state["got"]


def _take_participant(conn: Connection, cohort: str, participant: str) -> None:
    """On PostgreSQL, hold one participant's answers until this transaction ends.

    Two saves of the same answer at the same moment would otherwise each flag their own
    row current, neither seeing the other's.  SQLite writers already take turns.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(_HOLD_PARTICIPANT, {"the_key": f"{cohort}\x1f{participant}"})


_HOLD_PARTICIPANT = select(func.pg_advisory_xact_lock(func.hashtext(bindparam("the_key"))))


_other = responses.alias("other")
_LATEST_ID = (  # the id of the latest row of the same answer as the row being updated
    select(_other.c.id)
    .where(_other.c.cohort == responses.c.cohort, _other.c.participant == responses.c.participant, _other.c.exercise_id == responses.c.exercise_id)
    .order_by(_other.c.saved_at.desc(), _other.c.id.desc())
    .limit(1)
    .scalar_subquery()
)


def _settling(*chosen: Any) -> Any:
    """The UPDATE that takes the current flag off every flagged row (of those chosen) that is not its answer's latest.

    Rows that keep their flag are not written at all: importing a cohort into an empty
    store writes nothing here.
    """
    return update(responses).where(IS_CURRENT, *chosen, responses.c.id != _LATEST_ID).values(is_current=False)


_INSERT = insert(responses)
_SETTLE_ONE_ANSWER = _settling(*(responses.c[name] == bindparam(f"the_{name}") for name in ("cohort", "participant", "exercise_id")))


def _settle_current(conn: Connection, cohort: str | None = None, participants: list[str] | None = None) -> None:
    """Among the rows chosen (default: all) that are flagged current, keep the flag only on each answer's latest row.

    New rows are written flagged, so an answer's latest row is always among its flagged
    rows, and only those few are looked at, however long the history.  Latest is the
    greatest ``saved_at`` for (cohort, participant, exercise), a tie going to the later
    row: the rule ``summaries.latest_only`` applies in Python.  (One answer: ``_SETTLE_ONE_ANSWER``.)
    """
    chosen = []
    if cohort is not None:
        chosen.append(responses.c.cohort == cohort)
    if participants is not None:
        chosen.append(responses.c.participant.in_(participants))
    conn.execute(_settling(*chosen))


def _upgrade_from_1(conn: Connection) -> None:
    """Format 1 → 2: add ``responses.is_current``, flag every current answer, index them and each answer's versions."""
    column = CreateColumn(responses.c.is_current).compile(dialect=conn.dialect)
    conn.execute(text(f"ALTER TABLE responses ADD COLUMN {column}"))
    conn.execute(text("DROP INDEX IF EXISTS ix_responses_who"))  # format 1's, without saved_at and id
    next(i for i in responses.indexes if i.name == "ix_responses_history").create(conn, checkfirst=True)  # settling reads it
    conn.execute(update(responses).values(is_current=True))
    _settle_current(conn)
    for index in CURRENT_INDEXES:
        index.create(conn, checkfirst=True)  # each is made only on its own dialect
    conn.execute(update(kit_meta).where(kit_meta.c.key == "schema_version").values(value="2"))


def _schema_version(conn: Connection) -> int | None:
    if not inspect(conn).has_table("kit_meta"):
        return None
    value = conn.execute(select(kit_meta.c.value).where(kit_meta.c.key == "schema_version")).scalar()
    return int(value) if value is not None else None


def _row(r: Response) -> dict[str, Any]:
    return {
        "uid": r.uid,
        "cohort": r.cohort,
        "participant": r.participant,
        "exercise_id": r.exercise_id,
        "answer": json.dumps(r.answer, ensure_ascii=False, allow_nan=False),
        "saved_at": r.saved_at,
        "kit_version": r.kit_version,
        "is_current": True,  # until _settle_current finds a later row of the same answer
    }


def _response(row: Any) -> Response:
    return _responses([tuple(row[c] for c in _FIELD_NAMES)])[0]


def _responses(rows: Sequence[Any]) -> list[Response]:
    """Responses from rows in ``_FIELD_NAMES`` order (saved_at raw or parsed), answers decoded in one JSON pass."""
    if not rows:
        return []
    answers = json.loads("[" + ",".join(r[4] for r in rows) + "]")
    return [Response(r[0], r[1], r[2], r[3], answer, _utc(r[5]), r[6]) for r, answer in zip(rows, answers)]


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a cohort's answers are read and summarised.

    Reading a big cohort makes a million short-lived objects; the collector would sweep
    them again and again (at 30,000 participants that cost more than the work itself).
    Nothing here makes reference cycles, so pausing frees no less memory in the end.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _utc(value: Any) -> dt.datetime:
    """An aware UTC datetime from a stored timestamp (text from SQLite, naive datetime from PostgreSQL)."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value.astimezone(dt.timezone.utc)


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


_default_stores: dict[str, ResponseStore] = {}


def default_store() -> ResponseStore:
    """This kernel's store for ``WORKSHOP_KIT_STORE`` (or the default file), opened once and reused."""
    url = resolve_store_url()
    if url not in _default_stores:
        _default_stores[url] = ResponseStore(url)
    return _default_stores[url]
