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

from workshop_kit import admin, cli
from workshop_kit.errors import IdentityError
from workshop_kit.store import ResponseStore

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
        assert admin.forget_participant(seeded, "  Sam   Jones ", COHORT) == 3

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
        assert admin.forget_participant(pg_store, SAM, COHORT, confirm=lambda prompt: "yes") == 2
        assert pg_store.count() == 1


def _entry_point() -> str:
    found = Path(sys.executable).parent / "workshop-kit"
    return str(found) if found.exists() else (shutil.which("workshop-kit") or pytest.skip("the workshop-kit command is not installed"))


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
