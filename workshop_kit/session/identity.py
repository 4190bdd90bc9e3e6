"""Who is answering: the participant and the cohort.

Participant: explicit argument → in a room served by Voilà (``WORKSHOP_KIT_ROOM``), the
personal code in the page's link (see :mod:`workshop_kit.session.room`) → ``JUPYTERHUB_USER`` → the profile saved by the welcome
notebook → the operating-system user.  Cohort: explicit → ``WORKSHOP_KIT_COHORT`` →
profile → ``self-study``.  Names are checked (length, characters) with a clear error: any
script's letters and marks are welcome, as typed, stored in Unicode's composed form (NFC).
"""

from __future__ import annotations

import getpass
import json
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..errors import IdentityError

PROFILE_ENV = "WORKSHOP_KIT_PROFILE"
COHORT_ENV = "WORKSHOP_KIT_COHORT"
HUB_USER_ENV = "JUPYTERHUB_USER"
ROOM_ENV = "WORKSHOP_KIT_ROOM"
DEFAULT_COHORT = "self-study"
ROOM_SOURCE = "personal link"  # where a room participant's identity comes from
MAX_NAME_LENGTH = 64
# Punctuation a name may hold besides letters, marks and numbers: apostrophes (straight, curly,
# modifier letter), hyphens and dashes, the middle dots of Catalan and transliterated names, and
# . @ _ for logins such as JupyterHub user names.
_NAME_PUNCTUATION = set(" '\u2018\u2019\u02bc.@_\u00b7\u30fb")
# Zero-width joiners are format characters that Indic and Persian spelling needs (ZWNJ, ZWJ).
_JOINERS = {"\u200c", "\u200d"}
_BIDI_CONTROLS = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


@dataclass(frozen=True)
class Identity:
    """A participant in a cohort, and where each name came from (for the welcome page)."""

    participant: str
    cohort: str
    participant_source: str = "explicit"
    cohort_source: str = "explicit"


def validate_name(value: object, what: str = "name") -> str:
    """The name in NFC with runs of spaces made one, or :class:`IdentityError` saying what is wrong.

    Letters and marks of any script, numbers, spaces, apostrophes, hyphens and dashes are
    taken as typed; control and text-direction characters are refused (they can make a
    name read as someone else's).
    """
    if not isinstance(value, str):
        raise IdentityError(f"The {what} must be text (got {value!r}).")
    name = " ".join(value.split())
    if not name:
        raise IdentityError(f"The {what} is empty; please type one.")
    hidden = next((c for c in name if c in _BIDI_CONTROLS or (unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn") and c not in _JOINERS)), None)
    if hidden is not None:
        kind = "a text-direction control" if hidden in _BIDI_CONTROLS else "an invisible control character"
        raise IdentityError(
            f"The {what} contains {kind} (U+{ord(hidden):04X} {unicodedata.name(hidden, 'unnamed')}), "
            "which can make it show differently from how it was typed; please type it again without it."
        )
    name = unicodedata.normalize("NFC", name)
    if len(name) > MAX_NAME_LENGTH:
        raise IdentityError(f"The {what} is {len(name)} characters long; the limit is {MAX_NAME_LENGTH}.")
    odd = next((c for c in name if not _name_character(c)), None)
    if odd is not None or not unicodedata.category(name[0])[0] in "LN":
        problem = f"the character '{odd}' is not allowed" if odd is not None else "it must start with a letter or number"
        raise IdentityError(
            f"The {what} '{name}' can use letters, numbers, spaces, apostrophes, hyphens and dashes "
            f"(in any alphabet) and the characters . @ _ only: {problem}."
        )
    return name


def _name_character(c: str) -> bool:
    """A letter, mark or number of any script, a joiner, or one of the punctuation names use."""
    category = unicodedata.category(c)
    return category[0] in "LMN" or category == "Pd" or c in _NAME_PUNCTUATION or c in _JOINERS


def profile_path() -> Path:
    """Where the welcome notebook keeps this user's name and cohort."""
    if os.environ.get(PROFILE_ENV):
        return Path(os.environ[PROFILE_ENV])
    from platformdirs import user_config_dir

    return Path(user_config_dir("workshop-kit", appauthor=False)) / "profile.json"


def load_profile() -> dict[str, str]:
    """The saved profile, or an empty one if there is none or it cannot be read."""
    try:
        data = json.loads(profile_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if k in ("participant", "cohort") and isinstance(v, str)} if isinstance(data, dict) else {}


def save_profile(participant: str | None = None, cohort: str | None = None) -> dict[str, str]:
    """Check and save the participant's name and cohort for the other notebooks; returns the profile."""
    profile = load_profile()
    if participant is not None:
        profile["participant"] = validate_name(participant, "participant name")
    if cohort is not None:
        profile["cohort"] = validate_name(cohort, "cohort name")
    path = profile_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(profile, indent=2), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        raise IdentityError(f"Your name could not be saved to {path} ({exc.strerror or exc}).") from None
    return profile


def _os_user() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        return "participant"
    cleaned = "".join(c for c in unicodedata.normalize("NFC", user) if _name_character(c)).strip()[:MAX_NAME_LENGTH]
    return cleaned if cleaned and unicodedata.category(cleaned[0])[0] in "LN" else "participant"


def resolve_participant(explicit: str | None = None) -> tuple[str, str]:
    """The participant's name and where it came from."""
    if explicit is not None:
        return validate_name(explicit, "participant name"), "explicit"
    if os.environ.get(ROOM_ENV, "").strip().lower() not in ("", "0", "false", "no"):
        # a room served by Voila: every kernel is the facilitator's login, so only the
        # personal code in the page's link tells people apart (RoomCodeError if it is missing)
        from .room import room_person

        return room_person().participant, ROOM_SOURCE
    if os.environ.get(HUB_USER_ENV):
        return validate_name(os.environ[HUB_USER_ENV], "participant name"), "JupyterHub"
    saved = load_profile().get("participant")
    if saved:
        return validate_name(saved, "participant name"), "profile"
    return _os_user(), "computer login"


def resolve_cohort(explicit: str | None = None) -> tuple[str, str]:
    """The cohort's name and where it came from."""
    if explicit is not None:
        return validate_name(explicit, "cohort name"), "explicit"
    if os.environ.get(COHORT_ENV):
        return validate_name(os.environ[COHORT_ENV], "cohort name"), COHORT_ENV
    saved = load_profile().get("cohort")
    if saved:
        return validate_name(saved, "cohort name"), "profile"
    return DEFAULT_COHORT, "default"


def current_identity(participant: str | None = None, cohort: str | None = None) -> Identity:
    """Resolve both names in one call."""
    p, p_source = resolve_participant(participant)
    c, c_source = resolve_cohort(cohort)
    return Identity(p, c, p_source, c_source)
