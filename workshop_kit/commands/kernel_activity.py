"""A lighter watch on kernel activity for the room's server.

jupyter_server listens to every kernel's IOPub messages to keep ``last_activity`` and
``execution_state`` up to date.  For each message it checks the signature over every frame and
decodes the header, and for status messages decodes the message again.  A room page sends
hundreds of widget messages as it opens, so with 30 pages at once that bookkeeping was about a
quarter of the room server's CPU (py-spy).  :func:`watch_lightly` keeps the same two facts by
reading only the small header frames, as JSON, and never the content of widget messages.

The signature is not checked here: this stream only feeds the server's own accounting, and
messages that reach a page still go through the checked path.
"""

from __future__ import annotations

import json
from typing import Any

from jupyter_server._tz import utcnow

DELIMITER = b"<IDS|MSG>"


def message_types(frames: list[bytes]) -> tuple[str | None, str | None, list[bytes]]:
    """The message's type, its parent's type and the frames after the delimiter (header first)."""
    try:
        start = frames.index(DELIMITER) + 2  # skip the delimiter and the signature
    except ValueError:
        return None, None, []
    parts = frames[start:]
    if len(parts) < 2:
        return None, None, parts
    header = json.loads(parts[0])
    parent = json.loads(parts[1]) if parts[1] not in (b"{}", b"") else {}
    return header.get("msg_type"), parent.get("msg_type"), parts


def execution_state_of(parts: list[bytes]) -> str | None:
    """The ``execution_state`` of a status message's content frame."""
    if len(parts) < 4:
        return None
    return json.loads(parts[3]).get("execution_state")


def watch_lightly(manager: Any) -> None:
    """Make ``manager`` (a MappingKernelManager) watch activity from the header frames alone."""

    def start_watching_activity(kernel_id: str) -> None:
        kernel = manager._kernels[kernel_id]
        kernel.reason = ""
        kernel.last_activity = utcnow()
        kernel._activity_stream = kernel.connect_iopub()

        def record_activity(frames: list[Any]) -> None:
            msg_type, parent_type, parts = message_types([bytes(frame) for frame in frames])
            if msg_type is None:
                return
            tracked_parent = manager.track_message_type(parent_type)  # as jupyter_server: no parent counts as tracked
            if manager.track_message_type(msg_type) or tracked_parent or kernel.execution_state == "busy":
                manager.last_kernel_activity = kernel.last_activity = utcnow()
            if msg_type == "status":
                state = execution_state_of(parts)
                if tracked_parent and state:
                    kernel.execution_state = state
                elif kernel.execution_state == "starting" and state != "starting":
                    kernel.execution_state = "idle"

        kernel._activity_stream.on_recv(record_activity)

    manager.start_watching_activity = start_watching_activity
