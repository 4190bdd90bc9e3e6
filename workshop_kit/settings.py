"""Every environment variable the kit reads or sets, and the one test of room mode.

The kit is configured by the environment it runs in (``workshop-kit serve`` and ``study`` set
these for the pages they start); every module reads the names here, never its own copy.
"""

from __future__ import annotations

import os

STORE_ENV = "WORKSHOP_KIT_STORE"  # where answers are kept: a file path or a database URL
CATALOGUE_ENV = "WORKSHOP_KIT_CATALOGUE"  # a facilitator's own catalogue file
COHORT_ENV = "WORKSHOP_KIT_COHORT"  # the cohort a page saves into
PROFILE_ENV = "WORKSHOP_KIT_PROFILE"  # the self-study profile file (name and cohort)
HUB_USER_ENV = "JUPYTERHUB_USER"  # set by JupyterHub: the participant's login
ROOM_ENV = "WORKSHOP_KIT_ROOM"  # set by `serve`: pages are served to a room, identity from the personal link
ROOM_URL_ENV = "WORKSHOP_KIT_ROOM_URL"  # the room page's address, e.g. http://10.0.0.5:8866/
ROOM_TOKEN_ENV = "WORKSHOP_KIT_ROOM_TOKEN"  # the room's access token, so a personal link works on its own
ROOM_LINK_ENV = "WORKSHOP_KIT_ROOM_LINK"  # the link the presenter view shows as a QR code
PREBUILD_ENV = "WORKSHOP_KIT_ROOM_PREBUILD"  # the section a pooled kernel builds before its request (set by the room server)
PRESENTER_TOKEN_ENV = "WORKSHOP_KIT_PRESENTER_TOKEN"  # the presenter view's token
STUDY_ENV = "WORKSHOP_KIT_STUDY"  # set by `workshop-kit study` for its pages
PLAN_DIR_ENV = "WORKSHOP_KIT_PLAN_DIR"  # where the personal plan's files are written
BROWSER_ENV = "WORKSHOP_KIT_BROWSER"  # the Chromium the printable worksheet uses
SERVER_LOG_ENV = "WORKSHOP_KIT_SERVER_LOG"  # the room server's log level option
QUERY_STRING_ENV = "QUERY_STRING"  # set by Voilà: the page's query string (the personal code)
VOILA_PREHEAT_ENV = "VOILA_PREHEAT"  # set by Voilà in a pooled kernel
VOILA_REQUEST_URL_ENV = "VOILA_REQUEST_URL"  # set by Voilà: the page's address
VOILA_KERNEL_ID_ENV = "VOILA_KERNEL_ID"  # set by Voilà in a pooled kernel: its id, by which its request is sent
VOILA_APP_IP_ENV = "VOILA_APP_IP"  # set by Voilà: where a pooled kernel asks for its request
VOILA_APP_PORT_ENV = "VOILA_APP_PORT"
VOILA_SERVER_URL_ENV = "VOILA_SERVER_URL"
VOILA_WS_BASE_URL_ENV = "VOILA_WS_BASE_URL"
VOILA_WS_PROTOCOL_ENV = "VOILA_WS_PROTOCOL"

_OFF = ("", "0", "false", "no")


def in_room() -> bool:
    """True when the pages are served to a room (``WORKSHOP_KIT_ROOM`` set to anything but 0/false)."""
    return os.environ.get(ROOM_ENV, "").strip().lower() not in _OFF

