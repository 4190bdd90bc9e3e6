"""Screen free text for personal identifiers before it is saved.

Participants write about their work, and a tired one may paste a case into an answer.
:func:`find_identifiers` looks in one piece of text for NHS numbers (ten digits that pass
the Modulus 11 check, with or without spaces or hyphens), e-mail addresses, UK phone
numbers and UK postcodes.  :func:`screen_answer` looks in every free-text part of an
answer in its stored form (a text answer, an own entry in a pick, a grid item's name and
notes, a log's text fields) and :func:`check_identifiers` turns what it finds into an
:class:`IdentifierError`, unless the participant has confirmed an e-mail address or phone
number.  An NHS number or a postcode can never be confirmed: it must be removed.

Before looking, the text is folded the way a reader sees it (NFKC: full-width digits
become ordinary digits) and invisible characters (zero-width spaces, soft hyphens) are
taken out, so they cannot hide a number from the check.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from .model import Exercise
from ..errors import AnswerError

NHS_NUMBER = "NHS number"
EMAIL = "e-mail address"
PHONE = "phone number"
POSTCODE = "postcode"
CONFIRMABLE = frozenset({EMAIL, PHONE})  # the kinds a participant may keep after a warning

_INVISIBLE = re.compile(r"[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")
_NHS = re.compile(r"(?<![\d.,/])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?![\d]|[.,/]\d)")
_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}")
# The Royal Mail pattern: outward code (area letters, district), a space or none, inward code (sector digit, unit letters).
_POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])([A-PR-UWYZa-pr-uwyz](?:[0-9][0-9A-HJKPSTUWa-hjkpstuw]?|[A-HK-Ya-hk-y][0-9][0-9ABEHMNPRVWXYabehmnprvwxy]?))"
    r" ?([0-9][ABD-HJLNP-UW-Zabd-hjlnp-uw-z]{2})(?![A-Za-z0-9])"
)
_ORDINAL = frozenset({"st", "nd", "rd", "th"})


@dataclass(frozen=True)
class Found:
    """One identifier found: its kind, where in the answer, and how to name it back to the participant."""

    kind: str
    where: str
    shown: str

    @property
    def confirmable(self) -> bool:
        """True for an e-mail address or phone number, which the participant may keep after a warning."""
        return self.kind in CONFIRMABLE

    def describe(self) -> str:
        """'an NHS number (ending 5919) in your answer'."""
        article = "an" if self.kind[0] in "aeiouNE" else "a"
        return f"{article} {self.kind} ({self.shown}) in {self.where}"


class IdentifierError(AnswerError):
    """An answer holds what looks like a personal identifier; nothing was saved."""

    def __init__(self, message: str, found: tuple[Found, ...]):
        super().__init__(message)
        self.found = found

    @property
    def confirmable(self) -> bool:
        """True when everything found is an e-mail address or phone number (the participant may confirm)."""
        return all(f.confirmable for f in self.found)


def nhs_number_valid(digits: str) -> bool:
    """True when ten digits pass the NHS number's Modulus 11 check."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def readable(text: str) -> str:
    """The text as the check reads it: NFKC-folded, invisible characters taken out."""
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", text))


def find_identifiers(text: str, where: str = "your answer") -> list[Found]:
    """Every NHS number, e-mail address, UK phone number and postcode in ``text``, in that order."""
    text = readable(text)
    found: list[Found] = []
    nhs_spans = []
    for m in _NHS.finditer(text):
        digits = "".join(m.groups())
        if nhs_number_valid(digits):
            nhs_spans.append(m.span())
            found.append(Found(NHS_NUMBER, where, f"ending {digits[-4:]}"))
    emails = list(_EMAIL.finditer(text))
    found += [Found(EMAIL, where, m.group()) for m in emails]
    taken = nhs_spans + [m.span() for m in emails]
    if sum(c.isdigit() for c in text) >= 9:  # no phone number is shorter; most answers never load phonenumbers (0.3 s)
        import phonenumbers

        for phone in phonenumbers.PhoneNumberMatcher(text, "GB", leniency=phonenumbers.Leniency.POSSIBLE):
            if not any(a <= phone.start < b for a, b in taken) and _dialled_like_a_phone(phone.raw_string, phone.number):
                found.append(Found(PHONE, where, phone.raw_string))
    for m in _POSTCODE.finditer(text):
        outward, inward = m.groups()
        if inward[1:].islower() and inward[1:] in _ORDINAL:  # "M1 1st floor": an ordinal, not a postcode
            continue
        found.append(Found(POSTCODE, where, m.group().upper()))
    return found


def _dialled_like_a_phone(raw: str, number: Any) -> bool:
    """A UK number written with its leading 0 (07912 345678, (0113) 496 0000), or one in international form.

    phonenumbers alone would also take "2019-2024" or "2025/26" for a possible local
    number; a real one is written with its trunk 0 or a +.
    """
    import phonenumbers

    if raw.startswith("+"):
        return (number.country_code == 44 and phonenumbers.is_possible_number(number)) or phonenumbers.is_valid_number(number)
    national = phonenumbers.national_significant_number(number)
    return raw.lstrip("(").startswith("0") and number.country_code == 44 and len(national) >= 9 and phonenumbers.is_possible_number(number)


def screen_answer(exercise: Exercise, answer: Any) -> list[Found]:
    """Identifiers in every free-text part of an answer in its stored form (see ``workshop_kit.catalogue.answers``)."""
    found: list[Found] = []
    for where, text in free_text(exercise, answer):
        found += find_identifiers(text, where)
    return found


def free_text(exercise: Exercise, answer: Any) -> list[tuple[str, str]]:
    """(where, text) for every part of a stored answer that the participant typed freely."""
    if exercise.kind == "text":
        return [("your answer", answer)]
    if exercise.kind == "pick":
        known = {o.casefold() for o in exercise.options}
        return [("your own choice", p) for p in answer if p.casefold() not in known]
    if exercise.kind == "grid":
        parts = []
        for i, item in enumerate(answer, start=1):
            parts.append((f"item {i}'s {exercise.item_label.lower()}", item["name"]))
            parts += [(f"item {i}'s '{f.label}'", item.get(f.name) or "") for f in exercise.fields if f.type == "text"]
        return parts
    if exercise.kind == "log":
        return [(f"row {i}'s '{f.label}'", row.get(f.name) or "") for i, row in enumerate(answer, start=1) for f in exercise.fields if f.type == "text"]
    return []


def check_identifiers(exercise: Exercise, answer: Any, *, allow_contact_details: bool = False) -> None:
    """Raise :class:`IdentifierError` if the answer holds an identifier that may not be saved.

    ``allow_contact_details`` is the participant's confirmation that the e-mail addresses
    and phone numbers found are meant to be there; NHS numbers and postcodes are refused
    whatever it says.
    """
    found = screen_answer(exercise, answer)
    refused = tuple(f for f in found if not (allow_contact_details and f.confirmable))
    if refused:
        raise IdentifierError(identifier_message(refused), refused)


def identifier_message(found: tuple[Found, ...]) -> str:
    """The participant's warning: what was found, where, and what to do."""
    listed = "; ".join(f.describe() for f in found)
    if all(f.confirmable for f in found):
        return (
            f"This looks like someone's contact details: {listed}. Answers are kept in the workshop's store, "
            "so please remove it, or press 'Save anyway' if it is meant to be there (a team's public address, say)."
        )
    kinds = sorted({f.kind for f in found if not f.confirmable}, key=[NHS_NUMBER, POSTCODE].index)
    kinds_text = _and(kinds)
    return (
        f"This looks like it holds {listed}. {kinds_text[0].upper() + kinds_text[1:]} can identify a patient or a person "
        "and must never be saved here: please remove it, then save again."
    )


def _and(kinds: list[str]) -> str:
    plural = [f"{k}s" for k in kinds]
    return plural[0] if len(plural) == 1 else " and ".join(plural)
