"""The README's Python examples run, and its Quick start has exactly two commands."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


class TestReadme:
    def test_python_examples_run(self, tmp_path, monkeypatch, capsys):
        """Every ```python block in the README runs without error in a fresh folder and store."""
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("WORKSHOP_KIT_PROFILE", str(tmp_path / "profile.json"))
        blocks = _blocks("python")
        assert blocks
        for block in blocks:
            exec(compile(block, "README.md", "exec"), {})
        assert "{'now': 4, 'target': 7}" in capsys.readouterr().out

    def test_quick_start_has_two_commands(self):
        """The Quick start's first shell block is exactly `make study` and `make test`, both in the Makefile (with `make lab`)."""
        quick = README.split("## Quick start", 1)[1]
        commands = [line.split("#")[0].strip() for line in _blocks("sh")[0].splitlines() if line.strip()]
        assert commands == ["make study", "make test"]
        assert quick.index("make study") < quick.index("make test")
        makefile = (ROOT / "Makefile").read_text()
        assert all(re.search(rf"^{target}:", makefile, re.M) for target in ("study", "lab", "test"))

    def test_ci_runs_the_readme_test_command(self):
        """.ci/run calls `make test` and installs chromium and postgresql when missing."""
        ci = (ROOT / ".ci" / "run").read_text()
        assert "make test" in ci and "chromium" in ci and "postgresql" in ci

    def test_credits_the_chapter_and_authors(self):
        """The README credits the chapter and both of its authors."""
        for name in ("Becoming a successful leader", "Owen Powell", "Gareth Baxendale", "Health CIO Handbook"):
            assert name in README
