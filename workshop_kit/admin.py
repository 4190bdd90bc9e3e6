"""The facilitator's data-protection tools: export, import and forget one person's answers.

Plain functions behind the ``workshop-kit export``, ``import`` and ``forget`` commands
(a subject access request, an offline participant's file, an erasure request).  Each
takes an open :class:`ResponseStore`; names are checked the same way the kit checks them
when answers are saved, so a typo gets a plain-English message rather than a silent
"0 rows".
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from .errors import KitError
from .identity import validate_name
from .store import ResponseStore
from .transfer import ImportResult, export_answers, import_answers


class ExportFileError(KitError):
    """The export file could not be written (missing folder, no permission, disk full)."""


class ConfirmationRefused(KitError):
    """The person at the keyboard did not confirm a deletion; nothing was deleted."""


def _who(participant: str, cohort: str) -> tuple[str, str]:
    return validate_name(participant, "participant name"), validate_name(cohort, "cohort name")


def export_participant(store: ResponseStore, participant: str, cohort: str, out: str | os.PathLike[str]) -> int:
    """Write every answer one participant saved in one cohort (history included) to a JSON file; returns how many."""
    participant, cohort = _who(participant, cohort)
    try:
        return export_answers(store, Path(out), cohort, participant=participant)
    except OSError as exc:
        raise ExportFileError(f"Could not write {out}: {exc.strerror or exc}. Nothing was exported.") from None


def import_file(store: ResponseStore, path: str | os.PathLike[str]) -> ImportResult:
    """Add the answers in an export file to the store: all or nothing, rows already present skipped."""
    return import_answers(store, Path(path))


def count_answers(store: ResponseStore, participant: str, cohort: str) -> int:
    """How many rows (saves, history included) one participant has in one cohort."""
    participant, cohort = _who(participant, cohort)
    return len(store.all_responses(cohort, participant=participant))


def confirmation_prompt(count: int, participant: str, cohort: str) -> str:
    """The question asked before deleting: the person must type ``yes``."""
    return f"Type yes to delete {count} answers by {participant} in {cohort}: "


def forget_participant(
    store: ResponseStore, participant: str, cohort: str, *, confirm: Callable[[str], str] | None = None
) -> int:
    """Delete every row of one participant in one cohort and return how many went.

    With ``confirm`` (e.g. :func:`input`) the person is first asked to type ``yes``;
    anything else raises :class:`ConfirmationRefused` and deletes nothing.
    """
    participant, cohort = _who(participant, cohort)
    if confirm is not None:
        count = count_answers(store, participant, cohort)
        if count == 0:
            return 0
        reply = confirm(confirmation_prompt(count, participant, cohort))
        if reply.strip().lower() != "yes":
            raise ConfirmationRefused(f"Nothing was deleted: the answer was {reply.strip()!r}, not 'yes'.")
    return store.forget(participant, cohort)
