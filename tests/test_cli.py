"""The demo and report subcommands of ``workshop-kit``."""

from __future__ import annotations

from pathlib import Path

import pytest

from workshop_kit.commands.cli import main
from workshop_kit.store.responses import ResponseStore


class TestDemo:
    def test_fills_the_store(self, kit_env: Path, capsys: pytest.CaptureFixture[str]):
        """`workshop-kit demo` fills WORKSHOP_KIT_STORE and says how much it added."""
        assert main(["demo", "--participants", "6", "--cohort", "rehearsal", "--seed", "1"]) == 0
        assert "by 6 made-up participants to cohort rehearsal" in capsys.readouterr().out
        with ResponseStore(kit_env / "answers.sqlite") as store:
            assert len(store.participants("rehearsal")) == 6

    def test_store_option(self, tmp_path: Path):
        """--store chooses another store."""
        other = tmp_path / "other.sqlite"
        assert main(["demo", "--participants", "3", "--store", str(other)]) == 0
        with ResponseStore(other) as store:
            assert store.cohorts() == ["demo"]

    def test_participants_must_be_positive(self, capsys: pytest.CaptureFixture[str]):
        """Zero participants is refused with a usage message."""
        with pytest.raises(SystemExit) as stop:
            main(["demo", "--participants", "0"])
        assert stop.value.code == 2 and "at least 1" in capsys.readouterr().err


class TestReport:
    @pytest.mark.slow
    def test_writes_three_formats(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
        """`workshop-kit report --cohort X --out DIR` writes the HTML, XLSX and CSV files."""
        main(["demo", "--participants", "4", "--cohort", "c1", "--seed", "2"])
        out = tmp_path / "out"
        assert main(["report", "--cohort", "c1", "--out", str(out)]) == 0
        assert (out / "report.html").is_file() and (out / "report.xlsx").is_file() and (out / "csv" / "figures.csv").is_file()
        assert "report.html" in capsys.readouterr().out

    def test_unknown_cohort(self, capsys: pytest.CaptureFixture[str]):
        """An unknown cohort exits with 1 and a plain message, no traceback."""
        main(["demo", "--participants", "3", "--cohort", "c1", "--seed", "2"])
        assert main(["report", "--cohort", "nope"]) == 1
        err = capsys.readouterr().err
        assert "'nope' has no answers" in err and "Traceback" not in err
