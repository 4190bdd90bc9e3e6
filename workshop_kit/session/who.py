"""Who is answering, worked out against the store the answers go to.

Outside a room this is :func:`workshop_kit.session.identity.current_identity` (explicit
names, JupyterHub, the profile, the computer login).  In a room served by Voilà the
participant is the personal code in the page's link, looked up in *that* store: a store
handed to a page is the one that issued its codes, whatever the default store is.
"""

from __future__ import annotations

from typing import Any

from .. import settings
from . import identity, room
from .identity import Identity


def current_identity(participant: str | None = None, cohort: str | None = None, *, store: Any = None) -> Identity:
    """The participant and cohort answering now; in a room, the owner of the page's personal code in ``store``
    (the default store if none is given), or :class:`~workshop_kit.session.room.RoomCodeError` in plain English."""
    if participant is not None or not settings.in_room():
        return identity.current_identity(participant, cohort)
    person = room.room_person(store=store)
    who, cohort_source = identity.resolve_cohort(cohort)
    return Identity(person.participant, who, identity.ROOM_SOURCE, cohort_source)
