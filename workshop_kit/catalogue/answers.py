"""Check an answer against its exercise before it is saved.

``validate_answer(exercise, answer)`` returns the answer in its stored form or raises
:class:`AnswerError` with a plain-English message naming the exercise and the problem.

Stored forms, by kind:

- scale: an integer, or ``{"now": int, "target": int}`` for a paired scale
- pick: a list of distinct strings (options, plus at most one of the participant's own)
- text: a string (surrounding white space removed)
- budget: ``{heading: number}`` for every heading (whole, or up to two decimal places), adding up to
  the exercise's total
- grid: a list of ``{"name", "x", "y", "tag", <extra fields>}`` items
- log: a list of rows, ``{field name: value}``
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from decimal import Decimal
from typing import Any, Callable

from .model import BudgetExercise, Exercise, Field, GridExercise, LogExercise, PickExercise, ScaleExercise, TextExercise
from ..errors import AnswerError

# C0/C1 control characters other than tab and newline; they have no place in an answer.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Half of a UTF-16 surrogate pair on its own: not a character, and no database can store it.
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Text made only of white space and invisible format characters (zero-width, bidi controls, BOM, tags).
_INVISIBLE = re.compile(r"[\s\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\U000e0000-\U000e007f]*")


class _Problem(Exception):
    """Internal: one thing wrong with an answer, before the exercise name is added."""


def validate_answer(exercise: Exercise, answer: Any) -> Any:
    """The answer in its stored form, or :class:`AnswerError` saying what is wrong."""
    try:
        return _CHECKS[exercise.kind](exercise, answer)
    except _Problem as problem:
        raise AnswerError(f"{exercise.title} ({exercise.id}): {problem}") from None


# --- building blocks -----------------------------------------------------------------


def whole_number(value: Any, lo: int, hi: int, what: str = "the answer") -> int:
    """An integer from lo to hi; integral floats are accepted, booleans, NaN and text are not."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _Problem(f"{what} must be a whole number from {lo} to {hi} (got {_show(value)}).")
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise _Problem(f"{what} must be a whole number from {lo} to {hi} (got {_show(value)}).")
        value = int(value)
    if not lo <= value <= hi:
        raise _Problem(f"{what} must be a whole number from {lo} to {hi} (got {_show(value)}).")
    return value


def clean_text(value: Any, max_length: int, what: str = "the answer", *, required: bool = True) -> str:
    """Text with surrounding white space removed and line endings made plain; length and characters checked."""
    if not isinstance(value, str):
        raise _Problem(f"{what} must be text (got {_show(value)}).")
    if _SURROGATE.search(value):
        raise _Problem(f"{what} contains a broken character (half of an emoji or symbol); please retype it.")
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if required and _INVISIBLE.fullmatch(text):
        raise _Problem(f"{what} is empty; please write something before saving.")
    if _CONTROL.search(text):
        raise _Problem(f"{what} contains invisible control characters; please retype it.")
    if len(text) > max_length:
        raise _Problem(f"{what} is {len(text)} characters long; the limit is {max_length}. Please shorten it.")
    return text


def _show(value: Any) -> str:
    try:
        text = repr(value)
    except (ValueError, RecursionError):  # a number of thousands of digits; a list nested thousands deep
        return f"a {type(value).__name__} too large to show"
    if " object at 0x" in text:
        return f"a {type(value).__name__} object"
    return text if len(text) <= 40 else text[:37] + "..."


def _quoted(texts: list[str]) -> str:
    """Participant text for a message, in quotes and exactly as typed (never re-cased)."""
    return ", ".join(f"“{t}”" for t in texts)


def _key(value: Any) -> str:
    """A dict key for a message: short plain text as it is, anything else as :func:`_show` gives it."""
    if isinstance(value, str) and len(value) <= 40 and not _SURROGATE.search(value) and not _CONTROL.search(value):
        return value
    return _show(value)


# --- one check per kind ----------------------------------------------------------------


def _scale(ex: ScaleExercise, answer: Any) -> Any:
    if not ex.paired:
        return whole_number(answer, ex.min, ex.max)
    if not isinstance(answer, dict) or set(answer) != {"now", "target"}:
        raise _Problem(f"needs two values, '{ex.pair[0]}' and '{ex.pair[1]}' (got {_show(answer)}).")
    return {
        "now": whole_number(answer["now"], ex.min, ex.max, f"'{ex.pair[0]}'"),
        "target": whole_number(answer["target"], ex.min, ex.max, f"'{ex.pair[1]}'"),
    }


def _pick(ex: PickExercise, answer: Any) -> list[str]:
    if not isinstance(answer, (list, tuple)):
        raise _Problem(f"must be a list of choices (got {_show(answer)}).")
    picks = [clean_text(p, max(ex.custom_max_length, *map(len, ex.options)), "each choice") for p in answer]
    folded = [p.casefold() for p in picks]
    if len(set(folded)) != len(folded):
        dupes = sorted({p for p in picks if folded.count(p.casefold()) > 1})
        raise _Problem(f"{_quoted(dupes)} {'is' if len(dupes) == 1 else 'are'} chosen more than once; each choice can count only once.")
    if not ex.min_picks <= len(picks) <= ex.max_picks:
        raise _Problem(f"please choose {_how_many(ex)} (you chose {len(picks)}).")
    known = {o.casefold(): o for o in ex.options}
    custom = [p for p in picks if p.casefold() not in known]
    if custom and not ex.allow_custom:
        raise _Problem(f"{_quoted(custom)} is not one of the options.")
    if len(custom) > 1:
        raise _Problem(f"only one choice of your own can be added (got {_quoted(custom)}).")
    if custom and len(custom[0]) > ex.custom_max_length:
        raise _Problem(f"your own choice is {len(custom[0])} characters; the limit is {ex.custom_max_length}.")
    return [known.get(p.casefold(), p) for p in picks]


def _how_many(ex: PickExercise) -> str:
    if ex.min_picks == ex.max_picks:
        return f"exactly {ex.min_picks}"
    return f"between {ex.min_picks} and {ex.max_picks}"


def _text(ex: TextExercise, answer: Any) -> str:
    return clean_text(answer, ex.max_length)


def _budget(ex: BudgetExercise, answer: Any) -> dict[str, int | float]:
    if not isinstance(answer, dict):
        raise _Problem(f"needs a share for each of {', '.join(ex.headings)} (got {_show(answer)}).")
    unknown = [k for k in answer if k not in ex.headings]
    if unknown:
        raise _Problem(f"{_quoted([_key(k) for k in unknown])} is not one of the headings.")
    missing = [h for h in ex.headings if h not in answer]
    if missing:
        raise _Problem(f"a share is missing for {', '.join(missing)}.")
    shares = {h: share_number(answer[h], ex.total, f"the share for {h}") for h in ex.headings}
    total = share_total(shares.values())
    if total != ex.total:
        raise _Problem(f"the shares add up to {total}; they must add up to exactly {ex.total}.")
    return shares


SHARE_PLACES = 2  # a budget share may have up to two decimal places (33.33 + 33.33 + 33.34)


def share_number(value: Any, total: int, what: str = "the share") -> int | float:
    """A share from 0 to total with at most two decimal places: an int when whole (12), else a float (12.5)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (isinstance(value, float) and not math.isfinite(value)):
        raise _Problem(f"{what} must be a number from 0 to {total} (got {_show(value)}).")
    if not 0 <= value <= total:  # before Decimal: a googol or a 5000-digit number is refused, not converted
        raise _Problem(f"{what} must be a number from 0 to {total} (got {_show(value)}).")
    exact = Decimal(str(value))
    if exact != exact.quantize(Decimal(1).scaleb(-SHARE_PLACES)):
        raise _Problem(f"{what} has more than {SHARE_PLACES} decimal places (got {_show(value)}); please round it.")
    return int(exact) if exact == exact.to_integral_value() else float(exact)


def share_total(shares: Any) -> int | float:
    """The shares added exactly (0.1 + 0.2 is 0.3 here), as an int when whole."""
    total = sum((Decimal(str(v)) for v in shares), Decimal(0))
    return int(total) if total == total.to_integral_value() else float(total)


def _field(f: Field, value: Any, where: str) -> Any:
    what = f"{where}: '{f.label}'"
    empty = value is None or (isinstance(value, str) and not value.strip())
    if empty:
        if f.required:
            raise _Problem(f"{what} must be filled in.")
        return None if f.type == "number" else ""
    if f.type == "text":
        return clean_text(value, f.max_length, what)
    if f.type == "number":
        return whole_number(value, f.min, f.max, what)
    if f.type == "choice":
        if value not in f.choices:
            raise _Problem(f"{what} must be one of {', '.join(f.choices)} (got {_show(value)}).")
        return value
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        if not isinstance(value, str):
            raise ValueError(value)
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise _Problem(f"{what} must be a date like 2026-03-31 (got {_show(value)}).") from None


def _rows(ex: GridExercise | LogExercise, answer: Any, noun: str) -> list[dict[str, Any]]:
    if not isinstance(answer, (list, tuple)) or not all(isinstance(r, dict) for r in answer):
        raise _Problem(f"must be a list of {noun}s (got {_show(answer)}).")
    if not answer:
        raise _Problem(f"add at least one {noun} before saving.")
    if len(answer) > ex.max_rows:
        raise _Problem(f"has {len(answer)} {noun}s; the limit is {ex.max_rows}.")
    return list(answer)


def _check_keys(row: dict[str, Any], allowed: set[str], where: str) -> None:
    extra = sorted(_key(k) for k in row if k not in allowed)
    if extra:
        raise _Problem(f"{where} has unexpected entries: {', '.join(extra)}.")


def _grid(ex: GridExercise, answer: Any) -> list[dict[str, Any]]:
    items = []
    seen: set[str] = set()
    for i, item in enumerate(_rows(ex, answer, "item"), start=1):
        where = f"item {i}"
        _check_keys(item, {"name", "x", "y", "tag"} | {f.name for f in ex.fields}, where)
        name = clean_text(item.get("name"), ex.max_length, f"{where}: '{ex.item_label}'")
        if name.casefold() in seen:
            raise _Problem(f"{_quoted([name])} appears twice; each item can be placed only once.")
        seen.add(name.casefold())
        tag = item.get("tag")
        if tag not in ex.tags:
            raise _Problem(f"{where} ({name}): '{ex.tag_label}' must be one of {', '.join(ex.tags)} (got {_show(tag)}).")
        clean = {
            "name": name,
            "x": whole_number(item.get("x"), ex.min, ex.max, f"{where} ({name}): {ex.x_axis.label}"),
            "y": whole_number(item.get("y"), ex.min, ex.max, f"{where} ({name}): {ex.y_axis.label}"),
            "tag": tag,
        }
        clean.update({f.name: _field(f, item.get(f.name), f"{where} ({name})") for f in ex.fields})
        items.append(clean)
    return items


def _log(ex: LogExercise, answer: Any) -> list[dict[str, Any]]:
    rows = []
    for i, row in enumerate(_rows(ex, answer, "row"), start=1):
        where = f"row {i}"
        _check_keys(row, {f.name for f in ex.fields}, where)
        clean = {f.name: _field(f, row.get(f.name), where) for f in ex.fields}
        if all(v in ("", None) for v in clean.values()):
            raise _Problem(f"{where} is empty; fill it in or remove it.")
        rows.append(clean)
    return rows


# Each check takes its own kind's exercise; validate_answer picks the one for the exercise's kind.
_CHECKS: dict[str, Callable[[Any, Any], Any]] = {"scale": _scale, "pick": _pick, "text": _text, "budget": _budget, "grid": _grid, "log": _log}
