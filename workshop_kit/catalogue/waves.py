"""Waves of one cohort: the workshop itself, then a follow-up some weeks later.

A wave is part of the cohort's name, by one rule: the workshop's answers are saved under
the cohort (``leeds-2026-03``), a later wave's under ``<cohort>@<wave>``
(``leeds-2026-03@follow-up``), the wave being one the catalogue names in its
``[follow_up]`` table.  Because the wave travels in the cohort column, the store needs no
new field, and exports, imports, erasure and every cohort view carry waves unchanged; a
participant keeps one name (their hub login, profile or room key) across waves, which is
what matches their before and after.
"""

from __future__ import annotations

from .model import Catalogue, FollowUp, default_catalogue
from ..errors import KitError
from .names import validate_name

WAVE_MARK = "@"
WORKSHOP = "workshop"  # the name of the first wave, which has no suffix


def follow_up_of(catalogue: Catalogue | None = None) -> FollowUp:
    """The catalogue's follow-up, or a plain error when it has none."""
    catalogue = catalogue or default_catalogue()
    if catalogue.follow_up is None:
        raise KitError(f"The catalogue ({catalogue.path.name}) has no [follow_up] table, so there is no follow-up to take.")
    return catalogue.follow_up


def wave_cohort(cohort: str, wave: str) -> str:
    """The cohort name a wave's answers are saved under: ``<cohort>@<wave>`` (the workshop wave: the cohort itself)."""
    base = validate_name(cohort, "cohort name")
    if wave == WORKSHOP:
        return base
    return validate_name(f"{base}{WAVE_MARK}{wave}", f"cohort name of the {wave} wave")


def split_wave(name: str, catalogue: Catalogue | None = None) -> tuple[str, str]:
    """(cohort, wave) from a stored cohort name: ``leeds@follow-up`` → (``leeds``, ``follow-up``).

    Only the follow-up wave the catalogue names counts as a wave; any other ``@`` is part of
    the cohort's own name.
    """
    catalogue = catalogue or default_catalogue()
    follow_up = catalogue.follow_up
    if follow_up is not None:
        suffix = WAVE_MARK + follow_up.wave
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)], follow_up.wave
    return name, WORKSHOP


def workshop_cohorts(names: list[str], catalogue: Catalogue | None = None) -> list[str]:
    """The workshop cohorts among stored cohort names (a follow-up wave stands for its cohort), sorted."""
    return sorted({split_wave(n, catalogue)[0] for n in names})
