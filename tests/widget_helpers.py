"""Fixtures for driving exercise widgets without a browser.

ipywidgets catches every exception raised in a click callback and only logs it
("Exception in callback ..."), so a test that just clicks would pass while the handler is
broken.  ``callback_errors`` (autouse where imported) collects those log records and fails
the test if any appear.  ``widget_env`` points the store and profile at a private folder.

Import into a test module with ``from widget_helpers import *  # noqa: F403``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

__all__ = ["callback_errors", "widget_env", "kit_store", "make", "seed", "CallbackErrors"]


class CallbackErrors(logging.Handler):
    """Collects log records that carry a swallowed callback exception."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        seen = any(r is record for r in self.records)  # the same record reaches root and "traitlets"
        if not seen and (record.exc_info or "Exception in callback" in record.getMessage()):
            self.records.append(record)

    def report(self) -> str:
        return "\n".join(self.format(r) for r in self.records)


@pytest.fixture(autouse=True)
def callback_errors(monkeypatch: pytest.MonkeyPatch) -> Iterator[CallbackErrors]:
    """Fail the test when ipywidgets logs an exception from a callback."""
    import ipywidgets.widgets.widget as widget_module

    # With an IPython shell around, ipywidgets prints the traceback instead of logging it.
    monkeypatch.setattr(widget_module, "get_ipython", lambda: None)
    handler = CallbackErrors()
    handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    loggers = [logging.getLogger(), logging.getLogger("traitlets")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield handler
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
    if handler.records:
        pytest.fail("A widget callback raised an exception (ipywidgets only logged it):\n" + handler.report(), pytrace=False)


@pytest.fixture
def widget_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private folder for this test's store and profile, named by the environment."""
    folder = tmp_path / "widgets"
    folder.mkdir()
    monkeypatch.setenv("WORKSHOP_KIT_STORE", str(folder / "answers.sqlite"))
    monkeypatch.setenv("WORKSHOP_KIT_PROFILE", str(folder / "profile.json"))
    for name in ("WORKSHOP_KIT_COHORT", "JUPYTERHUB_USER", "WORKSHOP_KIT_CATALOGUE", "QUERY_STRING"):
        monkeypatch.delenv(name, raising=False)
    return folder


@pytest.fixture
def kit_store(widget_env: Path) -> Iterator:
    """An empty store in this test's folder (the one ``WORKSHOP_KIT_STORE`` names)."""
    from workshop_kit.store.responses import ResponseStore

    with ResponseStore(widget_env / "answers.sqlite") as store:
        yield store


def make(exercise_id: str, store, participant: str = "alice", cohort: str = "cohort-a", **kwargs):
    """The widget for one exercise, for one participant of one cohort."""
    import workshop_kit as kit

    return kit.exercise(exercise_id, store=store, participant=participant, cohort=cohort, **kwargs)


def seed(store, exercise_id: str, answers: list, cohort: str = "cohort-a", prefix: str = "other") -> None:
    """Save one answer per made-up participant (other01, other02 ...)."""
    for i, answer in enumerate(answers, start=1):
        store.save(exercise_id, answer, participant=f"{prefix}{i:02d}", cohort=cohort)
