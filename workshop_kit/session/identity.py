"""Who is answering: the participant and the cohort.

Participant: explicit argument → ``JUPYTERHUB_USER`` → the profile saved by the welcome
notebook → the operating-system user.  In a room served by Voilà (``WORKSHOP_KIT_ROOM``) it
is the personal code in the page's link instead, looked up in the page's own store: that is
:func:`workshop_kit.kit.current_identity`, the one place that knows room mode.  Cohort: explicit → ``WORKSHOP_KIT_COHORT`` →
profile → ``self-study``.  Names are checked by :mod:`workshop_kit.catalogue.names`.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .. import settings
from ..catalogue.names import MAX_NAME_LENGTH, _name_character, validate_name
from ..errors import IdentityError

PROFILE_ENV, COHORT_ENV, HUB_USER_ENV, ROOM_ENV = settings.PROFILE_ENV, settings.COHORT_ENV, settings.HUB_USER_ENV, settings.ROOM_ENV
DEFAULT_COHORT = "self-study"
ROOM_SOURCE = "personal link"  # where a room participant's identity comes from


@dataclass(frozen=True)
class Identity:
    """A participant in a cohort, and where each name came from (for the welcome page)."""

    participant: str
    cohort: str
    participant_source: str = "explicit"
    cohort_source: str = "explicit"


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
    if settings.in_room():
        # a room served by Voila: every kernel is the facilitator's login, so only the personal
        # code in the page's link tells people apart, checked in the page's own store (kit.current_identity)
        raise IdentityError("In a room, who is answering comes from the personal link: ask workshop_kit.current_identity with the page's store.")
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
