"""The public API: ``__all__`` sorted and complete, every name importable and documented,
and ``import workshop_kit`` light (after httpx's tests/test_exported_members.py)."""

from __future__ import annotations

from pathlib import Path

import importlib
import inspect
import subprocess
import sys

import pytest

import workshop_kit

PUBLIC = [name for name in workshop_kit.__all__ if name != "__version__"]
# Names the package module itself holds that are plumbing, not API.
PLUMBING = {"annotations", "importlib", "Any"}
HEAVY = ("sqlalchemy", "pandas", "ipywidgets", "matplotlib", "psycopg")


class TestAll:
    def test_sorted_without_duplicates(self) -> None:
        """__all__ is sorted and lists each name once."""
        assert workshop_kit.__all__ == sorted(set(workshop_kit.__all__))

    def test_complete(self) -> None:
        """__all__ holds exactly the lazily exported names plus __version__."""
        assert set(workshop_kit.__all__) == set(workshop_kit._EXPORTS) | {"__version__"}

    def test_literal_for_tools(self) -> None:
        """__all__ is written out as a list of strings, and each name is imported for type checkers from the
        module _EXPORTS loads it from, so editors and mypy see the real types, not Any."""
        import ast

        tree = ast.parse(Path(workshop_kit.__file__).read_text())
        (literal,) = [n.value for n in tree.body if isinstance(n, ast.Assign) and [getattr(t, "id", "") for t in n.targets] == ["__all__"]]
        assert isinstance(literal, ast.List) and [e.value for e in literal.elts] == workshop_kit.__all__  # type: ignore[attr-defined]
        (guard,) = [n for n in tree.body if isinstance(n, ast.If) and ast.unparse(n.test) == "_typing.TYPE_CHECKING"]
        typed = {alias.name: node.module for node in guard.body if isinstance(node, ast.ImportFrom) for alias in node.names}
        assert typed == workshop_kit._EXPORTS

    def test_exports_map_is_sorted(self) -> None:
        """The _EXPORTS map is kept sorted, so additions are easy to review."""
        assert list(workshop_kit._EXPORTS) == sorted(workshop_kit._EXPORTS)

    def test_nothing_public_outside_all(self) -> None:
        """Every public name the package module defines at import time is in __all__."""
        fresh = subprocess.run(
            [sys.executable, "-c", "import workshop_kit; print('\\n'.join(vars(workshop_kit)))"],
            capture_output=True,
            text=True,
            check=True,
        )
        public = {n for n in fresh.stdout.split() if not n.startswith("_")} - PLUMBING
        assert public <= set(workshop_kit.__all__), public - set(workshop_kit.__all__)

    def test_every_kit_error_is_exported(self) -> None:
        """Every error class in workshop_kit.errors can be caught from the package."""
        from workshop_kit import errors

        classes = {n for n, obj in vars(errors).items() if inspect.isclass(obj) and issubclass(obj, Exception)}
        assert classes <= set(workshop_kit.__all__)

    def test_version(self) -> None:
        """__version__ is the installed distribution's version."""
        from importlib.metadata import version

        assert workshop_kit.__version__ == version("workshop-kit")


class TestEveryName:
    @pytest.mark.parametrize("name", PUBLIC)
    def test_importable(self, name: str) -> None:
        """Each public name imports from the package and is the object its module defines."""
        obj = getattr(workshop_kit, name)
        module = importlib.import_module(f"workshop_kit.{workshop_kit._EXPORTS[name]}")
        assert obj is getattr(module, name)
        namespace: dict[str, object] = {}
        exec(f"from workshop_kit import {name}", namespace)
        assert namespace[name] is obj

    @pytest.mark.parametrize("name", PUBLIC)
    def test_documented(self, name: str) -> None:
        """Each public object, and each public method and property of a public class, has a docstring."""
        obj = getattr(workshop_kit, name)
        assert (obj.__doc__ or "").strip(), f"{name} has no docstring"
        if inspect.isclass(obj) and not issubclass(obj, BaseException):
            for attr, member in vars(obj).items():
                if attr.startswith("_"):
                    continue
                if isinstance(member, (property, staticmethod, classmethod)) or inspect.isfunction(member):
                    target = member.fget if isinstance(member, property) else getattr(member, "__func__", member)
                    assert (target.__doc__ or "").strip(), f"{name}.{attr} has no docstring"

    def test_unknown_name(self) -> None:
        """An unknown attribute raises AttributeError naming it."""
        with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
            workshop_kit.nothing_here  # noqa: B018

    def test_dir_lists_the_api(self) -> None:
        """dir(workshop_kit) includes every public name, for tab completion."""
        assert set(workshop_kit.__all__) <= set(dir(workshop_kit))


class TestImportIsLight:
    def test_no_heavy_imports(self) -> None:
        """`import workshop_kit` in a fresh interpreter loads none of SQLAlchemy, pandas, ipywidgets, matplotlib, psycopg."""
        code = f"import sys, workshop_kit; print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        assert result.stdout.strip() == ""

    def test_catalogue_and_validation_stay_light(self) -> None:
        """Reading the catalogue and checking an answer need no database or notebook libraries either."""
        code = (
            "import sys, workshop_kit as kit\n"
            "kit.validate_answer(kit.default_catalogue().exercise('brand.value'), 5)\n"
            f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
        )
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        assert result.stdout.strip() == ""

    @pytest.mark.slow
    def test_heavy_part_loads_on_first_use(self) -> None:
        """Touching ResponseStore is what brings SQLAlchemy in."""
        code = "import sys, workshop_kit as kit\nkit.ResponseStore\nprint('sqlalchemy' in sys.modules)"
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        assert result.stdout.strip() == "True"
