"""Draft objectives from a participant's saved answers (the objectives log's Draft button and the plan).

A summary of one participant's own answers, so both the log widget and the plan view can use it
without importing each other.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..catalogue.model import Catalogue



def role_answer(catalogue: Catalogue, answers: dict[str, Any], role: str) -> Any:
    """The participant's saved answer to the exercise that plays ``role`` in the plan (catalogue ``plan = ...``), or None."""
    ex = catalogue.for_plan(role)
    response = answers.get(ex.id) if ex is not None else None
    return response.answer if response is not None else None


def needs_list(catalogue: Catalogue, answers: dict[str, Any]) -> tuple[str, ...]:
    """The development needs the participant picked, their own words marked "(my own)"."""
    picks, ex = role_answer(catalogue, answers, "needs"), catalogue.for_plan("needs")
    if not isinstance(picks, list) or ex is None or ex.kind != "pick":
        return ()
    known = set(ex.options)
    return tuple(str(p) if p in known else f"{p} (my own)" for p in picks)


def suggest_objectives(catalogue: Catalogue, answers: dict[str, Any], today: dt.date | None = None) -> list[dict[str, str]]:
    """Draft objectives (rows of the plan's objectives log) from the participant's saved answers, at most five.

    Drafts only: the participant edits them and presses Save.  Every text is cut to its field's limit.
    """
    today = today or dt.date.today()
    needs = needs_list(catalogue, answers)
    support = ", ".join(n.removesuffix(" (my own)") for n in needs) or "To agree with my line manager or appraiser"

    def by(months: int) -> str:
        return (today + dt.timedelta(days=round(months * 30.44))).isoformat()

    drafts: list[dict[str, str]] = []
    goal = role_answer(catalogue, answers, "goal")
    if goal:
        drafts.append({"what": f"Make visible progress towards my audacious goal: {goal}", "how": "Agree the first milestone with my sponsor and review progress with them every month", "support": support, "by_when": by(12), "measure": "The first milestone is met and reported to the board"})
    appetite = role_answer(catalogue, answers, "appetite")
    if isinstance(appetite, dict) and isinstance(appetite.get("target"), int) and isinstance(appetite.get("now"), int) and appetite["target"] != appetite["now"]:
        drafts.append({"what": f"Move my appetite for risk from {appetite['now']} to {appetite['target']} on the workshop's scale", "how": "Take one decision a month that I would once have escalated, and note how it went", "support": support, "by_when": by(6), "measure": f"My own rating at the follow-up (notebook 12) is {appetite['target']} or closer to it"})
    brand = role_answer(catalogue, answers, "brand")
    if isinstance(brand, list) and brand:
        drafts.append({"what": f"Be known by senior colleagues for being {_and_list([str(b) for b in brand])}", "how": "Show each one in a piece of work my peers will see this quarter", "support": "Honest feedback from two peers I trust", "by_when": by(6), "measure": "Peers use these words when I ask how they see me"})
    people = [str(r.get("stakeholder")) for r in role_answer(catalogue, answers, "commitments") or () if isinstance(r, dict) and r.get("stakeholder")]
    if people:
        dues = sorted(str(r["due"]) for r in role_answer(catalogue, answers, "commitments") if isinstance(r, dict) and r.get("due"))
        drafts.append({"what": f"Build working relationships with {_and_list(people[:4])}", "how": "An informal conversation with each, then keep the one promise I made them", "support": "Time in my diary, protected each week", "by_when": dues[-1] if dues else by(3), "measure": "Every promise in my meeting log is marked Delivered"})
    learning = role_answer(catalogue, answers, "learning-commitment")
    if learning:
        drafts.append({"what": str(learning), "how": "Practise it every week and note what I learn", "support": support, "by_when": by(3), "measure": "I can name three occasions when I did it, and what changed"})
    comfort = role_answer(catalogue, answers, "comfort")
    if len(drafts) < 5 and isinstance(comfort, dict) and isinstance(comfort.get("target"), int) and isinstance(comfort.get("now"), int) and comfort["target"] > comfort["now"]:
        drafts.append({"what": "Grow more at ease with risk, ambiguity and a wider web of relationships", "how": "Take on one piece of cross-organisation work outside my comfort zone", "support": support, "by_when": by(12), "measure": f"My comfort rating moves from {comfort['now']} to {comfort['target']}"})
    if not drafts:
        drafts.append({"what": "", "how": "", "support": support, "by_when": by(12), "measure": ""})
    objectives = catalogue.for_plan("objectives")
    limits = {f.name: f.max_length for f in objectives.fields} if objectives is not None and objectives.kind == "log" else {}
    return [{k: (v if k == "by_when" else _cut(v, limits.get(k, 200))) for k, v in d.items()} for d in drafts[:5]]


def _and_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _cut(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
