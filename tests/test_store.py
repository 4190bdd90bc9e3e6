"""Tests for workshop_kit.store.responses: where answers go, append-only saving, refusals, SQLite settings,
schema versions, failures a facilitator can act on, many writers at once, and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import inspect
from writers import run_writers

from workshop_kit import __version__
from workshop_kit.errors import AnswerError, IdentityError, StoreError
from workshop_kit.store.responses import (
    BUSY_TIMEOUT_SECONDS,
    SCHEMA_VERSION,
    STORE_ENV,
    Response,
    ResponseStore,
    default_store,
    default_store_path,
    resolve_store_url,
)

# (exercise id, a bad answer, words the refusal must contain) — at least one per kind.
BAD_ANSWERS = [
    ("brand.value", 11, "must be a whole number from 1 to 10 (got 11)"),
    ("brand.value", 0, "must be a whole number from 1 to 10 (got 0)"),
    ("risk.appetite", {"now": 3, "target": 0}, "'Needed for the role' must be a whole number from 1 to 10 (got 0)"),
    ("brand.attributes", ["Strategic", "Decisive"], "please choose exactly 3 (you chose 2)"),
    ("brand.attributes", ["Strategic", "Decisive", "Friendly", "Supportive"], "please choose exactly 3 (you chose 4)"),
    ("brand.attributes", ["Strategic", "Strategic", "Decisive"], "“Strategic” is chosen more than once"),
    ("goal.statement", "x" * 281, "is 281 characters long; the limit is 280"),
    ("goal.statement", "   ", "is empty"),
    ("week.time-budget", {"Operations": 50, "Change": 30, "Relationships": 10, "Strategy": 5}, "add up to 95; they must add up to exactly 100"),
    ("system.map", [{"name": "CEO", "x": 12, "y": 5, "tag": "My organisation"}], "from 1 to 10 (got 12)"),
    ("relationships.log", [{"stakeholder": "", "heard": "Pressures"}], "'Stakeholder' must be filled in"),
]


def raw_rows(path: Path) -> list[sqlite3.Row]:
    """Every row of the responses table, read with plain sqlite3 (not through the store)."""
    if not path.exists():
        return []
    with sqlite3.connect(path) as conn:
        conn.row_factory = sqlite3.Row
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'responses'").fetchone():
            return []
        return conn.execute("SELECT * FROM responses ORDER BY id").fetchall()


class TestResolveStoreUrl:
    def test_default_is_sqlite_in_the_user_data_folder(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without WORKSHOP_KIT_STORE the store is answers.sqlite in the platform's data folder for workshop-kit."""
        monkeypatch.delenv(STORE_ENV)
        monkeypatch.setenv("HOME", str(tmp_path / "home"))
        monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
        expected = tmp_path / "data" / "workshop-kit" / "answers.sqlite"
        assert default_store_path() == expected
        assert resolve_store_url() == f"sqlite:///{expected}"
        with ResponseStore() as store:
            store.save("brand.value", 6, participant="ann", cohort="c1")
        assert [r["answer"] for r in raw_rows(expected)] == ["6"]

    def test_path_from_the_environment(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """A file path in WORKSHOP_KIT_STORE is where answers are written."""
        path = tmp_path / "room.sqlite"
        monkeypatch.setenv(STORE_ENV, str(path))
        with ResponseStore() as store:
            assert store.is_sqlite and store.url == f"sqlite:///{path}"
            store.save("brand.value", 6, participant="ann", cohort="c1")
        assert len(raw_rows(path)) == 1

    def test_url_from_the_environment(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """An SQLAlchemy URL in WORKSHOP_KIT_STORE is used as given."""
        path = tmp_path / "by-url.sqlite"
        monkeypatch.setenv(STORE_ENV, f"sqlite:///{path}")
        with ResponseStore() as store:
            store.save("brand.value", 6, participant="ann", cohort="c1")
        assert len(raw_rows(path)) == 1

    def test_explicit_location_wins(self, tmp_path: Path) -> None:
        """A location passed to ResponseStore beats WORKSHOP_KIT_STORE."""
        path = tmp_path / "explicit.sqlite"
        with ResponseStore(path) as store:
            store.save("brand.value", 6, participant="ann", cohort="c1")
        assert len(raw_rows(path)) == 1
        assert not Path(os.environ[STORE_ENV]).exists()

    def test_relative_path_is_made_absolute(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """A relative path is resolved against the current folder, so every kernel agrees on the file."""
        monkeypatch.chdir(tmp_path)
        assert resolve_store_url("answers.sqlite") == f"sqlite:///{tmp_path.resolve() / 'answers.sqlite'}"

    def test_postgres_urls_use_psycopg(self) -> None:
        """A plain postgresql:// or postgres:// URL is given the psycopg driver."""
        assert resolve_store_url("postgresql://u:p@db/kit") == "postgresql+psycopg://u:p@db/kit"
        assert resolve_store_url("postgres://u@db/kit") == "postgresql+psycopg://u@db/kit"

    def test_location_hides_the_password(self) -> None:
        """The store's description for messages never shows a password."""
        store = ResponseStore("postgresql://kit:s3cret@db.example/kit")
        assert "s3cret" not in store.location and "s3cret" not in repr(store)


class TestSave:
    def test_one_row_with_every_field(self, store: ResponseStore, kit_env: Path) -> None:
        """A save writes one row: cohort, participant, exercise id, answer as JSON, UTC time and kit version."""
        before = dt.datetime.now(dt.timezone.utc)
        saved = store.save("risk.appetite", {"now": 3, "target": 8}, participant="Ann Smith", cohort="Leeds 2026")
        after = dt.datetime.now(dt.timezone.utc)
        (row,) = raw_rows(kit_env / "answers.sqlite")
        assert (row["cohort"], row["participant"], row["exercise_id"]) == ("Leeds 2026", "Ann Smith", "risk.appetite")
        assert json.loads(row["answer"]) == {"now": 3, "target": 8}
        assert row["kit_version"] == __version__
        stored_at = dt.datetime.fromisoformat(row["saved_at"]).replace(tzinfo=dt.timezone.utc)  # stored as UTC
        assert before <= stored_at <= after
        assert saved.saved_at == stored_at and saved.saved_at.tzinfo == dt.timezone.utc
        assert saved.uid == row["uid"]

    def test_returns_the_stored_form(self, store: ResponseStore) -> None:
        """save() returns the Response with the answer in its stored (cleaned) form."""
        saved = store.save("goal.statement", "  One record for every patient.  ", participant="ann", cohort="c1")
        assert isinstance(saved, Response)
        assert saved.answer == "One record for every patient."
        assert store.latest("goal.statement", participant="ann", cohort="c1") == saved

    def test_the_store_is_told_who_is_answering(self, store: ResponseStore, monkeypatch: pytest.MonkeyPatch) -> None:
        """The store never works out who is answering: it is told (here by kit.current_identity, from
        JUPYTERHUB_USER and WORKSHOP_KIT_COHORT); without names it saves and reads nothing."""
        from workshop_kit.kit import current_identity

        monkeypatch.setenv("JUPYTERHUB_USER", "hub-ann")
        monkeypatch.setenv("WORKSHOP_KIT_COHORT", "North 2026")
        who = current_identity(store=store)
        saved = store.save("brand.value", 4, participant=who.participant, cohort=who.cohort)
        assert (saved.participant, saved.cohort) == ("hub-ann", "North 2026")
        assert store.latest("brand.value", participant="hub-ann", cohort="North 2026") == saved
        with pytest.raises(TypeError):
            store.save("brand.value", 5)  # type: ignore[call-arg]
        assert store.count() == 1

    def test_append_only(self, store: ResponseStore, kit_env: Path) -> None:
        """Every save is a new row; the latest is the answer and history keeps the earlier ones unchanged."""
        first = store.save("brand.value", 3, participant="ann", cohort="c1")
        second = store.save("brand.value", 5, participant="ann", cohort="c1")
        third = store.save("brand.value", 9, participant="ann", cohort="c1")
        assert [r["answer"] for r in raw_rows(kit_env / "answers.sqlite")] == ["3", "5", "9"]
        assert store.latest("brand.value", participant="ann", cohort="c1") == third
        assert store.history("brand.value", participant="ann", cohort="c1") == [first, second, third]
        assert store.count() == 3

    @pytest.mark.parametrize(("exercise_id", "answer", "problem"), BAD_ANSWERS, ids=[f"{e}-{i}" for i, (e, _, _) in enumerate(BAD_ANSWERS)])
    def test_refused_answer_writes_nothing(self, store: ResponseStore, kit_env: Path, exercise_id: str, answer: object, problem: str) -> None:
        """A bad answer raises AnswerError naming the exercise and the problem, and no row is written."""
        store.save("brand.value", 5, participant="ann", cohort="c1")
        before = store.all_responses()
        with pytest.raises(AnswerError) as caught:
            store.save(exercise_id, answer, participant="ann", cohort="c1")
        assert f"({exercise_id}):" in str(caught.value)
        assert problem in str(caught.value)
        assert len(raw_rows(kit_env / "answers.sqlite")) == 1
        assert store.all_responses() == before

    def test_unknown_exercise_writes_nothing(self, store: ResponseStore, kit_env: Path) -> None:
        """An unknown exercise id is refused with a message naming it, and nothing is written."""
        with pytest.raises(AnswerError, match=r"no exercise called 'brand\.colour'"):
            store.save("brand.colour", 5, participant="ann", cohort="c1")
        assert store.count() == 0
        assert raw_rows(kit_env / "answers.sqlite") == []

    def test_bad_name_writes_nothing(self, store: ResponseStore) -> None:
        """An unacceptable participant name is refused before anything is written."""
        with pytest.raises(IdentityError):
            store.save("brand.value", 5, participant="<script>", cohort="c1")
        assert store.count() == 0


class TestReading:
    @pytest.fixture
    def filled(self, store: ResponseStore) -> ResponseStore:
        store.save("brand.value", 3, participant="ann", cohort="c1")
        store.save("brand.value", 7, participant="ann", cohort="c1")
        store.save("brand.value", 5, participant="bob", cohort="c1")
        store.save("goal.statement", "Paperless wards", participant="ann", cohort="c1")
        store.save("brand.value", 9, participant="ann", cohort="c2")
        return store

    def test_latest_of_nothing(self, store: ResponseStore) -> None:
        """latest() is None before anything is saved."""
        assert store.latest("brand.value", participant="ann", cohort="c1") is None

    def test_latest_answers_by_cohort_and_exercise(self, filled: ResponseStore) -> None:
        """latest_answers() gives each participant's current answer, filtered by cohort and exercise."""
        got = {(r.participant, r.answer) for r in filled.latest_answers("c1", "brand.value")}
        assert got == {("ann", 7), ("bob", 5)}
        assert len(filled.latest_answers()) == 4
        assert [r.answer for r in filled.latest_answers("c2")] == [9]

    def test_my_answers(self, filled: ResponseStore) -> None:
        """my_answers() maps each exercise to the participant's current answer in one cohort."""
        mine = filled.my_answers(participant="ann", cohort="c1")
        assert {k: r.answer for k, r in mine.items()} == {"brand.value": 7, "goal.statement": "Paperless wards"}

    def test_all_responses_keep_history(self, filled: ResponseStore) -> None:
        """all_responses() holds every row, oldest first, optionally for one cohort or participant."""
        assert [r.answer for r in filled.all_responses("c1", participant="ann")] == [3, 7, "Paperless wards"]
        assert len(filled.all_responses()) == 5

    def test_cohorts_participants_count(self, filled: ResponseStore) -> None:
        """cohorts(), participants() and count() describe what is stored."""
        assert filled.cohorts() == ["c1", "c2"]
        assert filled.participants("c1") == ["ann", "bob"]
        assert (filled.count(), filled.count("c1"), filled.count("nobody")) == (5, 4, 0)

    def test_forget(self, filled: ResponseStore) -> None:
        """forget() removes one participant's rows in one cohort only."""
        assert filled.forget("ann", "c1") == 3
        assert filled.participants("c1") == ["bob"]
        assert filled.count("c2") == 1


def _out_of_order_rows() -> list[Response]:
    """Rows whose saving order (id) and saved_at disagree, with a saved_at tie, over two cohorts."""
    t = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.timezone.utc)
    rows = [
        ("ann", "brand.value", 7, t + dt.timedelta(minutes=5)),
        ("bob", "brand.value", 5, t),
        ("ann", "brand.value", 3, t),  # saved later, stamped earlier: ann keeps 7
        ("bob", "risk.limits", "Never my team", t),
        ("bob", "brand.value", 6, t),  # same stamp as bob's 5, later row: 6 wins
        ("cat", "risk.limits", "Budgets", t + dt.timedelta(minutes=1)),
        ("ann", "risk.limits", "Nothing", t + dt.timedelta(minutes=2)),
    ]
    made = [Response(f"u{i}", "c1", who, ex, answer, at, __version__) for i, (who, ex, answer, at) in enumerate(rows)]
    return made + [Response("u-other", "c2", "ann", "brand.value", 9, t, __version__)]


def _rule(store: ResponseStore) -> set[tuple]:
    """Every current answer by the rule applied in Python to every row (summaries.latest_only)."""
    from workshop_kit.summaries.cohort import latest_only

    return {(r.cohort, r.participant, r.exercise_id, json.dumps(r.answer)) for r in latest_only(store.all_responses())}


def _flagged(store: ResponseStore) -> set[tuple]:
    return {(r.cohort, r.participant, r.exercise_id, json.dumps(r.answer)) for r in store.latest_answers()}


def _check_current_answers(store: ResponseStore) -> None:
    """The rows flagged current follow the rule through saves, out-of-order imports and forgetting."""
    store.add_responses(_out_of_order_rows())
    assert _flagged(store) == _rule(store)
    current = store.current_answers("c1")
    assert [(r.participant, r.answer) for r in current["brand.value"]] == [("ann", 7), ("bob", 6)]
    assert [(r.participant, r.answer) for r in current["risk.limits"]] == [("bob", "Never my team"), ("cat", "Budgets"), ("ann", "Nothing")]
    assert store.current_answers("c1", ["risk.limits"]).keys() == {"risk.limits"}
    assert store.current_answers("nobody") == {}

    store.save("brand.value", 2, participant="ann", cohort="c1")  # now: later than every stamp above
    old = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    store.add_responses([Response("u-old", "c1", "cat", "brand.value", 4, old, __version__), Response("u-older", "c1", "ann", "brand.value", 1, old, __version__)])
    assert _flagged(store) == _rule(store)
    assert {(r.participant, r.answer) for r in store.latest_answers("c1", "brand.value")} == {("ann", 2), ("bob", 6), ("cat", 4)}

    assert store.answer_tallies("c1", ["brand.value", "goal.ambition"]) == {"brand.value": [(2, 1), (4, 1), (6, 1)]}
    store.save("brand.value", 6, participant="dan", cohort="c1")
    assert dict(store.answer_tallies("c1", ["brand.value"])["brand.value"]) == {2: 1, 4: 1, 6: 2}
    assert store.answered("c1", ["risk.limits", "brand.value", "goal.ambition"]) == {"risk.limits": 3, "brand.value": 4}
    assert (store.participant_count("c1"), store.participant_count("c2"), store.participant_count("nobody")) == (4, 1, 0)

    store.forget("ann", "c1")
    assert _flagged(store) == _rule(store)
    assert store.answered("c1", ["brand.value"]) == {"brand.value": 3}


def test_current_answers(store: ResponseStore) -> None:
    """On SQLite: the latest saved_at is current, a tie goes to the later row, whatever order rows arrive in."""
    _check_current_answers(store)


def _downgrade_to_format_1(store: ResponseStore) -> None:
    """Make a store look as format 1 left it: no is_current column, format 1's indexes."""
    with store.engine.begin() as conn:
        for name in ("ix_responses_current", "ix_responses_current_pg", "ix_responses_history"):
            conn.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
        conn.exec_driver_sql("ALTER TABLE responses DROP COLUMN is_current")
        conn.exec_driver_sql("CREATE INDEX ix_responses_who ON responses (cohort, participant, exercise_id)")
        conn.exec_driver_sql("DROP TABLE IF EXISTS retention")  # format 3's
        conn.exec_driver_sql("UPDATE kit_meta SET value = '1' WHERE key = 'schema_version'")
    store.close()


def _check_upgrade(store: ResponseStore) -> None:
    """A format-1 store opened by this kit gains the flag, set by the rule, and keeps every row."""
    store.add_responses(_out_of_order_rows())
    before = store.all_responses()
    _downgrade_to_format_1(store)
    again = ResponseStore(store.url)
    try:
        assert again.schema_version == SCHEMA_VERSION
        assert again.all_responses() == before
        assert _flagged(again) == _rule(again) and len(_flagged(again)) == 6
        with again.engine.connect() as conn:
            indexes = {i["name"] for i in inspect(conn).get_indexes("responses")}
        assert "ix_responses_who" not in indexes and "ix_responses_history" in indexes
        assert ("ix_responses_current" if again.is_sqlite else "ix_responses_current_pg") in indexes
        again.save("brand.value", 1, participant="bob", cohort="c1")
        assert {(r.participant, r.answer) for r in again.latest_answers("c1", "brand.value")} == {("ann", 7), ("bob", 1)}
    finally:
        again.close()


def test_upgrade_from_format_1(store: ResponseStore) -> None:
    """An SQLite store made by the first kit version is upgraded in place when opened."""
    _check_upgrade(store)


def test_format_1_store_read_only(store: ResponseStore, tmp_path: Path) -> None:
    """A format-1 store that cannot be written is refused with a plain message, and left as it was."""
    store.add_responses(_out_of_order_rows())
    _downgrade_to_format_1(store)
    path = store.sqlite_path
    with pytest.raises(StoreError, match="earlier version of workshop-kit and needs a one-off upgrade"):
        ResponseStore(f"sqlite:///file:{path}?mode=ro&uri=true").count()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT value FROM kit_meta WHERE key = 'schema_version'").fetchone() == ("1",)
        assert conn.execute("SELECT count(*) FROM responses").fetchone() == (8,)


def test_cohort_reads_use_the_current_index(store: ResponseStore) -> None:
    """On SQLite the tallies are counted from the partial index alone: no table rows, no full scan."""
    store.add_responses(_out_of_order_rows())
    from workshop_kit.store.responses import IS_CURRENT, responses
    from sqlalchemy import func, select

    query = (
        select(responses.c.exercise_id, responses.c.answer, func.count())
        .where(responses.c.cohort == "c1", IS_CURRENT, responses.c.exercise_id.in_(["brand.value"]))
        .group_by(responses.c.exercise_id, responses.c.answer)
    )
    with store.engine.connect() as conn:
        sql = str(query.compile(conn, compile_kwargs={"literal_binds": True}))
        plan = " ".join(row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
    assert "USING COVERING INDEX ix_responses_current" in plan, plan


class TestSqliteSettings:
    def test_wal_and_busy_timeout(self, store: ResponseStore) -> None:
        """The store's own connections run SQLite in WAL mode with a busy timeout."""
        store.save("brand.value", 5, participant="ann", cohort="c1")
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == BUSY_TIMEOUT_SECONDS * 1000
        assert BUSY_TIMEOUT_SECONDS >= 5

    def test_wal_is_recorded_in_the_file(self, store: ResponseStore, kit_env: Path) -> None:
        """WAL mode is written into the file, so every other kernel opening it uses WAL too."""
        store.save("brand.value", 5, participant="ann", cohort="c1")
        with sqlite3.connect(kit_env / "answers.sqlite") as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


class TestSchema:
    def test_created_on_first_use_with_a_version(self, store: ResponseStore, kit_env: Path) -> None:
        """The file and tables appear on first use, and the store records its format number."""
        path = kit_env / "answers.sqlite"
        assert not path.exists()
        assert store.count() == 0
        with sqlite3.connect(path) as conn:
            tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            version = conn.execute("SELECT value FROM kit_meta WHERE key = 'schema_version'").fetchone()[0]
        assert {"responses", "kit_meta"} <= tables
        assert int(version) == SCHEMA_VERSION == store.schema_version

    def test_other_version_is_refused(self, store: ResponseStore, kit_env: Path) -> None:
        """A store written in another format is refused with a clear message, and nothing is written to it."""
        path = kit_env / "answers.sqlite"
        store.save("brand.value", 5, participant="ann", cohort="c1")
        store.close()
        with sqlite3.connect(path) as conn:
            conn.execute("UPDATE kit_meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
        newer = ResponseStore(path)
        with pytest.raises(StoreError) as caught:
            newer.save("brand.value", 6, participant="ann", cohort="c1")
        message = str(caught.value)
        assert "different version of workshop-kit" in message
        assert f"store format {SCHEMA_VERSION + 1}; this kit reads format {SCHEMA_VERSION}" in message
        assert str(path) in message
        with pytest.raises(StoreError, match="different version"):
            newer.latest("brand.value", participant="ann", cohort="c1")
        assert len(raw_rows(path)) == 1


class TestStoreFailures:
    def test_missing_folder(self, tmp_path: Path) -> None:
        """A store in a folder that does not exist gives a StoreError naming the folder."""
        folder = tmp_path / "no-such-folder"
        with pytest.raises(StoreError, match="the folder .*no-such-folder does not exist"):
            ResponseStore(folder / "answers.sqlite")
        assert not folder.exists()

    def test_missing_folder_from_the_environment(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """The same clear error when WORKSHOP_KIT_STORE names a file in a missing folder."""
        monkeypatch.setenv(STORE_ENV, str(tmp_path / "gone" / "answers.sqlite"))
        with pytest.raises(StoreError, match="does not exist"):
            default_store()

    def test_read_only_store(self, store: ResponseStore, kit_env: Path) -> None:
        """A store opened read-only refuses a save with a clear StoreError, and earlier answers stay readable.

        The tests may run as root, which writes through file permissions, so the file is
        opened read-only through SQLite's own URI form (``mode=ro``) instead of chmod.
        """
        path = kit_env / "answers.sqlite"
        first = store.save("brand.value", 5, participant="ann", cohort="c1")
        store.close()
        with ResponseStore(f"sqlite:///file:{path}?mode=ro&uri=true") as read_only:
            assert str(path) in read_only.location
            with pytest.raises(StoreError) as caught:
                read_only.save("brand.value", 8, participant="ann", cohort="c1")
            assert str(caught.value) == (
                f"Could not save to the file {path}: it is read-only. Ask your facilitator to check the store's permissions."
            )
            assert read_only.latest("brand.value", participant="ann", cohort="c1") == first
            assert read_only.count() == 1
        assert len(raw_rows(path)) == 1

    def test_unknown_url(self) -> None:
        """A URL for a database the kit cannot use gives a StoreError, not a traceback from deep inside."""
        with pytest.raises(StoreError, match="not one the kit understands"):
            ResponseStore("nosuchdb://host/x").count()


class TestDefaultStore:
    def test_opened_once_per_location(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """default_store() reuses one store per WORKSHOP_KIT_STORE and follows a change of it."""
        first = default_store()
        assert default_store() is first
        monkeypatch.setenv(STORE_ENV, str(tmp_path / "other.sqlite"))
        other = default_store()
        assert other is not first and other.url.endswith("other.sqlite")


# --- many writers at once (separate processes; see tests/writers.py) ----------------------

class TestConcurrentWriters:
    @pytest.mark.slow
    def test_thirty_processes_lose_nothing(self, kit_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """30 processes saving 100 answers each into one SQLite file at once: 3000 rows, no errors."""
        path = kit_env / "load.sqlite"
        errors, elapsed = run_writers(str(path), 30, 100)
        with capsys.disabled():
            print(f"\n  SQLite: 30 processes x 100 saves in {elapsed:.2f} s ({3000 / elapsed:.0f} saves/s), {len(errors)} errors")
        assert errors == []
        rows = raw_rows(path)
        assert len(rows) == 3000
        assert len({r["uid"] for r in rows}) == 3000
        with ResponseStore(path) as store:
            assert store.participants("load") == sorted(f"p{i}" for i in range(30))
            assert all(len(store.history("brand.value", participant=f"p{i}", cohort="load")) == 100 for i in range(30))
            assert _flagged(store) == _rule(store) and len(_flagged(store)) == 30


# --- PostgreSQL ----------------------------------------------------------------------------


@pytest.mark.postgres
class TestPostgresStore:
    def test_save_and_latest(self, pg_store: ResponseStore) -> None:
        """On PostgreSQL a save is appended and the latest row is the answer, with its UTC time."""
        first = pg_store.save("risk.appetite", {"now": 2, "target": 7}, participant="ann", cohort="c1")
        second = pg_store.save("risk.appetite", {"now": 4, "target": 7}, participant="ann", cohort="c1")
        assert not pg_store.is_sqlite
        assert pg_store.latest("risk.appetite", participant="ann", cohort="c1") == second
        assert pg_store.history("risk.appetite", participant="ann", cohort="c1") == [first, second]
        assert second.saved_at.tzinfo == dt.timezone.utc
        assert pg_store.schema_version == SCHEMA_VERSION

    def test_latest_answers(self, pg_store: ResponseStore) -> None:
        """latest_answers() on PostgreSQL gives each participant's current answer."""
        pg_store.save("brand.value", 3, participant="ann", cohort="c1")
        pg_store.save("brand.value", 8, participant="ann", cohort="c1")
        pg_store.save("brand.value", 6, participant="bob", cohort="c1")
        pg_store.save("brand.value", 1, participant="cat", cohort="c2")
        assert {(r.participant, r.answer) for r in pg_store.latest_answers("c1", "brand.value")} == {("ann", 8), ("bob", 6)}
        assert pg_store.cohorts() == ["c1", "c2"]

    def test_current_answers(self, pg_store: ResponseStore) -> None:
        """On PostgreSQL: the same rule for the current answer, whatever order rows arrive in."""
        _check_current_answers(pg_store)

    def test_upgrade_from_format_1(self, pg_store: ResponseStore) -> None:
        """A PostgreSQL store made by the first kit version is upgraded in place when opened."""
        _check_upgrade(pg_store)

    def test_refusal_writes_nothing(self, pg_store: ResponseStore) -> None:
        """A refused answer on PostgreSQL raises AnswerError and adds no row."""
        pg_store.save("brand.value", 3, participant="ann", cohort="c1")
        for exercise_id, answer, problem in BAD_ANSWERS:
            with pytest.raises(AnswerError, match=problem.replace("(", r"\(").replace(")", r"\)")):
                pg_store.save(exercise_id, answer, participant="ann", cohort="c1")
        assert pg_store.count() == 1

    def test_missing_database(self, postgres_url: str) -> None:
        """A database that does not exist on the server gives a StoreError, not a driver traceback."""
        with pytest.raises(StoreError, match="Could not open the shared store"):
            ResponseStore(postgres_url.rsplit("/", 1)[0] + "/no_such_db").count()

    def test_ten_processes_lose_nothing(self, pg_store: ResponseStore, postgres_url: str, kit_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """10 processes saving 50 answers each to PostgreSQL at once: 500 rows, no errors."""
        errors, elapsed = run_writers(postgres_url, 10, 50)
        with capsys.disabled():
            print(f"\n  PostgreSQL: 10 processes x 50 saves in {elapsed:.2f} s, {len(errors)} errors")
        assert errors == []
        assert pg_store.count("load") == 500
        assert len({r.uid for r in pg_store.all_responses("load")}) == 500

    def test_one_answer_saved_from_many_places_at_once(self, pg_store: ResponseStore, postgres_url: str, kit_env: Path) -> None:
        """10 processes saving the same two participants' answer at once: each keeps exactly one current row, the latest."""
        errors, _ = run_writers(postgres_url, 10, 40, people=2)
        assert errors == [] and pg_store.count("load") == 400
        assert _flagged(pg_store) == _rule(pg_store) and len(_flagged(pg_store)) == 2
        assert pg_store.answered("load", ["brand.value"]) == {"brand.value": 2}


class TestWritersQueue:
    def test_take_turn_gives_up_on_a_stuck_holder(self, tmp_path):
        """A writer waits at most the timeout for a stuck lock holder, then its waiter cleans up once the lock frees."""
        import fcntl
        import os
        import time

        from workshop_kit.store.responses import _take_turn

        path = tmp_path / "x.lock"
        holder = os.open(path, os.O_RDWR | os.O_CREAT)
        fcntl.flock(holder, fcntl.LOCK_EX)
        waiter = os.open(path, os.O_RDWR)
        started = time.monotonic()
        assert _take_turn(waiter, 0.2) is False
        assert 0.15 < time.monotonic() - started < 2
        os.close(holder)  # the stuck holder finally lets go
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                os.fstat(waiter)
            except OSError:
                break  # the abandoned waiter closed its descriptor
            time.sleep(0.01)
        else:
            raise AssertionError("the abandoned waiter never released its lock")
        third = os.open(path, os.O_RDWR)
        assert _take_turn(third, 1) is True
        os.close(third)

    def test_saves_still_work_when_the_lock_file_cannot_be_made(self, tmp_path, monkeypatch):
        """A store whose writers' lock file cannot be created still saves (SQLite's busy timeout alone guards it)."""
        from workshop_kit.store.responses import ResponseStore

        store = ResponseStore(tmp_path / "a.sqlite")
        (tmp_path / "a.sqlite-writers.lock").mkdir()  # a folder where the lock file should go
        store.save("goal.statement", "Open records for every patient", participant="Ann", cohort="c")
        assert store.count() == 1


def test_paused_gc_restores_the_collector():
    """paused_gc switches the cyclic collector off inside and back to exactly how it was afterwards, even on an error."""
    import gc

    from workshop_kit.store.responses import paused_gc

    assert gc.isenabled()
    with pytest.raises(RuntimeError), paused_gc():
        assert not gc.isenabled()
        raise RuntimeError("boom")
    assert gc.isenabled()
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
