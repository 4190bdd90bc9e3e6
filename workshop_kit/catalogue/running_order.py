"""The day's running orders, read from the facilitator notes, for the presenter's timer.

``facilitator_notes/00-running-the-workshop.md`` holds tables of Start, Minutes, Session
and Notebook (one per format: full day, half day, two half days).  :func:`running_orders`
reads them; where the notes are not beside the kit (an installed copy), :func:`plans`
falls back on one order made from the catalogue's section minutes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .model import Catalogue

NOTES = Path(__file__).resolve().parents[2] / "facilitator_notes" / "00-running-the-workshop.md"
CATALOGUE_ORDER = "Section lengths from the catalogue"


@dataclass(frozen=True)
class Slot:
    """One row of a running order: planned start (minutes after the day's start), length, what, and which notebook."""

    start: int
    minutes: int
    session: str
    notebook: str | None


def _cells(line: str) -> list[str]:
    return [c.strip().replace("*", "").replace("`", "").strip() for c in line.strip().strip("|").split("|")]


def _number(text: str) -> int | None:
    match = re.match(r"\d+", text)
    return int(match.group()) if match else None


def parse_running_orders(text: str) -> dict[str, list[Slot]]:
    """Every table with Start and Minutes columns, by the heading above it; a row without minutes (Finish, Total) ends nothing."""
    orders: dict[str, list[Slot]] = {}
    heading, block = "", []
    for line in text.splitlines() + [""]:
        if line.lstrip().startswith("|"):
            block.append(_cells(line))
            continue
        if len(block) > 2:
            header = [h.lower() for h in block[0]]
            if "start" in header and "minutes" in header and "notebook" in header:
                minutes_at, session_at, notebook_at = header.index("minutes"), header.index("session"), header.index("notebook")
                slots, clock = [], 0
                for row in block[2:]:
                    minutes = _number(row[minutes_at]) if len(row) > minutes_at else None
                    if minutes is None or row[0].lower() == "total":
                        continue
                    notebook = row[notebook_at] if len(row) > notebook_at and row[notebook_at] not in ("", "—", "-") else None
                    slots.append(Slot(clock, minutes, row[session_at], notebook))
                    clock += minutes
                orders[heading] = slots
        block = []
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
    return orders


def running_orders(path: Path = NOTES) -> dict[str, list[Slot]]:
    """The running orders in the facilitator notes, or {} when the notes are not here."""
    try:
        return parse_running_orders(path.read_text(encoding="utf-8"))
    except OSError:
        return {}


def catalogue_order(catalogue: Catalogue) -> list[Slot]:
    """Every section back to back, at the catalogue's minutes."""
    slots, clock = [], 0
    for section in catalogue.sections:
        slots.append(Slot(clock, section.minutes, section.title, f"{section.number:02d}-{section.id}"))
        clock += section.minutes
    return slots


def plans(catalogue: Catalogue, path: Path = NOTES) -> dict[str, list[Slot]]:
    """The running orders to choose from (the notes' own, else one from the catalogue)."""
    return running_orders(path) or {CATALOGUE_ORDER: catalogue_order(catalogue)}


def slot_for(order: list[Slot], notebook: str | None) -> Slot | None:
    """The running order's row for a section's notebook, or None when the order leaves it out."""
    return next((slot for slot in order if notebook and slot.notebook == notebook), None)


def pace(slot: Slot | None, elapsed_minutes: float) -> tuple[str, int]:
    """("ahead", n), ("behind", n) or ("on plan", 0) for the room being on ``slot`` ``elapsed_minutes`` into the day.

    The rule: the plan has the section running from its start to its end.  Still before its
    planned start is ahead by the difference; past its planned end is behind by the
    difference; in between is on plan.
    """
    if slot is None:
        return ("on plan", 0)
    if elapsed_minutes < slot.start:
        return ("ahead", round(slot.start - elapsed_minutes))
    if elapsed_minutes > slot.start + slot.minutes:
        return ("behind", round(elapsed_minutes - slot.start - slot.minutes))
    return ("on plan", 0)
