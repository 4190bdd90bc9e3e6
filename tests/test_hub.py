"""workshop_kit.commands.hub on a real PostgreSQL server that asks for passwords: the logins, and the database's release.

A participant's login reads only their own rows, so "compare with the cohort" asks the
database (``wk_cohort_release``) for the cohort's last release.  These tests check that
the database's walk is the kit's own (``compare.released``, read with the owner's login,
is the reference), that nothing comes back with a name, a time or an order, that private
text and others' own entries never leave the database, and that a login may ask only
about its own cohort.  The whole arrangement on a running JupyterHub is in test_e2e_hub.py.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import secrets
import uuid
from collections.abc import Iterator

import pytest

import pg_server
from workshop_kit._version import __version__
from workshop_kit.catalogue.model import default_catalogue
from workshop_kit.summaries.compare import cohort_comparison, released
from workshop_kit.privacy import MIN_COHORT, release_step
from workshop_kit.errors import StoreError
from workshop_kit.commands.hub import OWN_ENTRY, HubStore, prepare_database
from workshop_kit.session.identity import Identity
from workshop_kit.store.responses import Response, ResponseStore

pytestmark = pytest.mark.postgres
COHORT = "north-2027"


@pytest.fixture(scope="module")
def server() -> Iterator[pg_server.PostgresServer]:
    reason = pg_server.unavailable_reason()
    if reason:
        pytest.skip(reason)
    with pg_server.PostgresServer(password=secrets.token_urlsafe(16)) as server:
        prepare_database(server.url)
        yield server


@pytest.fixture(scope="module")
def logins(server: pg_server.PostgresServer) -> dict[str, str]:
    """Store URLs as the spawn hook makes them: ada (participant, north), zed (participant, no cohort group), fay (facilitator)."""
    hub = HubStore(server.url)
    return {
        "ada": hub.grant("ada", facilitator=False, cohort=COHORT),
        "zed": hub.grant("zed", facilitator=False),
        "fay": hub.grant("fay", facilitator=True, cohort=COHORT),
    }


@pytest.fixture
def owner(server: pg_server.PostgresServer) -> Iterator[ResponseStore]:
    """The owner's store, emptied of answers first."""
    with ResponseStore(server.url) as store:
        with store.engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM responses")
        yield store


def row(who: str, exercise_id: str, answer, at: dt.datetime, cohort: str = COHORT) -> Response:
    return Response(str(uuid.uuid4()), cohort, who, exercise_id, answer, at, __version__)


def others_of(release, me: str = "ada") -> list[str]:
    return sorted(a for p, a in release.answers.items() if p != me)


def test_the_database_walks_the_history_as_the_kit_does(owner: ResponseStore, logins: dict[str, str]) -> None:
    """300 random saves by ada and 11 others, some re-saves of the same answer and some late rows with older times (imports)."""
    rng = random.Random(7)
    people = ["ada"] + [f"p{i:02d}" for i in range(11)]
    start = dt.datetime(2027, 1, 10, 9, 0, tzinfo=dt.timezone.utc)
    moved = 0
    last = None
    with ResponseStore(logins["ada"]) as ada:
        for n in range(300):
            who = rng.choice(people)
            at = start + dt.timedelta(seconds=n if rng.random() > 0.1 else n - 200)  # a tenth arrive late, stamped earlier
            owner.add_responses([row(who, "goal.ambition", rng.randint(1, 10), at)])
            mine = released(ada, COHORT, "goal.ambition", release_step(MIN_COHORT))  # the database's walk, ada's login
            truth = released(owner, COHORT, "goal.ambition", release_step(MIN_COHORT))  # the kit's walk over every row
            theirs = others_of(truth)
            assert others_of(mine) == (theirs if len(theirs) >= MIN_COHORT else [])
            assert (mine.pending, mine.step) == (truth.pending, truth.step)
            assert len(mine.answerers) == len(truth.answerers - {"ada"})
            assert not any(p in mine.answers for p in people), "no participant's name comes back"
            moved += last is not None and others_of(mine) != last
            last = others_of(mine)
    assert moved >= 5, "the release moved several times over the session"


def test_a_participant_sees_the_comparison_a_facilitator_would(owner: ResponseStore, logins: dict[str, str]) -> None:
    for i, value in enumerate([5, 5, 4, 6, 5]):
        owner.save("goal.ambition", value, participant=f"p{i}", cohort=COHORT)
    ex = default_catalogue().exercise("goal.ambition")
    with ResponseStore(logins["ada"]) as ada, ResponseStore(logins["fay"]) as fay:
        ada.save("goal.ambition", 6, participant="ada", cohort=COHORT)
        assert ada.all_responses() and {r.participant for r in ada.all_responses()} == {"ada"}, "ada still reads only her own rows"
        assert fay.database_release(COHORT, "goal.ambition") is None, "a facilitator reads the rows and walks them in the kit"
        seen = cohort_comparison(ada, ex, Identity("ada", COHORT), 6)
        expected = cohort_comparison(fay, ex, Identity("ada", COHORT), 6)
    assert seen == expected
    assert seen.ready and seen.lines[0] == "5 others in your cohort: average 5.0, median 5. You chose 6: higher than 4, the same as 1 of them."


def test_too_few_others_come_back_as_counts_only(owner: ResponseStore, logins: dict[str, str]) -> None:
    for i in range(4):
        owner.save("goal.ambition", 9, participant=f"p{i}", cohort=COHORT)
    with ResponseStore(logins["ada"]) as ada:
        ada.save("goal.ambition", 3, participant="ada", cohort=COHORT)
        answers, others_released, others_now, pending, step, answered = ada.database_release(COHORT, "goal.ambition")
        comparison = cohort_comparison(ada, default_catalogue().exercise("goal.ambition"), Identity("ada", COHORT), 3)
    assert (answers, others_now, pending, step, answered) == ([], 4, 5, release_step(MIN_COHORT), True)
    assert not comparison.ready and "1 more needed" in comparison.lines[0]


def test_private_text_and_others_own_entries_stay_in_the_database(owner: ResponseStore, logins: dict[str, str]) -> None:
    catalogue = default_catalogue()
    pick = next(ex for ex in catalogue.exercises if ex.kind == "pick" and ex.allow_custom and ex.max_picks >= 2)
    text = next(ex for ex in catalogue.exercises if ex.kind == "text" and ex.sensitive)
    first = pick.options[0]
    for i in range(6):  # six others: the first release
        owner.save(pick.id, [first, "Shared idea" if i == 0 else f"Secret entry {i}"], participant=f"p{i}", cohort=COHORT)
        owner.save(text.id, f"My private worry number {i}", participant=f"p{i}", cohort=COHORT)
    with ResponseStore(logins["ada"]) as ada:
        ada.save(pick.id, [first, "shared idea"], participant="ada", cohort=COHORT)
        ada.save(text.id, "mine", participant="ada", cohort=COHORT)
        picks = [json.loads(a) for a in ada.database_release(COHORT, pick.id)[0]]
        texts = ada.database_release(COHORT, text.id)[0]
    assert sorted(p[1] for p in picks) == sorted(["Shared idea", *[OWN_ENTRY] * 5]), "only the reader's own entry is matched; the rest are placeholders"
    assert all(p[0] == first for p in picks)
    assert [json.loads(t) for t in texts] == ["…"] * 6, "written answers are only counted"


@pytest.mark.parametrize(
    ("who", "cohort", "exercise_id", "refused"),
    [
        ("ada", "south-2027", "goal.ambition", "not this login's cohort"),
        ("zed", COHORT, "goal.ambition", "not this login's cohort"),
        ("ada", COHORT, "system.map", "not compared on the shared programme"),  # a grid: names and notes
        ("ada", COHORT, "relationships.log", "not compared on the shared programme"),
    ],
)
def test_what_a_login_may_not_ask(owner: ResponseStore, logins: dict[str, str], who: str, cohort: str, exercise_id: str, refused: str) -> None:
    for i in range(7):
        owner.save("goal.ambition", 5, participant=f"p{i}", cohort="south-2027")
    with ResponseStore(logins[who]) as store:
        store.save("goal.ambition", 5, participant=who, cohort="south-2027")  # a row of one's own in the other cohort opens nothing
        with pytest.raises(StoreError, match="not allowed") as caught:
            store.database_release(cohort, exercise_id)
    assert refused in str(caught.value.__cause__)


def test_the_follow_up_wave_of_ones_own_cohort_is_allowed(owner: ResponseStore, logins: dict[str, str]) -> None:
    with ResponseStore(logins["ada"]) as ada:
        assert ada.database_release(f"{COHORT}@follow-up", "risk.appetite")[2] == 0


def test_the_tables_behind_it_are_closed(logins: dict[str, str]) -> None:
    with ResponseStore(logins["ada"]) as ada:
        for table in ("wk_hub_members", "wk_compared"):
            with pytest.raises(Exception, match="permission denied"):
                with ada.engine.connect() as conn:
                    conn.exec_driver_sql(f"SELECT * FROM {table}").all()


def test_the_hub_module_loads_without_pandas() -> None:
    """The spawn hook runs in the Hub's own environment, which has SQLAlchemy and psycopg but not the kit's data stack."""
    import subprocess
    import sys

    code = "import sys, workshop_kit.commands.hub; print(sorted(m for m in ('pandas', 'numpy', 'ipywidgets', 'matplotlib') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_participants_read_the_room_and_only_their_own_signals(owner: ResponseStore, server: pg_server.PostgresServer) -> None:
    """On JupyterHub a participant reads the live state, gives their own signal, and cannot see or write others'."""
    from workshop_kit.store import live

    hub = HubStore(server.url)
    with owner.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM room_signals")
        conn.exec_driver_sql("DELETE FROM room_live")
    live.update_state(owner, COHORT, section="02-risk")
    live.set_signal(owner, COHORT, "bob", "brand.value", "help")
    with ResponseStore(hub.grant("ann", facilitator=False, cohort=COHORT)) as ann:
        assert live.read_state(ann, COHORT).section == "02-risk"
        live.set_signal(ann, COHORT, "ann", "brand.value", "done")
        assert live.signal_of(ann, COHORT, "ann", "brand.value") == "done"
        assert live.signal_of(ann, COHORT, "bob", "brand.value") is None  # row security hides it
        with pytest.raises(StoreError):
            live.set_signal(ann, COHORT, "bob", "brand.value", "done")
        with pytest.raises(StoreError):
            live.update_state(ann, COHORT, section="99-mine")
    with ResponseStore(hub.grant("fran", facilitator=True, cohort=COHORT)) as fran:
        assert live.signal_counts(fran, COHORT, "brand.value") == {"done": 1, "help": 1}
        assert live.reveal(fran, COHORT, "brand.value").revealed == {"brand.value"}


def test_the_ig_pack_describes_the_hub_tables(owner: ResponseStore, tmp_path) -> None:
    """A hub database holds two more tables; the pack describes them (it refused to be written before)."""
    from workshop_kit.commands.igpack import HUB_INVENTORY, inventory_rows, schema_columns, settings_from, write_pack

    actual = schema_columns(owner)
    for table, columns in HUB_INVENTORY.items():
        assert set(actual[table]) == set(columns), table
    write_pack(owner, tmp_path / "pack", settings_from(owner))
    fields = {(r["table"], r["field"]) for r in inventory_rows(owner, settings_from(owner))}
    assert {("wk_hub_members", "login"), ("wk_hub_members", "cohort"), ("wk_compared", "options")} <= fields
    assert "wk_hub_members" in (tmp_path / "pack" / "data-inventory.csv").read_text()


def test_forget_by_a_facilitator_removes_the_login_s_cohort(server: pg_server.PostgresServer, logins: dict[str, str]) -> None:
    """Erasure on the hub: the answers go, and so does the record of which cohort the hub login compares with."""
    from workshop_kit.commands.admin import forget_participant

    HubStore(server.url).grant("bea", facilitator=False, cohort=COHORT)
    with ResponseStore(server.url) as owner:
        owner.save("goal.ambition", 6, participant="bea", cohort=COHORT)
        owner.save("goal.ambition", 4, participant="ada", cohort=COHORT)
    with ResponseStore(logins["fay"]) as fay:
        assert forget_participant(fay, "bea", COHORT).answers == 1
    with ResponseStore(server.url) as owner:
        with owner.engine.connect() as conn:
            members = dict(conn.exec_driver_sql("SELECT login, cohort FROM wk_hub_members").all())
        assert "hub:bea" not in members and members["hub:ada"] == COHORT  # only hers
        assert owner.latest("goal.ambition", participant="bea", cohort=COHORT) is None
        assert owner.latest("goal.ambition", participant="ada", cohort=COHORT).answer == 4
