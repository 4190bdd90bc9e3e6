"""The facilitator's data-protection commands: export, import and forget one person's answers.

Driven through ``cli.main([...])`` as a facilitator would type them, plus one run of the
installed ``workshop-kit`` entry point in a subprocess.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from workshop_kit.commands import admin, cli
from workshop_kit.session import room
from workshop_kit.errors import IdentityError
from workshop_kit.store.responses import ResponseStore, people

SAM, COHORT = "Sam Jones", "north-2026"


@pytest.fixture
def seeded(store: ResponseStore) -> ResponseStore:
    """Sam: three saves in north-2026 (one exercise twice) and one in another cohort; Alex: one save."""
    store.save("risk.authority", 3, participant=SAM, cohort=COHORT)
    store.save("risk.authority", 6, participant=SAM, cohort=COHORT)
    store.save("goal.statement", "Sam's private <b>goal</b>", participant=SAM, cohort=COHORT)
    store.save("risk.authority", 9, participant=SAM, cohort="south-2026")
    store.save("risk.authority", 5, participant="Alex Smith", cohort=COHORT)
    return store


class _Terminal(io.StringIO):
    """Keyboard input typed at a terminal."""

    def isatty(self) -> bool:
        return True


class TestExport:
    def test_export_writes_every_row_of_one_person_in_one_cohort(self, seeded, tmp_path, capsys):
        """export --participant --cohort --out writes all of that person's rows in that cohort, history included, and no one else's."""
        out = tmp_path / "sam.json"
        assert cli.main(["export", "--participant", SAM, "--cohort", COHORT, "--out", str(out)]) == 0
        rows = json.loads(out.read_text(encoding="utf-8"))["responses"]
        assert [(r["participant"], r["cohort"], r["answer"]) for r in rows] == [
            (SAM, COHORT, 3),
            (SAM, COHORT, 6),
            (SAM, COHORT, "Sam's private <b>goal</b>"),
        ]
        assert f"Wrote 3 answers by {SAM} in {COHORT}" in capsys.readouterr().out

    def test_export_of_someone_with_no_answers_says_so(self, seeded, tmp_path, capsys):
        """Exporting a person with no answers writes an empty list and reports 0."""
        out = tmp_path / "nobody.json"
        assert cli.main(["export", "--participant", "Nobody", "--cohort", COHORT, "--out", str(out)]) == 0
        assert json.loads(out.read_text(encoding="utf-8"))["responses"] == []
        assert "Wrote 0 answers" in capsys.readouterr().out

    def test_export_with_an_impossible_name_is_a_plain_error(self, seeded, tmp_path, capsys):
        """A name the kit could never have stored is refused in plain English and no file is written."""
        out = tmp_path / "x.json"
        assert cli.main(["export", "--participant", "<script>", "--cohort", COHORT, "--out", str(out)]) == 1
        assert "participant name" in capsys.readouterr().err
        assert not out.exists()

    def test_export_into_a_missing_folder_is_a_plain_error(self, seeded, tmp_path, capsys):
        """An --out path in a folder that does not exist gives a message and exit code 1, not a traceback."""
        code = cli.main(["export", "--participant", SAM, "--cohort", COHORT, "--out", str(tmp_path / "nope" / "sam.json")])
        assert code == 1
        assert "nope" in capsys.readouterr().err


    def test_failed_export_leaves_no_partial_copy(self, seeded, tmp_path, capsys):
        """When the file cannot be put in place (here --out names a folder), no half-written copy of the answers is left behind."""
        folder = tmp_path / "a-folder"
        folder.mkdir()
        assert cli.main(["export", "--participant", SAM, "--cohort", COHORT, "--out", str(folder)]) == 1
        assert "Nothing was exported" in capsys.readouterr().err
        assert sorted(p.name for p in tmp_path.iterdir()) == ["a-folder", "kit"]


class TestImport:
    def test_import_prints_added_then_skipped(self, seeded, tmp_path, capsys):
        """Importing an export into another store prints how many were added; importing it again skips them all."""
        out = tmp_path / "sam.json"
        cli.main(["export", "--participant", SAM, "--cohort", COHORT, "--out", str(out)])
        other = tmp_path / "other.sqlite"
        capsys.readouterr()
        assert cli.main(["import", str(out), "--store", str(other)]) == 0
        assert "3 added, 0 skipped" in capsys.readouterr().out
        assert cli.main(["import", str(out), "--store", str(other)]) == 0
        assert "0 added, 3 skipped" in capsys.readouterr().out
        with ResponseStore(other) as s:
            assert s.latest("risk.authority", participant=SAM, cohort=COHORT).answer == 6

    def test_import_of_a_broken_file_changes_nothing_and_says_why(self, seeded, tmp_path, capsys):
        """A truncated file is refused with a message and exit code 1; the store is unchanged."""
        out = tmp_path / "sam.json"
        cli.main(["export", "--participant", SAM, "--cohort", COHORT, "--out", str(out)])
        out.write_text(out.read_text(encoding="utf-8")[:-30], encoding="utf-8")
        before = seeded.count()
        assert cli.main(["import", str(out)]) == 1
        assert "Nothing was imported" in capsys.readouterr().err
        assert seeded.count() == before


class TestForget:
    def test_forget_with_yes_removes_only_that_person_in_that_cohort(self, seeded, capsys):
        """forget --yes deletes every row of one person in one cohort, says how many, and leaves everyone else."""
        assert cli.main(["forget", "--participant", SAM, "--cohort", COHORT, "--yes"]) == 0
        assert f"Deleted 3 answers by {SAM} in {COHORT}" in capsys.readouterr().out
        assert seeded.all_responses(COHORT, participant=SAM) == []
        assert seeded.latest("risk.authority", participant=SAM, cohort="south-2026").answer == 9
        assert seeded.latest("risk.authority", participant="Alex Smith", cohort=COHORT).answer == 5
        assert seeded.count() == 2

    def test_forget_asks_for_confirmation_naming_the_count(self, seeded, monkeypatch, capsys):
        """At a terminal, forget asks 'Type yes to delete N answers by P in C' and deletes on yes."""
        monkeypatch.setattr(sys, "stdin", _Terminal("yes\n"))
        assert cli.main(["forget", "--participant", SAM, "--cohort", COHORT]) == 0
        out = capsys.readouterr().out
        assert f"Type yes to delete 3 answers by {SAM} in {COHORT}" in out
        assert "Deleted 3 answers" in out
        assert seeded.count() == 2

    @pytest.mark.parametrize("reply", ["no\n", "y\n", "\n", ""])
    def test_anything_but_yes_deletes_nothing(self, seeded, monkeypatch, capsys, reply):
        """Any reply other than 'yes' (including Ctrl-D) deletes nothing and exits 1."""
        monkeypatch.setattr(sys, "stdin", _Terminal(reply))
        assert cli.main(["forget", "--participant", SAM, "--cohort", COHORT]) == 1
        assert "Nothing was deleted" in capsys.readouterr().err
        assert seeded.count() == 5

    def test_forget_refuses_without_a_terminal_or_yes(self, seeded, monkeypatch, capsys):
        """Run from a script without --yes, forget refuses (exit 2) and deletes nothing, even if 'yes' is piped in."""
        monkeypatch.setattr(sys, "stdin", io.StringIO("yes\n"))
        assert cli.main(["forget", "--participant", SAM, "--cohort", COHORT]) == 2
        assert "--yes" in capsys.readouterr().err
        assert seeded.count() == 5

    def test_forget_of_nobody_says_nothing_was_deleted(self, seeded, monkeypatch, capsys):
        """Forgetting someone with no answers asks nothing and says nothing was deleted."""
        monkeypatch.setattr(sys, "stdin", _Terminal(""))
        assert cli.main(["forget", "--participant", "Nobody", "--cohort", COHORT]) == 0
        assert "nothing was deleted" in capsys.readouterr().out
        assert seeded.count() == 5

    def test_forget_matches_names_as_they_were_saved(self, seeded):
        """Extra spaces around or inside the name still find the person (names are stored tidied)."""
        assert admin.forget_participant(seeded, "  Sam   Jones ", COHORT) == admin.Forgotten(answers=3, room_records=0)

    def test_forget_refuses_an_impossible_name(self, seeded):
        """A name that could never have been saved is an IdentityError, not a silent 0."""
        with pytest.raises(IdentityError):
            admin.forget_participant(seeded, "'; DROP TABLE responses; --", COHORT)
        assert seeded.count() == 5

    @pytest.mark.postgres
    def test_forget_on_postgresql(self, pg_store):
        """On a PostgreSQL store, forget removes exactly one person's rows in one cohort and reports the count."""
        pg_store.save("risk.authority", 3, participant=SAM, cohort=COHORT)
        pg_store.save("risk.authority", 4, participant=SAM, cohort=COHORT)
        pg_store.save("risk.authority", 5, participant="Alex Smith", cohort=COHORT)
        assert admin.forget_participant(pg_store, SAM, COHORT, confirm=lambda prompt: "yes") == admin.Forgotten(answers=2)
        assert pg_store.count() == 1

    @pytest.mark.postgres
    def test_forget_a_room_participant_on_postgresql(self, pg_store):
        """On a PostgreSQL store, forgetting a room participant by name removes their answers and their people row together."""
        sam = room.issue_code(SAM, cohort=COHORT, store=pg_store)
        pg_store.save("risk.authority", 3, participant=sam.participant, cohort=COHORT)
        assert admin.forget_participant(pg_store, SAM, COHORT) == admin.Forgotten(answers=1, room_records=1)
        assert room.display_names(COHORT, store=pg_store) == {}
        assert pg_store.count() == 0



@pytest.fixture
def room_people(store: ResponseStore) -> dict[str, room.Person]:
    """A served room in north-2026: Priya (two saves) and Sam Jones (one save) got personal links on the welcome page; Alex saved outside the room."""
    room._known.clear()
    priya = room.issue_code("Priya Shah", cohort=COHORT, store=store)
    sam = room.issue_code(SAM, cohort=COHORT, store=store)
    store.save("risk.authority", 4, participant=priya.participant, cohort=COHORT)
    store.save("goal.statement", "Priya's goal", participant=priya.participant, cohort=COHORT)
    store.save("risk.authority", 7, participant=sam.participant, cohort=COHORT)
    store.save("risk.authority", 5, participant="Alex Smith", cohort=COHORT)
    return {"priya": priya, "sam": sam}


def _people_rows(store: ResponseStore) -> list[tuple[str, str]]:
    with store.engine.connect() as conn:
        return [(r.participant, r.display_name) for r in conn.execute(people.select().order_by(people.c.id))]


class TestRoomParticipants:
    def test_export_by_typed_name_finds_room_answers_without_the_code(self, room_people, tmp_path, capsys):
        """export --participant with the name typed on the welcome page writes that person's room answers, keyed by answer key, and the file never holds their personal code."""
        priya = room_people["priya"]
        out = tmp_path / "priya.json"
        assert cli.main(["export", "--participant", "priya  SHAH", "--cohort", COHORT, "--out", str(out)]) == 0
        text = out.read_text(encoding="utf-8")
        document = json.loads(text)
        assert document["participant"] == priya.participant
        assert [(r["participant"], r["answer"]) for r in document["responses"]] == [(priya.participant, 4), (priya.participant, "Priya's goal")]
        assert priya.code not in text
        said = capsys.readouterr().out
        assert f"Wrote 2 answers by Priya Shah (room participant {priya.participant}) in {COHORT}" in said
        assert priya.code not in said

    def test_room_export_round_trips_through_import(self, room_people, store, tmp_path, capsys):
        """A room participant's export imported into an empty store gives back the same rows under their answer key, and a second import adds nothing."""
        priya = room_people["priya"]
        out = tmp_path / "priya.json"
        cli.main(["export", "--participant", "Priya Shah", "--cohort", COHORT, "--out", str(out)])
        other = tmp_path / "other.sqlite"
        assert cli.main(["import", str(out), "--store", str(other)]) == 0
        assert cli.main(["import", str(out), "--store", str(other)]) == 0
        assert "0 added, 2 skipped" in capsys.readouterr().out
        with ResponseStore(other) as copy:
            assert copy.all_responses(COHORT) == store.all_responses(COHORT, participant=priya.participant)

    def test_forget_by_typed_name_removes_answers_and_room_record(self, room_people, store, monkeypatch, capsys):
        """forget by typed name asks naming the answers and the room record, then deletes both and says how many of each went; others are untouched."""
        sam, priya = room_people["sam"], room_people["priya"]
        monkeypatch.setattr(sys, "stdin", _Terminal("yes\n"))
        assert cli.main(["forget", "--participant", SAM, "--cohort", COHORT]) == 0
        out = capsys.readouterr().out
        assert f"Type yes to delete 1 answers by {SAM} (room participant {sam.participant}) in {COHORT}, and 1 room record" in out
        assert "Deleted 1 answers by" in out and "and 1 room record (the name they typed and their personal link)" in out
        assert store.all_responses(COHORT, participant=sam.participant) == []
        assert _people_rows(store) == [(priya.participant, "Priya Shah")]
        assert room.find_person(sam.code, cohort=COHORT, store=store) is None  # the old personal link no longer opens anything
        assert store.count() == 3

    def test_refusing_the_prompt_keeps_the_room_record(self, room_people, store, monkeypatch, capsys):
        """Answering anything but yes to forget for a room participant deletes neither their answers nor their people row."""
        monkeypatch.setattr(sys, "stdin", _Terminal("no\n"))
        assert cli.main(["forget", "--participant", SAM, "--cohort", COHORT]) == 1
        assert store.count() == 4 and len(_people_rows(store)) == 2

    def test_room_record_without_answers_is_still_forgotten(self, store):
        """A room participant who got a link but saved nothing still has their name and code deleted."""
        room.issue_code(SAM, cohort=COHORT, store=store)
        assert admin.forget_participant(store, SAM, COHORT, confirm=lambda prompt: "yes") == admin.Forgotten(answers=0, room_records=1)
        assert _people_rows(store) == []

    def test_two_room_participants_with_one_name_are_refused(self, room_people, store, tmp_path, capsys):
        """When two room participants typed the same name, export and forget refuse, say how many matched and offer --code; nothing is written or deleted."""
        twin = room.issue_code("sam jones", cohort=COHORT, store=store)
        store.save("risk.authority", 2, participant=twin.participant, cohort=COHORT)
        out = tmp_path / "sam.json"
        assert cli.main(["export", "--participant", SAM, "--cohort", COHORT, "--out", str(out)]) == 1
        err = capsys.readouterr().err
        assert "matches 2 people: 2 room participants" in err and "--code=CODE" in err and "Nothing was exported" in err
        assert room_people["sam"].participant in err and twin.participant in err
        assert room_people["sam"].code not in err and twin.code not in err
        assert not out.exists()
        assert cli.main(["forget", "--participant", SAM, "--cohort", COHORT, "--yes"]) == 1
        assert "Nothing was deleted" in capsys.readouterr().err
        assert store.count() == 5 and len(_people_rows(store)) == 3

    def test_code_names_one_of_two_exactly(self, room_people, store, tmp_path, capsys):
        """--code (or the whole personal link) picks one of two same-named room participants for export and forget."""
        twin = room.issue_code(SAM, cohort=COHORT, store=store)
        store.save("risk.authority", 2, participant=twin.participant, cohort=COHORT)
        out = tmp_path / "twin.json"
        link = f"http://10.0.0.5:8866/?token=t&code={twin.code}"
        assert cli.main(["export", "--participant", SAM, "--code", link, "--cohort", COHORT, "--out", str(out)]) == 0
        assert [r["answer"] for r in json.loads(out.read_text(encoding="utf-8"))["responses"]] == [2]
        assert cli.main(["forget", f"--code={twin.code}", "--cohort", COHORT, "--yes"]) == 0
        assert "Deleted 1 answers" in capsys.readouterr().out
        assert store.latest("risk.authority", participant=room_people["sam"].participant, cohort=COHORT).answer == 7
        assert [key for key, _ in _people_rows(store)] == [room_people["priya"].participant, room_people["sam"].participant]

    def test_code_starting_with_a_dash_works_with_equals(self, store, monkeypatch, capsys):
        """A personal code may begin with '-' (about 1 in 64 do); written as --code=CODE it is read as the code, not an option."""
        monkeypatch.setattr(room, "new_code", lambda: "-Ab3_dash_first_code_x")
        dash = room.issue_code(SAM, cohort=COHORT, store=store)
        assert cli.main(["forget", f"--code={dash.code}", "--cohort", COHORT, "--yes"]) == 0
        assert "1 room record" in capsys.readouterr().out
        assert _people_rows(store) == []

    def test_answer_key_names_one_room_participant(self, room_people, store):
        """--participant with a room answer key (as listed in a refusal) finds that participant and their people row."""
        sam = room_people["sam"]
        assert admin.forget_participant(store, sam.participant, COHORT) == admin.Forgotten(answers=1, room_records=1)

    def test_unknown_or_mismatched_code_is_refused(self, room_people, store, tmp_path, capsys):
        """A code the room never gave out, or one belonging to someone else than --participant, is refused and nothing is deleted."""
        assert cli.main(["forget", f"--code={room.new_code()}", "--cohort", COHORT, "--yes"]) == 1
        assert "No room participant in north-2026 has that personal code" in capsys.readouterr().err
        assert cli.main(["forget", "--participant", "Priya Shah", f"--code={room_people['sam'].code}", "--cohort", COHORT, "--yes"]) == 1
        assert "not Priya Shah" in capsys.readouterr().err
        assert cli.main(["forget", f"--code={room_people['sam'].code}", "--cohort", "south-2026", "--yes"]) == 1
        assert store.count() == 4 and len(_people_rows(store)) == 2

    def test_name_saved_both_outside_and_inside_the_room_is_refused(self, room_people, store, capsys):
        """If answers are saved under the name itself and a room participant typed it too, forget refuses; --name-only deletes just the former."""
        store.save("risk.authority", 1, participant=SAM, cohort=COHORT)
        assert cli.main(["forget", "--participant", SAM, "--cohort", COHORT, "--yes"]) == 1
        err = capsys.readouterr().err
        assert "matches 2 people" in err and "--name-only" in err
        assert cli.main(["forget", "--participant", SAM, "--name-only", "--cohort", COHORT, "--yes"]) == 0
        assert f"Deleted 1 answers by {SAM} in {COHORT}. Delete" in capsys.readouterr().out
        assert store.latest("risk.authority", participant=room_people["sam"].participant, cohort=COHORT).answer == 7
        assert len(_people_rows(store)) == 2

    def test_plain_participant_is_unaffected_by_the_room(self, room_people, store, capsys):
        """A participant who saved under their own name is exported and forgotten exactly as before, with no room record touched."""
        assert cli.main(["forget", "--participant", "Alex Smith", "--cohort", COHORT, "--yes"]) == 0
        assert capsys.readouterr().out.strip() == f"Deleted 1 answers by Alex Smith in {COHORT}. Delete any exported copies too."
        assert store.count() == 3 and len(_people_rows(store)) == 2

    def test_typed_name_with_accented_capitals_is_found(self, store, tmp_path):
        """A typed name is matched ignoring case for accented letters too (É, Ø), which SQLite's lower() does not fold."""
        elise = room.issue_code("Élise Ørsted", cohort=COHORT, store=store)
        store.save("risk.authority", 6, participant=elise.participant, cohort=COHORT)
        assert admin.export_participant(store, "élise ørsted", COHORT, tmp_path / "elise.json") == 1

    def test_room_name_in_another_cohort_is_not_found(self, room_people, store):
        """A display name is looked up in the named cohort only: the same name in another cohort deletes nothing."""
        assert admin.forget_participant(store, SAM, "south-2026") == admin.Forgotten(0)
        assert store.count() == 4 and len(_people_rows(store)) == 2


def _entry_point() -> str:
    found = Path(sys.executable).parent / "workshop-kit"
    return str(found) if found.exists() else (shutil.which("workshop-kit") or pytest.skip("the workshop-kit command is not installed"))


@pytest.mark.slow
def test_installed_command_exports_and_forgets(seeded, tmp_path):
    """The installed workshop-kit command exports a person's answers, refuses to forget from a pipe, then forgets with --yes."""
    env = {**os.environ, "WORKSHOP_KIT_STORE": seeded.url.removeprefix("sqlite:///")}
    command = _entry_point()
    out = tmp_path / "sam.json"
    exported = subprocess.run([command, "export", "--participant", SAM, "--cohort", COHORT, "--out", str(out)], capture_output=True, text=True, env=env, timeout=120)
    assert exported.returncode == 0, exported.stderr
    assert len(json.loads(out.read_text(encoding="utf-8"))["responses"]) == 3
    piped = subprocess.run([command, "forget", "--participant", SAM, "--cohort", COHORT], input="yes\n", capture_output=True, text=True, env=env, timeout=120)
    assert piped.returncode == 2 and seeded.count() == 5
    forgot = subprocess.run([command, "forget", "--participant", SAM, "--cohort", COHORT, "--yes"], capture_output=True, text=True, env=env, timeout=120)
    assert forgot.returncode == 0, forgot.stderr
    assert "Deleted 3 answers" in forgot.stdout
    assert seeded.count() == 2
