"""environment.yml (conda / Binder) lists the same dependencies as pyproject.toml."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent


def _requirement(text: str) -> tuple[str, str]:
    """(normalised name, version spec) of one requirement line, extras and markers dropped."""
    text = text.split(";")[0].strip()
    name, spec = re.match(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?\s*(.*)$", text).groups()
    return re.sub(r"[-_.]+", "-", name).lower(), spec.replace(" ", "")


def pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = project["dependencies"] + project["optional-dependencies"]["test"]
    return dict(_requirement(line) for line in lines)


def environment_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    lines: list[str] = []
    for entry in env["dependencies"]:
        if isinstance(entry, dict):
            lines.extend(entry.get("pip", []))
        elif not entry.startswith(("python", "pip")) or entry.startswith("python-"):
            lines.append(entry)
    return dict(_requirement(line) for line in lines)


class TestEnvironmentFile:
    def test_same_packages(self):
        """Every package in pyproject.toml (runtime and test) is in environment.yml and vice versa."""
        assert sorted(environment_requirements()) == sorted(pyproject_requirements())

    def test_same_minimum_versions(self):
        """Each package asks for the same version range in both files."""
        assert environment_requirements() == pyproject_requirements()

    def test_names_the_environment(self):
        """The conda environment is called workshop-kit, as the README says."""
        env = yaml.safe_load((ROOT / "environment.yml").read_text())
        assert env["name"] == "workshop-kit"
