"""Faults: killed writers, read-only, missing and full stores, interrupted imports.

Nothing is simulated: writers are real processes killed with SIGKILL; "read-only" is a
real SQLite read-only open (``mode=ro`` URI; root ignores chmod, so permission bits would
prove nothing) and, where this machine allows mounting, a read-only bind mount; "full" is
SQLite's own ``max_page_count`` limit on the store's connections and, where mounting
works, a tiny tmpfs.  Every committed answer must survive; every failure must reach the
participant as a plain ``StoreError`` sentence, with their typed answer still on screen.
Run with ``-s`` to see the figures.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import event

from hostile_corpus import export_document, export_row, good_answer
from widget_helpers import callback_errors  # noqa: F401 - autouse: fail on a swallowed callback error
from workshop_kit.errors import ImportFileError, StoreError
from workshop_kit.store.responses import ResponseStore
from workshop_kit.store.transfer import import_answers

pytestmark = pytest.mark.slow  # starts many processes: left out of `make check`

TESTS = Path(__file__).parent
COHORT = "faults"

WRITER = r"""
import sys
from hostile_corpus import good_answer
from workshop_kit.store.responses import ResponseStore
store = ResponseStore(sys.argv[1])
catalogue = store.catalogue
ids = ["risk.authority", "goal.statement", "relationships.log", "system.map", "week.time-budget", "goal.aims", "risk.appetite"]
i = 0
while True:
    ex = catalogue.exercise(ids[i % len(ids)])
    row = store.save(ex.id, good_answer(ex, i), participant=sys.argv[2], cohort="faults")
    print(row.uid, flush=True)  # only once save() has returned
    i += 1
"""

IMPORTER = r"""
import sys
from workshop_kit.store.responses import ResponseStore
from workshop_kit.store.transfer import import_answers

print(import_answers(ResponseStore(sys.argv[1]), sys.argv[2]), flush=True)
"""


def _python(script: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen([sys.executable, "-c", script, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def _integrity(path: Path) -> str:
    """SQLite's own verdict on the file, read with the standard library, not the kit."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def _uids(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {uid for (uid,) in conn.execute("SELECT uid FROM responses")}
    finally:
        conn.close()


# --- killed writers ---------------------------------------------------------------------------


class TestKilledWriter:
    def test_sigkill_mid_save_keeps_the_file_intact_and_every_committed_answer(self, kit_env):
        """Writers killed with SIGKILL in the middle of saving leave an intact file holding every answer whose save returned."""
        path = kit_env / "killed.sqlite"
        ResponseStore(path).close()
        rng = random.Random(7)
        committed: set[str] = set()
        kills = 0
        for round_ in range(3):
            writers = [_python(WRITER, str(path), f"Writer {round_}-{w}") for w in range(4)]
            targets = [rng.randint(3, 120) for _ in writers]
            for proc, target in zip(writers, targets):
                seen = 0
                while seen < target:
                    line = proc.stdout.readline()
                    assert line, f"writer stopped early: {proc.stderr.read()[-2000:]}"
                    committed.add(line.strip())
                    seen += 1
                time.sleep(rng.random() * 0.005)  # land the kill at a varying point of the next save
                proc.send_signal(signal.SIGKILL)
            for proc in writers:
                rest = proc.stdout.read()  # printed before the kill landed (including what readline buffered)
                proc.wait(timeout=30)
                proc.stdout.close()
                proc.stderr.close()
                committed.update(u for u in rest.split() if len(u) == 36)
                assert proc.returncode == -signal.SIGKILL
                kills += 1
            assert _integrity(path) == "ok"
            missing = committed - _uids(path)
            assert not missing, f"{len(missing)} answers whose save returned are gone"
        with ResponseStore(path) as store:  # still usable: the next participant can save
            store.save("risk.authority", 5, participant="After", cohort=COHORT)
            total = store.count(COHORT)
        print(f"\n  {kills} writers killed mid-save over 3 rounds; {len(committed)} committed answers all present; {total} rows; integrity ok")
        # each killed writer may have committed at most one save it never got to print
        assert len(committed) + 1 <= total <= len(committed) + kills + 1


# --- read-only, missing, full ----------------------------------------------------------------


def _seeded(path: Path) -> str:
    """A store file holding one known answer; returns its uid."""
    with ResponseStore(path) as store:
        return store.save("risk.limits", "My known good answer.", participant="Pat", cohort=COHORT).uid


def _typed_answer_survives(store: ResponseStore | None, expect: str) -> None:
    """Type into a widget, press Save: the store fails, the message says why, the typed text stays."""
    import workshop_kit as kit

    widget = kit.exercise("risk.limits", store=store, participant="Pat", cohort=COHORT)
    typed = "A new answer typed while the store is broken <b>keep me</b> " + "and long enough to need a new page. " * 20
    widget.box.value = typed
    widget.save_button.click()
    assert "Not saved" in widget.status.value and expect in widget.status.value, widget.status.value
    assert "wk-status-error" in widget.status.value
    assert widget.get_answer() == typed and widget.box.value == typed
    assert widget.dirty
    assert "<b>keep me</b>" not in widget.status.value


class TestReadOnly:
    def test_read_only_sqlite_open_refuses_saves_plainly_and_keeps_answers(self, kit_env):
        """A store opened read-only (SQLite mode=ro) still shows answers and refuses a save with a StoreError saying it is read-only."""
        path = kit_env / "answers.sqlite"
        uid = _seeded(path)
        with ResponseStore(f"sqlite:///file:{path}?mode=ro&uri=true") as store:
            assert store.latest("risk.limits", participant="Pat", cohort=COHORT).uid == uid
            with pytest.raises(StoreError, match="read-only") as info:
                store.save("risk.limits", "Another answer.", participant="Pat", cohort=COHORT)
            print(f"\n  read-only open: {info.value}")
            _typed_answer_survives(store, "read-only")
        assert _uids(path) == {uid} and _integrity(path) == "ok"

    def test_read_only_mount_refuses_with_a_plain_message(self, kit_env, tmp_path):
        """A store on a read-only bind mount gives a StoreError naming the read-only folder, and the typed answer stays."""
        source = tmp_path / "source"
        source.mkdir()
        uid = _seeded(source / "answers.sqlite")
        with _mounted(tmp_path / "ro", "--bind", str(source)) as target:
            _run_or_skip(["mount", "-o", "remount,ro,bind", str(target)])
            store = ResponseStore(target / "answers.sqlite")
            try:
                with pytest.raises(StoreError, match="read-only") as info:
                    store.save("risk.limits", "Another answer.", participant="Pat", cohort=COHORT)
                print(f"\n  read-only mount: {info.value}")
                _typed_answer_survives(store, "read-only")
            finally:
                store.close()
        assert _uids(source / "answers.sqlite") == {uid}


class TestMissingFolder:
    def test_missing_folder_is_a_plain_store_error(self, kit_env):
        """A store in a folder that does not exist is refused with a StoreError naming the folder."""
        with pytest.raises(StoreError, match="does not exist") as info:
            ResponseStore(kit_env / "no-such-folder" / "answers.sqlite")
        assert "no-such-folder" in str(info.value)
        print(f"\n  missing folder: {info.value}")

    def test_widget_keeps_the_typed_answer_when_the_store_folder_is_missing(self, kit_env, monkeypatch):
        """With WORKSHOP_KIT_STORE in a missing folder the widget still appears, Save explains, and the typed answer stays."""
        monkeypatch.setenv("WORKSHOP_KIT_STORE", str(kit_env / "no-such-folder" / "answers.sqlite"))
        _typed_answer_survives(None, "does not exist")


def _limit_pages(store: ResponseStore, extra_pages: int) -> None:
    """Make SQLite itself refuse to grow the store file beyond its current size plus a few pages."""
    engine = store.engine
    with engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()

    @event.listens_for(engine, "connect")
    def _limit(dbapi_connection, record):
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages + extra_pages}")

    engine.dispose()  # new connections get the limit


def _fill(store: ResponseStore) -> tuple[list[str], str, StoreError]:
    """Save distinct answers until the store is full; returns the uids saved, the last answer and the error."""
    uids, last = [], ""
    for i in range(100_000):
        text = f"Answer {i}: " + "a considered reflection " * 10
        try:
            uids.append(store.save("risk.limits", text, participant="Pat", cohort=COHORT).uid)
            last = text.strip()
        except StoreError as exc:
            return uids, last, exc
    raise AssertionError("the store never filled up")


class TestFullStore:
    def test_sqlite_max_page_count_full_store_is_a_plain_error_and_loses_nothing(self, kit_env):
        """When SQLite reports the database full, save raises a StoreError saying so and every earlier answer is kept."""
        path = kit_env / "answers.sqlite"
        _seeded(path)
        with ResponseStore(path) as store:
            _limit_pages(store, 20)
            uids, last, error = _fill(store)
            assert "full" in str(error)
            print(f"\n  max_page_count: full after {len(uids)} saves: {error}")
            _typed_answer_survives(store, "full")
        assert _integrity(path) == "ok"
        assert set(uids) <= _uids(path) and len(_uids(path)) == len(uids) + 1
        with ResponseStore(path) as store:
            assert store.latest("risk.limits", participant="Pat", cohort=COHORT).answer == last

    def test_full_disk_is_a_plain_error_and_loses_nothing(self, kit_env, tmp_path):
        """On a real, tiny file system that fills up, save raises a StoreError saying the disk is full; earlier answers stay."""
        with _mounted(tmp_path / "tiny", "-t", "tmpfs", "-o", "size=256k", "tmpfs") as folder:
            path = folder / "answers.sqlite"
            _seeded(path)
            with ResponseStore(path) as store:
                uids, last, error = _fill(store)
                assert "full" in str(error)
                print(f"\n  tmpfs 256 KB: full after {len(uids)} saves: {error}")
                _typed_answer_survives(store, "full")
            assert _integrity(path) == "ok"
            assert set(uids) <= _uids(path)
            with ResponseStore(path) as store:
                assert store.latest("risk.limits", participant="Pat", cohort=COHORT).answer == last


def _run_or_skip(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot {' '.join(command[:3])} here ({result.stderr.strip() or result.returncode}); needs root with CAP_SYS_ADMIN")


@contextmanager
def _mounted(target: Path, *mount_args: str) -> Iterator[Path]:
    """``mount <args> <target>``, skipping the test where mounting is not allowed; always unmounted."""
    if shutil.which("mount") is None or not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("mounting needs root (and the mount command)")
    target.mkdir()
    _run_or_skip(["mount", *mount_args, str(target)])
    try:
        yield target
    finally:
        if subprocess.run(["umount", str(target)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(target)], capture_output=True)


# --- interrupted and refused imports -----------------------------------------------------------


def _big_export(path: Path, catalogue, rows: int, bad_last: bool = False) -> None:
    exercises = [catalogue.exercise(e) for e in ("risk.authority", "goal.statement", "system.map", "relationships.log")]
    body = [
        export_row(f"00000000-0000-4000-8000-{i:012d}", ex.id, good_answer(ex, i), participant=f"Offline {i % 50:02d}")
        for i in range(rows)
        for ex in (exercises[i % len(exercises)],)
    ]
    if bad_last:
        body[-2]["answer"] = 11  # one answer out of range, near the end
        body[-2]["exercise_id"] = "risk.authority"
    path.write_text(json.dumps(export_document(body)), encoding="utf-8")


class TestInterruptedImport:
    def test_import_killed_inside_its_transaction_changes_nothing(self, kit_env, catalogue):
        """An import process killed with SIGKILL while it holds the write transaction leaves the store intact and unchanged."""
        path = kit_env / "answers.sqlite"
        kept = _seeded(path)
        export = kit_env / "big.json"
        _big_export(export, catalogue, 40_000)
        proc = _python(IMPORTER, str(path), str(export))
        probe = sqlite3.connect(path, timeout=0, isolation_level=None)
        started, killed_at = time.perf_counter(), None
        try:
            while proc.poll() is None and time.perf_counter() - started < 120:
                try:
                    probe.execute("BEGIN IMMEDIATE")
                    probe.execute("ROLLBACK")
                except sqlite3.OperationalError as exc:  # "database is locked": the importer is writing
                    assert "locked" in str(exc)
                    time.sleep(0.05)  # let it write some thousands of rows first
                    proc.send_signal(signal.SIGKILL)
                    killed_at = time.perf_counter() - started
                    break
                time.sleep(0.002)
        finally:
            probe.close()
        proc.communicate(timeout=30)
        assert killed_at is not None, "the import finished before it could be interrupted; make the file bigger"
        assert proc.returncode == -signal.SIGKILL
        assert _integrity(path) == "ok"
        assert _uids(path) == {kept}
        with ResponseStore(path) as store:  # the same file imports cleanly afterwards
            result = import_answers(store, export)
            assert (result.added, result.skipped, store.count()) == (40_000, 0, 40_001)
        print(f"\n  import of 40000 rows killed {killed_at:.2f} s in, inside its transaction: store unchanged, integrity ok; re-import added {result.added}")

    def test_bad_row_near_the_end_of_a_large_file_changes_nothing(self, store, catalogue, tmp_path):
        """A file whose 4999th of 5000 rows is bad is refused whole, naming that row, and adds nothing."""
        kept = store.save("risk.authority", 4, participant="Pat", cohort=COHORT)
        export = tmp_path / "bad-near-end.json"
        _big_export(export, catalogue, 5000, bad_last=True)
        with pytest.raises(ImportFileError, match="#4999") as info:
            import_answers(store, export)
        print(f"\n  bad row near the end: {info.value}")
        assert store.count() == 1 and store.latest("risk.authority", participant="Pat", cohort=COHORT).uid == kept.uid

    @pytest.mark.postgres
    def test_bad_row_near_the_end_changes_nothing_on_postgresql(self, pg_store, catalogue, tmp_path):
        """On PostgreSQL too, a file with a bad row near the end is refused whole and adds nothing."""
        pg_store.save("risk.authority", 4, participant="Pat", cohort=COHORT)
        export = tmp_path / "bad-near-end.json"
        _big_export(export, catalogue, 2000, bad_last=True)
        with pytest.raises(ImportFileError, match="#1999"):
            import_answers(pg_store, export)
        assert pg_store.count() == 1

    @pytest.mark.postgres
    def test_duplicate_uid_clash_on_postgresql_rolls_back_the_whole_import(self, pg_store, catalogue, tmp_path):
        """If the database refuses one row mid-transaction (a uid saved by another process meanwhile), no row of the file stays."""
        export = tmp_path / "clash.json"
        _big_export(export, catalogue, 1200)
        rows = json.loads(export.read_text(encoding="utf-8"))["responses"]
        clash = rows[1100]
        # another process commits a row with the same uid after the import checked which uids exist, before it inserts
        engine = pg_store.engine
        fired = []

        @event.listens_for(engine, "before_cursor_execute")
        def _race(conn, cursor, statement, parameters, context, executemany):
            if not fired and statement.lstrip().upper().startswith("INSERT") and clash["uid"] in str(parameters):
                fired.append(True)
                with ResponseStore(pg_store.url) as other, other.engine.begin() as c:
                    c.exec_driver_sql(
                        "INSERT INTO responses (uid, cohort, participant, exercise_id, answer, saved_at, kit_version) "
                        "VALUES (%(uid)s, 'other', 'Other', 'risk.authority', '5', now(), '0')",
                        {"uid": clash["uid"]},
                    )

        try:
            with pytest.raises(StoreError):
                import_answers(pg_store, export)
        finally:
            event.remove(engine, "before_cursor_execute", _race)
        assert fired
        assert pg_store.count() == 1  # only the other process's row
        assert pg_store.count("hostile-import") == 0
