"""Export and import answers as one JSON file.

An export holds every saved row (history included) of one participant or a whole cohort.
An import is all or nothing: the whole file is checked first, a malformed or truncated
file changes nothing and the error says where it broke; rows already in the store are
skipped, so importing the same file twice adds nothing.  Answers are screened for
identifiers as on Save (see ``identifiers.py``): one NHS number, postcode, or unconfirmed
e-mail address or phone number refuses the whole file, naming the answer.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._version import __version__
from ..catalogue.answers import validate_answer
from ..errors import AnswerError, CatalogueError, IdentityError, ImportFileError
from ..catalogue.identifiers import IdentifierError, check_identifiers
from ..catalogue.names import validate_name
from .responses import Response, ResponseStore

FORMAT = "workshop-kit-answers"
FILE_VERSION = 1  # the answers file's own format (its "schema_version" field), apart from the store's
MAX_IMPORT_BYTES = 200 * 1024 * 1024
_UID = re.compile(r"[A-Za-z0-9-]{8,36}")
_VERSION = re.compile(r"[\w.+-]{1,32}")
_ROW_FIELDS = {"uid", "cohort", "participant", "exercise_id", "answer", "saved_at", "kit_version"}


@dataclass(frozen=True)
class ImportResult:
    """What an import did."""

    added: int
    skipped: int

    def __str__(self) -> str:
        return f"{self.added} answer(s) added, {self.skipped} already in the store."


def answers_json(store: ResponseStore, cohort: str, participant: str | None = None) -> tuple[str, int]:
    """One participant's (or a whole cohort's) answers as the text of an export file, and how many rows."""
    rows = store.all_responses(cohort, participant=participant)
    document = {
        "format": FORMAT,
        "schema_version": FILE_VERSION,
        "kit_version": __version__,
        "exported_at": dt.datetime.now(dt.timezone.utc).isoformat(),
        "cohort": cohort,
        "participant": participant,
        "responses": [r.as_dict() for r in rows],
    }
    return json.dumps(document, ensure_ascii=False, indent=1), len(rows)


def export_answers(store: ResponseStore, path: str | os.PathLike[str], cohort: str, participant: str | None = None) -> int:
    """Write one participant's (or a whole cohort's) answers to a JSON file; returns how many rows."""
    text, count = answers_json(store, cohort, participant)
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)  # leave no half-written copy of someone's answers behind
        raise
    return count


def read_export(store: ResponseStore, path: str | os.PathLike[str], *, allow_contact_details: bool = False) -> list[Response]:
    """Parse and check a whole export file; raises :class:`ImportFileError` naming where it broke.

    An answer holding an identifier is refused as :meth:`ResponseStore.save` refuses it;
    ``allow_contact_details`` lets e-mail addresses and phone numbers through.
    """
    path = Path(path)
    try:
        if path.stat().st_size > MAX_IMPORT_BYTES:
            raise ImportFileError(f"{path.name} is larger than {MAX_IMPORT_BYTES // 2**20} MB; is it really an answers file?")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ImportFileError(f"There is no file called {path}.") from None
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"{path.name} is not a text file (bad byte at position {exc.start}).") from None
    except OSError as exc:  # a folder, no permission, an unreadable disk
        raise ImportFileError(f"{path} cannot be read ({exc.strerror or exc}).") from None
    try:
        document = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            f"{path.name} is not a complete answers file: it breaks at line {exc.lineno}, column {exc.colno} ({exc.msg}). "
            "Was it cut short while copying? Nothing was imported."
        ) from None
    except ValueError as exc:
        raise ImportFileError(f"{path.name}: {exc}. Nothing was imported.") from None
    except RecursionError:
        raise ImportFileError(f"{path.name} is nested too deeply to be an answers file. Nothing was imported.") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ImportFileError(f"{path.name} is not a workshop-kit answers file (its 'format' field is missing or wrong).")
    version = document.get("schema_version")
    if version != FILE_VERSION:
        raise ImportFileError(
            f"{path.name} was written in answers-file format {version!r}; this kit reads format {FILE_VERSION}. "
            "Import it with the kit version that wrote it, or update the kit."
        )
    rows = document.get("responses")
    if not isinstance(rows, list):
        raise ImportFileError(f"{path.name}: the 'responses' list is missing.")
    return [_parse_row(store, path.name, i, row, allow_contact_details) for i, row in enumerate(rows, start=1)]


def import_answers(store: ResponseStore, path: str | os.PathLike[str], *, allow_contact_details: bool = False) -> ImportResult:
    """Check the whole file (answers, and identifiers as on Save), then add its new rows in one transaction."""
    rows = read_export(store, path, allow_contact_details=allow_contact_details)
    added = store.add_responses(rows)
    return ImportResult(added=added, skipped=len(rows) - added)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"it contains {name}, which is not a valid answer")


def _identifier_refusal(where: str, row: dict[str, Any], exc: IdentifierError, allowed: bool) -> str:
    """Why an imported answer was refused for an identifier, naming the answer (and never repeating an NHS number)."""
    found = "; ".join(f.describe().replace(" in your answer", " in the answer").replace(" in your own choice", " in the own choice") for f in exc.found)
    what = f"{where} ({row['exercise_id']}, saved by {row['participant']} in {row['cohort']}) holds {found}."
    if exc.confirmable and not allowed:
        return (
            f"{what} Nothing was imported. Ask them to remove it and export again, or, if it is meant to be there, "
            "import with --allow-contact-details (e-mail addresses and phone numbers only)."
        )
    return f"{what} NHS numbers and postcodes are never stored. Nothing was imported: ask them to remove it and export again."


def _parse_row(store: ResponseStore, filename: str, index: int, row: Any, allow_contact_details: bool = False) -> Response:
    where = f"{filename}, answer #{index}"
    if not isinstance(row, dict):
        raise ImportFileError(f"{where} is not a record.")
    missing = sorted(_ROW_FIELDS - set(row))
    if missing:
        raise ImportFileError(f"{where} has no {', '.join(missing)}.")
    try:
        uid = row["uid"]
        if not isinstance(uid, str) or not _UID.fullmatch(uid):
            raise ImportFileError(f"{where}: 'uid' is not a valid record id.")
        if not isinstance(row["exercise_id"], str) or len(row["exercise_id"]) > 100:
            raise ImportFileError(f"{where}: 'exercise_id' is not an exercise id. Nothing was imported.")
        if not isinstance(row["kit_version"], str) or not _VERSION.fullmatch(row["kit_version"]):
            raise ImportFileError(f"{where}: 'kit_version' is not a version number. Nothing was imported.")
        for name in ("cohort", "participant"):
            if not isinstance(row[name], str):
                raise ImportFileError(f"{where}: '{name}' is not text. Nothing was imported.")
        cohort = validate_name(row["cohort"], "cohort name")
        participant = validate_name(row["participant"], "participant name")
        exercise = store.catalogue.exercise(row["exercise_id"])
        answer = validate_answer(exercise, row["answer"])
        check_identifiers(exercise, answer, allow_contact_details=allow_contact_details)
        saved_at = _timestamp(row["saved_at"], where)
        kit_version = row["kit_version"]
    except IdentifierError as exc:
        raise ImportFileError(_identifier_refusal(where, row, exc, allow_contact_details)) from None
    except (IdentityError, CatalogueError, AnswerError) as exc:
        raise ImportFileError(f"{where}: {exc} Nothing was imported.") from None
    return Response(uid, cohort, participant, exercise.id, answer, saved_at, kit_version)


def _timestamp(value: Any, where: str) -> dt.datetime:
    shown = repr(value) if isinstance(value, str) and len(value) <= 40 else "that value"
    try:
        if not isinstance(value, str):
            raise ValueError(value)
        stamp = dt.datetime.fromisoformat(value)
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=dt.timezone.utc)
        return stamp.astimezone(dt.timezone.utc)
    except (ValueError, OverflowError):  # OverflowError: year 1 or 9999 pushed past the calendar by its zone
        raise ImportFileError(f"{where}: 'saved_at' is not a date and time ({shown}). Nothing was imported.") from None
