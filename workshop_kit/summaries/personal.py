"""One participant's own saved answers, read without creating a store that does not exist yet."""

from __future__ import annotations

from typing import Any


def saved_answers(store: Any, participant: str, cohort: str) -> dict[str, Any]:
    """The participant's latest answers by exercise id, without creating a store that does not exist yet."""
    if _missing_sqlite_file(store):
        return {}
    return store.my_answers(participant=participant, cohort=cohort)


def _missing_sqlite_file(store: Any) -> bool:
    path = getattr(store, "sqlite_path", None)
    return path is not None and not path.exists()
