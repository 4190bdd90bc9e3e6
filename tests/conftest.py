"""Shared fixtures: every test gets its own empty store, profile and the kit's own catalogue.

The autouse ``kit_env`` fixture points ``WORKSHOP_KIT_STORE`` and ``WORKSHOP_KIT_PROFILE``
at a fresh temporary folder and clears ``WORKSHOP_KIT_COHORT``, ``JUPYTERHUB_USER``,
``WORKSHOP_KIT_CATALOGUE`` and ``QUERY_STRING``, so no test reads or writes a real
participant's answers.  ``postgres_url`` starts one real, throwaway PostgreSQL server per
session (see ``tests/pg_server.py``) and skips, with the reason, only where that cannot
be done.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if str(Path(__file__).parent) not in sys.path:  # so tests and benchmarks can `import pg_server`
    sys.path.insert(0, str(Path(__file__).parent))

import pg_server  # noqa: E402

if TYPE_CHECKING:
    from workshop_kit.store.responses import ResponseStore

ISOLATED_ENV = ("WORKSHOP_KIT_COHORT", "JUPYTERHUB_USER", "WORKSHOP_KIT_CATALOGUE", "QUERY_STRING")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses the PostgreSQL server ``postgres``, so ``make check`` can leave it out."""
    for item in items:
        if "postgres_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(autouse=True)
def kit_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private folder holding this test's store file and profile; returns the folder."""
    folder = tmp_path / "kit"
    folder.mkdir()
    monkeypatch.setenv("WORKSHOP_KIT_STORE", str(folder / "answers.sqlite"))
    monkeypatch.setenv("WORKSHOP_KIT_PROFILE", str(folder / "profile.json"))
    for name in ISOLATED_ENV:
        monkeypatch.delenv(name, raising=False)
    yield folder
    store_module = sys.modules.get("workshop_kit.store.responses")
    if store_module is not None:  # close stores opened through default_store()
        for store in store_module._default_stores.values():
            store.close()
        store_module._default_stores.clear()


@pytest.fixture
def store(kit_env: Path) -> Iterator[ResponseStore]:
    """An empty SQLite store in this test's folder."""
    from workshop_kit.store.responses import ResponseStore

    with ResponseStore(kit_env / "answers.sqlite") as s:
        yield s


@pytest.fixture(scope="session")
def catalogue():
    """The catalogue shipped with the kit."""
    from workshop_kit.catalogue.model import DEFAULT_CATALOGUE, load_catalogue

    return load_catalogue(DEFAULT_CATALOGUE)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The URL of a real PostgreSQL database on a throwaway server, stopped after the session."""
    reason = pg_server.unavailable_reason()
    if reason:
        pytest.skip(reason)
    server = pg_server.PostgresServer()
    try:
        server.start()
    except Exception:
        server.stop()
        raise
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def pg_store(postgres_url: str) -> Iterator[ResponseStore]:
    """A store on the session's PostgreSQL server, emptied (all but the format record) before the test."""
    from sqlalchemy import delete

    from workshop_kit.store.responses import ResponseStore, kit_meta, metadata

    with ResponseStore(postgres_url) as s:
        with s.engine.begin() as conn:
            for table in reversed(metadata.sorted_tables):
                if table is not kit_meta:
                    conn.execute(delete(table))
        yield s
