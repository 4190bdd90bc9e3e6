"""Retention: a cohort's answers set to expire (a date or an age), and ``purge`` deleting what has expired.

Every store test runs on SQLite and on a real PostgreSQL server.  The upgrade of a format-2
store (made before retention existed) to format 3 is checked on both as well.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import inspect, select

from workshop_kit.commands.cli import main
from workshop_kit.errors import AnswerError, StoreError
from workshop_kit.store.responses import SCHEMA_VERSION, ResponseStore, people, responses

NOW = dt.datetime.now(dt.timezone.utc)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_store(request) -> ResponseStore:
    if request.param == "postgres":
        return request.getfixturevalue("pg_store")
    return request.getfixturevalue("store")


def backdate(store: ResponseStore, cohort: str, participant: str, days: int) -> None:
    """Make one participant's rows (and room record) look ``days`` old, as if saved then."""
    then = NOW - dt.timedelta(days=days)
    with store.engine.begin() as conn:
        conn.execute(responses.update().where(responses.c.cohort == cohort, responses.c.participant == participant).values(saved_at=then))
        conn.execute(people.update().where(people.c.cohort == cohort, people.c.participant == participant).values(created_at=then))


def add_person(store: ResponseStore, cohort: str, key: str) -> None:
    with store.engine.begin() as conn:
        conn.execute(people.insert().values(cohort=cohort, code=f"code-{key}", participant=key, display_name=key.title(), created_at=NOW))


def fill(store: ResponseStore) -> None:
    """Cohort 'old' (ann 100 days ago, with history; bob today), cohort 'done' (two people), cohort 'kept' (no rule)."""
    for cohort, who in (("old", "ann"), ("old", "bob"), ("done", "cat"), ("done", "dan"), ("kept", "eve")):
        add_person(store, cohort, who)
        store.save("brand.value", 3, participant=who, cohort=cohort)
        store.save("goal.ambition", 6, participant=who, cohort=cohort)
    store.save("brand.value", 8, participant="ann", cohort="old")
    backdate(store, "old", "ann", 100)


class TestRules:
    def test_set_show_clear(self, any_store):
        """A cohort has at most one rule; setting another replaces it; clearing leaves none."""
        any_store.set_retention("old", keep_days=90)
        assert any_store.retention_rule("old").keep_days == 90
        any_store.set_retention("old", expires_on=dt.date(2027, 3, 31))
        rule = any_store.retention_rule("old")
        assert (rule.expires_on, rule.keep_days) == (dt.date(2027, 3, 31), None)
        assert "31 March 2027" in rule.describe()
        assert any_store.set_retention("old") is None and any_store.retention_rules() == []

    @pytest.mark.parametrize("kwargs", [{"keep_days": 0}, {"keep_days": -5}, {"keep_days": True}, {"keep_days": 3.5}, {"keep_days": 9, "expires_on": dt.date(2027, 1, 1)}])
    def test_bad_rules_refused(self, store, kwargs):
        with pytest.raises(AnswerError):
            store.set_retention("old", **kwargs)
        assert store.retention_rules() == []


class TestPurge:
    def test_dry_run_counts_and_deletes_nothing(self, any_store):
        fill(any_store)
        any_store.set_retention("old", keep_days=90)
        any_store.set_retention("done", expires_on=NOW.date())
        before = any_store.count()
        counts = {(p.cohort, p.answers, p.room_records) for p in any_store.purge(dry_run=True)}
        assert counts == {("old", 3, 1), ("done", 4, 2)}
        assert any_store.count() == before

    def test_purge_deletes_exactly_what_expired(self, any_store):
        """Ann's answers (all older than 90 days) and room record go; Bob's stay; 'done' is emptied; 'kept' is untouched."""
        fill(any_store)
        any_store.set_retention("old", keep_days=90)
        any_store.set_retention("done", expires_on=NOW.date())
        dry = any_store.purge(dry_run=True)
        done = any_store.purge()
        assert [(p.cohort, p.answers, p.room_records) for p in done] == [(p.cohort, p.answers, p.room_records) for p in dry]
        assert any_store.participants("old") == ["bob"] and any_store.participants("done") == [] and any_store.participants("kept") == ["eve"]
        with any_store.engine.connect() as conn:
            assert sorted(conn.execute(select(people.c.participant)).scalars()) == ["bob", "eve"]
        assert {r.participant for r in any_store.latest_answers("old", "brand.value")} == {"bob"}
        assert all(p.answers == 0 and p.room_records == 0 for p in any_store.purge())  # a second purge finds nothing

    def test_a_date_not_yet_reached_deletes_nothing(self, any_store):
        fill(any_store)
        any_store.set_retention("done", expires_on=NOW.date() + dt.timedelta(days=1))
        assert any_store.purge() == [] and any_store.participants("done") == ["cat", "dan"]

    def test_age_keeps_recent_versions_current(self, any_store):
        """An old version goes, the newer one stays current."""
        any_store.save("brand.value", 2, participant="ann", cohort="old")
        backdate(any_store, "old", "ann", 100)
        any_store.save("brand.value", 9, participant="ann", cohort="old")
        any_store.set_retention("old", keep_days=30)
        (purged,) = any_store.purge()
        assert purged.answers == 1
        assert [r.answer for r in any_store.history("brand.value", participant="ann", cohort="old")] == [9]
        assert [r.answer for r in any_store.latest_answers("old", "brand.value")] == [9]

    def test_one_transaction(self, any_store):
        """If deleting the room records fails, no answer is deleted either."""
        fill(any_store)
        any_store.set_retention("done", expires_on=NOW.date())
        with any_store.engine.begin() as conn:
            if any_store.is_sqlite:
                conn.exec_driver_sql("CREATE TRIGGER no_delete BEFORE DELETE ON people BEGIN SELECT RAISE(ABORT, 'xyzzy test trigger'); END")
            else:
                conn.exec_driver_sql("CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'xyzzy test trigger'; END $$ LANGUAGE plpgsql")
                conn.exec_driver_sql("CREATE TRIGGER no_delete BEFORE DELETE ON people FOR EACH ROW EXECUTE FUNCTION refuse()")
        before = any_store.count()
        try:
            with pytest.raises(StoreError, match="xyzzy test trigger"):
                any_store.purge()
            assert any_store.count() == before and any_store.participants("done") == ["cat", "dan"]
        finally:
            with any_store.engine.begin() as conn:
                conn.exec_driver_sql("DROP TRIGGER no_delete" + ("" if any_store.is_sqlite else " ON people"))
                if not any_store.is_sqlite:
                    conn.exec_driver_sql("DROP FUNCTION refuse()")


def _downgrade_to_format_2(store: ResponseStore) -> None:
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE retention")
        conn.exec_driver_sql("UPDATE kit_meta SET value = '2' WHERE key = 'schema_version'")
    store.close()


def test_upgrade_from_format_2(any_store):
    """A store made before retention existed gains the table and format 3 when opened, every row kept."""
    fill(any_store)
    before = any_store.all_responses()
    _downgrade_to_format_2(any_store)
    again = ResponseStore(any_store.url)
    try:
        assert again.schema_version == SCHEMA_VERSION == 3
        assert again.all_responses() == before
        with again.engine.connect() as conn:
            assert inspect(conn).has_table("retention")
        again.set_retention("old", keep_days=90)
        assert [p.answers for p in again.purge()] == [3]
    finally:
        again.close()


class TestCommands:
    def test_retention_and_purge(self, store, capsys):
        fill(store)
        assert main(["retention", "--cohort", "done", "--expires-on", NOW.date().isoformat(), "--store", store.url]) == 0
        assert main(["retention", "--store", store.url]) == 0
        out = capsys.readouterr().out
        assert out.count("done: all answers and room records deleted") == 2
        assert main(["purge", "--dry-run", "--store", store.url]) == 0
        out = capsys.readouterr().out
        assert "done: Would delete 4 answers and 2 room records" in out and "Nothing was deleted (dry run)" in out
        assert store.participants("done") == ["cat", "dan"]
        assert main(["purge", "--store", store.url]) == 2  # no terminal and no --yes
        assert main(["purge", "--yes", "--store", store.url]) == 0
        assert "done: Deleted 4 answers and 2 room records" in capsys.readouterr().out
        assert store.participants("done") == []

    def test_bad_date(self, store, capsys):
        with pytest.raises(SystemExit):
            main(["retention", "--cohort", "x", "--expires-on", "31/03/2027", "--store", store.url])
        assert "must be a date like 2026-06-30" in capsys.readouterr().err
