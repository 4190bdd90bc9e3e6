"""The room's live state (workshop_kit.store.live): shared through the store, on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from workshop_kit.commands import admin
from workshop_kit.store import live
from workshop_kit.errors import AnswerError, CatalogueError, IdentityError, StoreError
from workshop_kit.commands.igpack import INVENTORY
from workshop_kit.store.live import LiveState
from workshop_kit.store.responses import ResponseStore, room_live, room_signals

COHORT = "north-2026"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_store(request) -> ResponseStore:
    if request.param == "postgres":
        return request.getfixturevalue("pg_store")
    return request.getfixturevalue("store")


class TestState:
    def test_defaults_for_a_new_cohort(self, any_store):
        """Nothing stored: self-paced, on no section, nothing revealed."""
        state = live.read_state(any_store, COHORT)
        assert state == LiveState()
        assert state.self_paced and state.section is None and state.revealed == frozenset()

    def test_update_is_seen_by_another_store_object(self, any_store):
        """A change written through one store is read back through another (as another kernel would)."""
        new = live.update_state(any_store, COHORT, section="02-risk", exercise="risk.appetite", self_paced=False)
        assert (new.section, new.exercise, new.self_paced) == ("02-risk", "risk.appetite", False) and new.updated > 0
        with ResponseStore(any_store.url) as other:
            assert live.read_state(other, COHORT) == new
        assert live.read_state(any_store, "south-2026") == LiveState()  # other cohorts untouched

    def test_update_keeps_fields_not_named(self, any_store):
        live.update_state(any_store, COHORT, section="02-risk", timer_ends=1000)
        state = live.update_state(any_store, COHORT, exercise="risk.appetite")
        assert (state.section, state.exercise, state.timer_ends) == ("02-risk", "risk.appetite", 1000.0)

    @pytest.mark.parametrize("changes", [{"colour": "red"}, {"self_paced": "no"}, {"section": 3}, {"timer_ends": "soon"}, {"revealed": "risk.appetite"}])
    def test_bad_changes_refused_and_nothing_written(self, any_store, changes):
        with pytest.raises(AnswerError):
            live.update_state(any_store, COHORT, **changes)
        assert any_store.live_state_text(COHORT) is None

    def test_bad_cohort_refused(self, store):
        with pytest.raises(IdentityError):
            live.read_state(store, "<script>\u202e")

    def test_reveal_and_hide(self, any_store):
        """Hidden by default; reveal shows; hide hides again; show-live shows without a reveal."""
        assert not live.result_visible(live.read_state(any_store, COHORT), "risk.appetite")
        assert live.result_visible(live.reveal(any_store, COHORT, "risk.appetite"), "risk.appetite")
        state = live.reveal(any_store, COHORT, "risk.appetite", shown=False)
        assert not live.result_visible(state, "risk.appetite")
        state = live.set_show_live(any_store, COHORT, "brand.value", True)
        assert live.result_visible(state, "brand.value") and not live.result_visible(state, "risk.appetite")
        assert not live.result_visible(live.set_show_live(any_store, COHORT, "brand.value", False), "brand.value")

    def test_reveal_unknown_exercise_refused(self, store):
        with pytest.raises(CatalogueError):
            live.reveal(store, COHORT, "no.such")

    def test_two_reveals_at_once_both_stick(self, any_store):
        """Read-change-write happens in one transaction: reveals made at the same moment are not lost."""
        ids = [e.id for e in any_store.catalogue.exercises][:8]
        errors: list[Exception] = []

        def one(exercise_id: str) -> None:
            try:
                with ResponseStore(any_store.url) as own:
                    live.reveal(own, COHORT, exercise_id)
            except Exception as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=one, args=(i,)) for i in ids]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert live.read_state(any_store, COHORT).revealed == frozenset(ids)

    def test_older_or_newer_stored_forms_are_read(self):
        """Fields an older kit did not write get defaults; fields a newer kit wrote are ignored."""
        assert LiveState.from_json('{"section": "01-brand", "future_field": 1}') == LiveState(section="01-brand")
        state = LiveState(section="x", revealed=frozenset({"b", "a"}), timer_paused_left=30.0)
        assert LiveState.from_json(state.as_json()) == state


class TestSignals:
    def test_set_change_clear_and_count(self, any_store):
        live.set_signal(any_store, COHORT, "room-a", "risk.appetite", "done")
        live.set_signal(any_store, COHORT, "room-b", "risk.appetite", "help")
        live.set_signal(any_store, COHORT, "room-c", "risk.appetite", "help")
        live.set_signal(any_store, COHORT, "room-d", "brand.value", "help")
        live.set_signal(any_store, "south-2026", "room-e", "risk.appetite", "done")
        assert live.signal_counts(any_store, COHORT, "risk.appetite") == {"done": 1, "help": 2}
        live.set_signal(any_store, COHORT, "room-b", "risk.appetite", "done")  # changed their mind
        assert live.signal_of(any_store, COHORT, "room-b", "risk.appetite") == "done"
        assert live.signal_counts(any_store, COHORT, "risk.appetite") == {"done": 2, "help": 1}
        live.set_signal(any_store, COHORT, "room-c", "risk.appetite", None)
        assert live.signal_of(any_store, COHORT, "room-c", "risk.appetite") is None
        assert live.signal_counts(any_store, COHORT, "risk.appetite") == {"done": 2, "help": 0}
        assert live.signal_counts(any_store, COHORT, "goal.statement") == {"done": 0, "help": 0}

    @pytest.mark.parametrize("signal", ["finished", "", "HELP", 1])
    def test_bad_signal_refused(self, store, signal):
        with pytest.raises(AnswerError):
            live.set_signal(store, COHORT, "room-a", "risk.appetite", signal)
        assert live.signal_counts(store, COHORT, "risk.appetite") == {"done": 0, "help": 0}

    def test_forget_deletes_that_persons_signals_only(self, any_store):
        """Erasure (admin forget) takes a person's signals with their answers."""
        any_store.save("brand.value", 5, participant="ann", cohort=COHORT)
        any_store.save("brand.value", 6, participant="bob", cohort=COHORT)
        live.set_signal(any_store, COHORT, "ann", "brand.value", "done")
        live.set_signal(any_store, COHORT, "bob", "brand.value", "help")
        admin.forget_participant(any_store, "ann", COHORT)
        assert live.signal_counts(any_store, COHORT, "brand.value") == {"done": 0, "help": 1}

    def test_forget_of_a_room_participant_deletes_their_signals(self, store):
        from workshop_kit.session import room

        person = room.issue_code("Ann", cohort=COHORT, store=store)
        live.set_signal(store, COHORT, person.participant, "brand.value", "help")
        gone = admin.forget_participant(store, None, COHORT, code=person.code)
        assert gone.room_records == 1
        assert live.signal_of(store, COHORT, person.participant, "brand.value") is None


class TestRetentionAndInventory:
    def test_purge_takes_live_state_and_signals_of_an_expired_cohort(self, any_store):
        import datetime as dt

        live.update_state(any_store, COHORT, section="02-risk")
        live.set_signal(any_store, COHORT, "ann", "brand.value", "done")
        live.update_state(any_store, "kept", section="01-brand")
        any_store.set_retention(COHORT, expires_on=dt.date(2020, 1, 1))
        (purged,) = any_store.purge()
        assert purged.room_records == 2
        with any_store.engine.connect() as conn:
            assert list(conn.execute(select(room_live.c.cohort)).scalars()) == ["kept"]
            assert list(conn.execute(select(room_signals.c.cohort)).scalars()) == []

    def test_inventory_lists_the_new_tables(self):
        assert set(INVENTORY["room_live"]) == {c.name for c in room_live.columns}
        assert set(INVENTORY["room_signals"]) == {c.name for c in room_signals.columns}
